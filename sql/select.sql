--
-- select: the read fixture, and select= (columns, aliases, casts, JSON
-- paths).  Later read tests use the films table created here.
--
CREATE TABLE films (
    id int PRIMARY KEY,
    title text NOT NULL,
    year int,
    rating numeric(3, 1),
    released timestamptz,
    genres text[],
    meta jsonb,
    doc json,
    synopsis text,
    tsv tsvector,
    seats int4range,
    "Mixed Case" text,
    "with.dot" text,
    "with,comma" text
);
INSERT INTO films VALUES
    (1, 'Alien', 1979, 8.5, '1979-05-25 12:00:00+00', '{horror,sci-fi}',
     '{"director": {"name": "Ridley Scott"}, "tags": ["space", "crew"], "budget": 11}',
     '{"lang": "en"}', 'A crew meets a deadly creature in space.',
     to_tsvector('english', 'A crew meets a deadly creature in space.'),
     '[1,100)', 'MC1', 'dot1', 'comma1'),
    (2, 'Amélie', 2001, 8.3, '2001-04-25 00:00:00+00', '{comedy,romance}',
     '{"director": {"name": "Jean-Pierre Jeunet"}, "tags": ["paris"], "budget": 10}',
     '{"lang": "fr"}', 'A shy waitress decides to change the lives of others.',
     to_tsvector('english', 'A shy waitress decides to change the lives of others.'),
     '[50,150)', 'MC2', 'dot2', NULL),
    (3, 'Brazil', 1985, 7.9, NULL, '{sci-fi,comedy}',
     '{"director": {"name": "Terry Gilliam"}, "tags": [], "budget": 15}',
     NULL, 'A clerk dreams of escape from a bureaucratic world.',
     to_tsvector('english', 'A clerk dreams of escape from a bureaucratic world.'),
     '[200,300)', NULL, NULL, NULL),
    (4, 'Crash, the "Movie"', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL),
    (5, 'Dune', 2021, 8.0, '2021-10-22 00:00:00+00', '{sci-fi}',
     '{"director": {"name": "Denis Villeneuve"}, "tags": ["desert", "space"], "budget": 165}',
     '{"lang": "en"}', 'A noble family fights for a desert planet.',
     to_tsvector('english', 'A noble family fights for a desert planet.'),
     '(,10)', 'MC5', 'dot5', 'comma5'),
    (6, '東京物語', 1953, 8.2, '1953-11-03 00:00:00+00', '{drama}',
     '{"director": {"name": "小津安二郎"}, "tags": ["family"], "budget": null}',
     '{"lang": "ja"}', 'An ageing couple visits their children in Tokyo.',
     to_tsvector('english', 'An ageing couple visits their children in Tokyo.'),
     'empty', NULL, NULL, NULL);
GRANT SELECT ON films TO regress_pgrest_anon;

-- a compact view of a response: status and body as jsonb
CREATE FUNCTION get(path text, headers jsonb DEFAULT NULL)
RETURNS TABLE (status int, body jsonb)
LANGUAGE sql AS $$
    SELECT r.status, r.body::jsonb FROM pgrest.handle('GET', path, NULL, headers) AS r
$$;

-- columns, in the order asked
SELECT * FROM get('/films?select=title,id&id=lte.2&order=id');
-- every column
SELECT * FROM get('/films?id=eq.4');
-- aliases
SELECT * FROM get('/films?select=name:title,when:year&id=eq.1');
-- casts: the type is PostgreSQL's own, never the client's text
SELECT * FROM get('/films?select=id::text,rating::int,year::float8&id=eq.1');
SELECT * FROM get('/films?select=label:rating::text&id=eq.2');
-- JSON paths: keys, nested keys, ->> text, array indexes, negative indexes
SELECT * FROM get('/films?select=id,meta->director->>name,meta->tags->0,meta->tags->>-1&order=id&limit=3');
SELECT * FROM get('/films?select=dir:meta->director->name,doc->>lang&id=eq.6');
SELECT * FROM get('/films?select=id,meta->>budget::int&id=in.(1,2)&order=id');
-- a path on a column that is not JSON goes through to_jsonb
SELECT * FROM get('/films?select=genres->0,genres->>1&id=eq.1');
-- quoted names, names with spaces and dashes, percent-encoding
SELECT * FROM get('/films?select="Mixed Case","with.dot","with,comma"&id=eq.1');
SELECT * FROM get('/films?select=%22Mixed%20Case%22,id&id=eq.5');
SELECT * FROM get('/films?select=  id  ,  title  &id=eq.5');
-- a JSON key with characters the grammar reserves, quoted
SELECT * FROM get('/films?select=meta->"director"->>"name"&id=eq.3');
-- empty select= returns every column, as in PostgREST
SELECT * FROM get('/films?select=&id=eq.1');

-- errors
SELECT * FROM get('/films?select=nope');
SELECT * FROM get('/films?select=id::nosuchtype');
SELECT * FROM get('/films?select=id::int;drop');
SELECT * FROM get('/films?select=id,');
SELECT * FROM get('/films?select=id,,title');
SELECT * FROM get('/films?select=id->');
SELECT * FROM get('/films?select=meta->>-x');
-- a key after ->> meets text, and fails as PostgREST's does (the key's
-- type is unknown, as a literal's)
SELECT * FROM get('/films?select=meta->>director->name&id=eq.1');
SELECT * FROM get('/films?select="unterminated');
SELECT * FROM get('/films?select=title,directors(name)');
SELECT * FROM get('/films?select=...directors(name)');
SELECT * FROM get('/films?select=rating.sum()');
SELECT * FROM get('/films?select=count()');
SELECT * FROM get('/films?select=title->name');
