--
-- embed: resource embedding through foreign keys, views, junctions and
-- functions: select=rel(...), spreads, hints, embedded filters, order and
-- ranges, and the errors PostgREST answers with.
--
CREATE TABLE directors (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE movies (
    id int PRIMARY KEY,
    title text NOT NULL,
    year int,
    director_id int REFERENCES directors,
    meta jsonb
);
CREATE TABLE actors (id int PRIMARY KEY, name text NOT NULL);
-- a junction: both keys are part of its primary key
CREATE TABLE roles (
    movie_id int REFERENCES movies,
    actor_id int REFERENCES actors,
    character text,
    PRIMARY KEY (movie_id, actor_id)
);
-- one-to-one: the foreign key is the primary key
CREATE TABLE posters (movie_id int PRIMARY KEY REFERENCES movies, url text);
-- a self-reference
CREATE TABLE people (id int PRIMARY KEY, name text, parent_id int REFERENCES people);
-- two keys to one table: ambiguous without a hint
CREATE TABLE addresses (id int PRIMARY KEY, street text);
CREATE TABLE orders (
    id int PRIMARY KEY,
    billing int REFERENCES addresses,
    shipping int REFERENCES addresses
);
-- a composite key
CREATE TABLE shelves (room int, shelf int, label text, PRIMARY KEY (room, shelf));
CREATE TABLE volumes (
    id int PRIMARY KEY,
    title text,
    room int,
    shelf int,
    FOREIGN KEY (room, shelf) REFERENCES shelves
);
-- a junction through a unique key rather than its primary key
CREATE TABLE clubs (id int PRIMARY KEY, name text);
CREATE TABLE members (
    id int PRIMARY KEY,
    club_id int REFERENCES clubs,
    actor_id int REFERENCES actors,
    UNIQUE (club_id, actor_id)
);
INSERT INTO directors VALUES (1, 'Ridley Scott'), (2, 'Jean-Pierre Jeunet'), (3, 'Agnès Varda');
INSERT INTO movies VALUES
    (1, 'Alien', 1979, 1, '{"genre": "horror"}'),
    (2, 'Amélie', 2001, 2, '{"genre": "comedy"}'),
    (3, 'Blade Runner', 1982, 1, '{"genre": "sci-fi"}'),
    (4, 'Orphan', 2000, NULL, NULL);
INSERT INTO actors VALUES (1, 'Sigourney Weaver'), (2, 'Audrey Tautou'), (3, 'Harrison Ford');
INSERT INTO roles VALUES (1, 1, 'Ripley'), (2, 2, 'Amélie'), (3, 3, 'Deckard');
INSERT INTO posters VALUES (1, 'alien.png'), (3, 'blade.png');
INSERT INTO people VALUES (1, 'Ada', NULL), (2, 'Ben', 1), (3, 'Cid', 1), (4, 'Dee', 2);
INSERT INTO addresses VALUES (1, 'Main St'), (2, 'Side St');
INSERT INTO orders VALUES (1, 1, 2), (2, 2, 2);
INSERT INTO shelves VALUES (1, 1, 'A1'), (1, 2, 'A2');
INSERT INTO volumes VALUES (1, 'SQL', 1, 2), (2, 'C', 1, 1), (3, 'Lost', NULL, NULL);
INSERT INTO clubs VALUES (1, 'Chess');
INSERT INTO members VALUES (1, 1, 1), (2, 1, 3);

-- tables in a schema that is not exposed, shown through views
CREATE SCHEMA private;
CREATE TABLE private.staff (id int PRIMARY KEY, name text);
CREATE TABLE private.tasks (id int PRIMARY KEY, staff_id int REFERENCES private.staff, what text);
INSERT INTO private.staff VALUES (1, 'Mo'), (2, 'Jo');
INSERT INTO private.tasks VALUES (1, 1, 'sweep'), (2, 1, 'mop'), (3, 2, 'cook');
CREATE VIEW staff AS SELECT id, name FROM private.staff;
CREATE VIEW tasks AS SELECT id, staff_id AS owner, what FROM private.tasks;
-- a view of a view, and a column that is an expression
CREATE VIEW open_tasks AS SELECT id AS task, owner, upper(what) AS loud FROM tasks;
-- a view of movies, whose director_id is a plain column
CREATE VIEW movie_list AS SELECT id, title, director_id AS director FROM movies;

-- computed relationships and a computed field
CREATE FUNCTION classics(directors) RETURNS SETOF movies
LANGUAGE sql STABLE AS $$ SELECT * FROM movies WHERE director_id = $1.id AND year < 1990 $$;
CREATE FUNCTION maker(movies) RETURNS directors
LANGUAGE sql STABLE AS $$ SELECT * FROM directors WHERE id = $1.director_id $$;
CREATE FUNCTION shout(directors) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT upper($1.name) $$;
-- calls whose results embed
CREATE FUNCTION movies_of(d int) RETURNS SETOF movies
LANGUAGE sql STABLE AS $$ SELECT * FROM movies WHERE director_id = d $$;
CREATE FUNCTION movie(i int) RETURNS movies
LANGUAGE sql STABLE AS $$ SELECT * FROM movies WHERE id = i $$;

GRANT SELECT ON directors, movies, actors, roles, posters, people, addresses,
    orders, shelves, volumes, clubs, members, staff, tasks, open_tasks, movie_list
    TO regress_pgrest_anon;
GRANT INSERT, UPDATE, DELETE ON movies TO regress_pgrest_anon;

-- the body as sent: key order and formatting matter
CREATE FUNCTION raw(path text, headers jsonb DEFAULT NULL)
RETURNS TABLE (status int, body text)
LANGUAGE sql AS $$
    SELECT r.status, r.body FROM pgrest.handle('GET', path, NULL, headers) AS r
$$;

--
-- many-to-one: an object, null when nothing matches
--
SELECT * FROM raw('/movies?select=title,directors(name)&order=id');
-- one-to-many: an array, [] when empty
SELECT * FROM raw('/directors?select=name,movies(title)&order=id');
-- many-to-many through the junction
SELECT * FROM raw('/movies?select=title,actors(name)&order=id');
SELECT * FROM raw('/actors?select=name,movies(title)&order=id');
-- many-to-many through a junction's unique key
SELECT * FROM raw('/clubs?select=name,actors(name)');
-- one-to-one, both ways
SELECT * FROM raw('/movies?select=title,posters(url)&order=id');
SELECT * FROM raw('/posters?select=url,movies(title)&order=movie_id');
-- a composite key
SELECT * FROM raw('/volumes?select=title,shelves(label)&order=id');
SELECT * FROM raw('/shelves?select=label,volumes(title)&order=shelf');
-- self-reference: the column names the parent, the table the children
SELECT * FROM raw('/people?select=name,parent_id(name),people(name)&order=id');
SELECT * FROM raw('/people?select=name,parent:parent_id(name),children:people!parent_id(name)&order=id');
-- views inherit the keys of the tables their columns read, views of views too
SELECT * FROM raw('/staff?select=name,tasks(what)&order=id&tasks.order=id');
SELECT * FROM raw('/tasks?select=what,staff(name)&order=id');
SELECT * FROM raw('/open_tasks?select=task,loud,staff(name)&order=task');
SELECT * FROM raw('/movie_list?select=title,directors(name)&order=id');
SELECT * FROM raw('/directors?select=name,movie_list(title)&id=eq.1&movie_list.order=id');
-- a view gets the primary key of the table it shows
SELECT status, body FROM get('/staff/2');
-- computed relationships: to-many (SETOF), to-one; a computed field
SELECT * FROM raw('/directors?select=name,classics(title)&order=id');
SELECT * FROM raw('/movies?select=title,maker(name,shout)&order=id');

--
-- the grammar
--
-- * beside an embed, aliases, casts and JSON paths inside it
SELECT * FROM raw('/movies?select=*,directors(*)&id=eq.1');
SELECT * FROM raw('/movies?select=title,by:directors(who:name,id::text)&id=eq.2');
SELECT * FROM raw('/directors?select=name,movies(title,genre:meta->>genre)&id=eq.1&movies.order=id');
-- embeds come after the fields, in the order given
SELECT * FROM raw('/movies?select=posters(url),title,directors(name),id&id=eq.1');
-- hints: a foreign key's name, a column, the referenced column, the junction
SELECT * FROM raw('/orders?select=id,addresses!orders_billing_fkey(street)&order=id');
SELECT * FROM raw('/orders?select=id,b:addresses!billing(street),s:addresses!shipping(street)&order=id');
SELECT * FROM raw('/orders?select=id,addresses!id(street)&id=eq.1');
SELECT * FROM raw('/movies?select=title,actors!roles(name)&id=eq.1');
-- the foreign key's name or its column as the name
SELECT * FROM raw('/movies?select=title,director_id(name)&id=eq.1');
SELECT * FROM raw('/movies?select=title,movies_director_id_fkey(name)&id=eq.1');
-- nesting
SELECT * FROM raw('/directors?select=name,movies(title,actors(name),posters(url))&id=eq.1&movies.order=id');
-- spreads: a to-one resource's columns, lifted
SELECT * FROM raw('/movies?select=title,...directors(director:name)&order=id');
SELECT * FROM raw('/posters?select=url,...movies(title,...directors(name))&order=movie_id');
-- to-many spreads: an array per column
SELECT * FROM raw('/directors?select=name,...movies(title,year)&order=id&movies.order=year');
-- !inner drops parents without a match; !left is the default
SELECT * FROM raw('/directors?select=name,movies!inner(title)&order=id&movies.order=id');
SELECT * FROM raw('/movies?select=title,directors!left(name)&order=id');
SELECT * FROM raw('/orders?select=id,addresses!billing!inner(street)&addresses.street=eq.Main%20St');
SELECT * FROM raw('/orders?select=id,addresses!inner!shipping(street)&order=id');
-- an empty embed filters without showing anything
SELECT * FROM raw('/directors?select=name,movies!inner()&movies.year=gt.2000');

--
-- parameters for embedded resources
--
SELECT * FROM raw('/directors?select=name,movies(title)&movies.year=lt.1990&order=id');
SELECT * FROM raw('/directors?select=name,movies(title)&movies.or=(year.lt.1980,year.gt.2000)&order=id&movies.order=id');
SELECT * FROM raw('/directors?select=name,movies(title)&movies.not.and=(year.gt.1980,year.lt.1990)&order=id&movies.order=id');
SELECT * FROM raw('/directors?select=name,movies(title)&movies.order=year.desc&movies.limit=1&movies.offset=0&order=id');
SELECT * FROM raw('/directors?select=name,movies(title)&movies.order=year&movies.offset=1&id=eq.1');
-- nested paths, and an alias names the resource too
SELECT * FROM raw('/directors?select=name,movies(title,actors(name))&movies.actors.name=like.*Ford&id=eq.1&movies.order=id');
SELECT * FROM raw('/directors?select=name,films:movies(title)&films.year=gt.2000&order=id');
-- by its table too, unless pgrest.url_use_legacy_target_names is off
SELECT * FROM raw('/directors?select=name,films:movies(title)&movies.year=gt.1900&movies.order=title&order=id&id=eq.1');
SET pgrest.url_use_legacy_target_names = off;
SELECT * FROM raw('/directors?select=name,films:movies(title)&movies.year=gt.2000&order=id');
SELECT * FROM raw('/directors?select=name,films:movies(title)&movies.limit=1&order=id');
SELECT * FROM raw('/directors?select=name,films:movies(title)&films.year=gt.1900&order=id&id=eq.1');
SELECT * FROM raw('/directors?select=name,movies(title)&movies.year=gt.1900&movies.order=title&order=id&id=eq.1');
RESET pgrest.url_use_legacy_target_names;
-- is.null: no match (an anti-join); not.is.null: some match (a semi-join)
SELECT * FROM raw('/directors?select=name,movies()&movies=is.null');
SELECT * FROM raw('/directors?select=name,movies(title)&movies=not.is.null&order=id&movies.order=id');
SELECT * FROM raw('/movies?select=title,directors()&directors=is.null');
SELECT * FROM raw('/directors?select=name,movies()&or=(movies.is.null,id.eq.1)&order=id');
-- ordering by a to-one resource's column
SELECT * FROM raw('/movies?select=title,directors(name)&order=directors(name).desc.nullslast,id');
-- pgrest.max_rows caps embedded resources too
SET pgrest.max_rows = 1;
SELECT * FROM raw('/directors?select=name,movies(title)&id=eq.1&movies.order=id');
RESET pgrest.max_rows;

--
-- everywhere rows are shaped
--
-- the count counts parents; !inner and embed tests change it
SELECT status, headers->>'Content-Range' AS range, body::jsonb
FROM pgrest.handle('GET', '/directors?select=name,movies(title)&limit=1&order=id&movies.order=id',
                   NULL, '{"Prefer": "count=exact"}');
SELECT status, headers->>'Content-Range' AS range
FROM pgrest.handle('GET', '/directors?select=name,movies!inner(title)&limit=1',
                   NULL, '{"Prefer": "count=exact"}');
SELECT status, headers->>'Content-Range' AS range
FROM pgrest.handle('GET', '/directors?select=name,movies()&movies=is.null&limit=1',
                   NULL, '{"Prefer": "count=exact"}');
-- embeds tested in a logic tree with filters of their own, !inner under
-- !inner through a junction: the total is the rows' count
SELECT status, headers->>'Content-Range' AS range, jsonb_array_length(body::jsonb) AS rows
FROM pgrest.handle('GET', '/directors?select=name,movies(title)&movies.year=gt.1980&or=(movies.not.is.null,name.eq.Nobody)',
                   NULL, '{"Prefer": "count=exact"}');
SELECT status, headers->>'Content-Range' AS range, jsonb_array_length(body::jsonb) AS rows
FROM pgrest.handle('GET', '/directors?select=name,movies!inner(title,actors!inner(name))&movies.actors.name=like.*a*',
                   NULL, '{"Prefer": "count=exact"}');
SELECT status, headers->>'Content-Range' AS range, jsonb_array_length(body::jsonb) AS rows
FROM pgrest.handle('GET', '/directors?select=name,movies()&movies=not.is.null&movies.year=lt.1980',
                   NULL, '{"Prefer": "count=exact"}');
-- a page of parents takes its range before its embeds are joined, when
-- they cannot change which rows there are: the same rows and order
SELECT * FROM raw('/movies?select=title,directors(name),actors(name),posters(url)&order=id&limit=2&offset=1');
SELECT * FROM raw('/movies?select=title,year,directors(name)&year=gt.1980&order=year.desc&limit=1&offset=1');
SELECT * FROM raw('/directors?select=name,movies(title)&movies.order=id&order=id.desc&offset=1');
-- ... but after them when they decide (!inner, a test of one) or order
SELECT * FROM raw('/movies?select=title,directors!inner(name)&order=id.desc&limit=2');
SELECT * FROM raw('/movies?select=title,directors(name)&directors=not.is.null&order=id.desc&limit=2');
SELECT * FROM raw('/movies?select=title,directors(name)&order=directors(name).desc.nullslast,id&limit=2&offset=1');
-- a single object, /<table>/<key>, HEAD, CSV
SELECT * FROM raw('/movies?select=title,directors(name)&id=eq.1',
                  '{"Accept": "application/vnd.pgrst.object+json"}');
SELECT * FROM raw('/directors/1?select=name,movies(title)&movies.order=id');
SELECT status, body FROM pgrest.handle('HEAD', '/directors?select=name,movies(title)');
SELECT * FROM raw('/movies?select=title,directors(name),actors(name)&order=id',
                  '{"Accept": "text/csv"}');
-- a call's result embeds like its table
SELECT * FROM raw('/rpc/movies_of?d=1&select=title,directors(name),posters(url)&order=id');
SELECT * FROM raw('/rpc/movie?i=2&select=title,...directors(name),actors(name)');
-- the rows a write returns
BEGIN;
SELECT status, body FROM pgrest.handle('POST', '/movies?select=title,directors(name)',
    NULL, '{"Prefer": "return=representation"}',
    '{"id": 5, "title": "Cléo", "year": 1962, "director_id": 3}');
SELECT status, body FROM pgrest.handle('PATCH', '/movies?id=eq.5&select=id,...directors(name),actors(name)',
    NULL, '{"Prefer": "return=representation"}', '{"year": 1961}');
SELECT status, body FROM pgrest.handle('DELETE', '/movies?id=eq.5&select=title,maker(name)',
    NULL, '{"Prefer": "return=representation"}');
ROLLBACK;

--
-- relation names that are pgrest's own names, and aliases that look like them
--
CREATE TABLE pgrest_body (id int PRIMARY KEY, v text);
CREATE TABLE pgrest_source (id int PRIMARY KEY, body_id int REFERENCES pgrest_body);
CREATE TABLE _pgrest_t (id int PRIMARY KEY, v text);
GRANT SELECT, INSERT, UPDATE, DELETE ON pgrest_body, pgrest_source, _pgrest_t TO regress_pgrest_anon;
SELECT status, body FROM pgrest.handle('POST', '/pgrest_body', NULL,
    '{"Prefer": "return=representation"}', '[{"id": 1, "v": "a"}, {"id": 2, "v": "b"}]');
SELECT status, body FROM pgrest.handle('PATCH', '/pgrest_body?id=eq.1', NULL,
    '{"Prefer": "return=representation"}', '{"v": "c"}');
SELECT status, body FROM pgrest.handle('PUT', '/pgrest_body?id=eq.2', NULL,
    '{"Prefer": "return=representation"}', '{"id": 2, "v": "d"}');
SELECT status, body FROM pgrest.handle('POST', '/pgrest_source', NULL,
    '{"Prefer": "return=representation"}', '{"id": 1, "body_id": 1}');
SELECT * FROM raw('/pgrest_source?select=id,pgrest_body(v)');
SELECT * FROM raw('/pgrest_body?select=pgrest_1:v,pgrest_source(pgrest_2:id)&order=id');
SELECT status, body FROM pgrest.handle('POST', '/_pgrest_t', NULL,
    '{"Prefer": "return=representation"}', '{"id": 1, "v": "x"}');
SELECT status, body FROM pgrest.handle('DELETE', '/_pgrest_t?id=eq.1', NULL,
    '{"Prefer": "return=representation"}');
DROP TABLE pgrest_source, pgrest_body, _pgrest_t;

--
-- relationships across exposed schemas
--
CREATE SCHEMA other;
CREATE TABLE other.reviews (id int PRIMARY KEY, movie_id int REFERENCES movies, stars int);
INSERT INTO other.reviews VALUES (1, 1, 5), (2, 1, 4);
GRANT USAGE ON SCHEMA other TO regress_pgrest_anon;
GRANT SELECT ON other.reviews TO regress_pgrest_anon;
SET pgrest.schemas = 'public, other';
SELECT * FROM raw('/movies?select=title,reviews(stars)&id=eq.1&reviews.order=id');
SELECT * FROM raw('/reviews?select=stars,movies(title)&order=id', '{"Accept-Profile": "other"}');
RESET pgrest.schemas;
DROP SCHEMA other CASCADE;

--
-- DDL is seen at once: a new foreign key relates, a dropped one does not
--
CREATE TABLE sequels (id int PRIMARY KEY, movie int);
GRANT SELECT ON sequels TO regress_pgrest_anon;
INSERT INTO sequels VALUES (1, 1);
SELECT status, body->>'code' AS code FROM get('/sequels?select=id,movies(title)');
ALTER TABLE sequels ADD CONSTRAINT sequel_of FOREIGN KEY (movie) REFERENCES movies;
SELECT * FROM raw('/sequels?select=id,movies(title)');
ALTER TABLE sequels DROP CONSTRAINT sequel_of;
SELECT status, body->>'code' AS code FROM get('/sequels?select=id,movies(title)');
DROP TABLE sequels;

--
-- errors, as PostgREST words them
--
-- no relationship: a suggestion for the target, or for the origin
SELECT * FROM raw('/movies?select=title,director(name)');
SELECT * FROM raw('/movies?select=title,directors!nope(name)');
SELECT * FROM raw('/actors?select=name,addresses(street)');
-- a junction outside the exposed schemas joins nothing; PostgREST then
-- counts the relationship as there, so the hint suggests no other table
CREATE TABLE rolls (id int PRIMARY KEY);
CREATE TABLE bakers (id int PRIMARY KEY);
GRANT SELECT ON rolls, bakers TO regress_pgrest_anon;
SELECT * FROM raw('/rolls?select=bakers(*)');
CREATE SCHEMA hidden_junctions;
CREATE TABLE hidden_junctions.rolls_bakers (roll int REFERENCES rolls, baker int REFERENCES bakers,
                                            PRIMARY KEY (roll, baker));
SELECT * FROM raw('/rolls?select=bakers(*)');
SELECT * FROM raw('/bakers?select=rolls(*)');
DROP SCHEMA hidden_junctions CASCADE;
DROP TABLE rolls, bakers;
-- several: each candidate, and the hints that choose one
SELECT * FROM raw('/orders?select=id,addresses(street)');
SELECT * FROM raw('/addresses?select=id,orders(id)');
-- a parameter for a resource that is not embedded
SELECT * FROM raw('/movies?select=title&directors.name=eq.x');
SELECT * FROM raw('/movies?select=title&directors.order=name');
SELECT * FROM raw('/movies?select=title,directors(name)&directors.actors.name=eq.x');
SELECT * FROM raw('/movies?select=title&order=directors(name)');
-- a related order on a to-many resource
SELECT * FROM raw('/directors?select=name,movies(title)&order=movies(title)');
-- parse errors
SELECT * FROM raw('/movies?select=title,directors(name');
SELECT * FROM raw('/movies?select=title,directors!(name)');
SELECT * FROM raw('/movies?select=title,directors!a!b!c(name)');
-- (as in PostgREST, what follows the top-level list after a ')' is ignored)
SELECT * FROM raw('/movies?select=title,directors(name)x');
SELECT * FROM raw('/movies?select=title,directors(name))&title=eq.Alien');
SELECT * FROM raw('/movies?select=title,directors(name)x,id');
SELECT * FROM raw('/movies?select=title,directors(name),x)');
SELECT * FROM raw('/movies?select=title''');
SELECT * FROM raw('/movies?select=...directors');
SELECT status, body::jsonb->>'code' AS code
FROM pgrest.handle('GET', '/movies?select=' || repeat('directors(movies(', 20) || 'id' || repeat('))', 20));
-- a column the embedded relation lacks, named as the request named it
SELECT * FROM raw('/movies?select=title,directors(nope)');
