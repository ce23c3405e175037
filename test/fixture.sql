-- The data the black-box tests read and write, in database "blackbox".
CREATE EXTENSION pgrest;

CREATE ROLE test_authenticator LOGIN NOINHERIT;
CREATE ROLE test_anon NOLOGIN;
GRANT test_anon TO test_authenticator;

CREATE SCHEMA api;
GRANT USAGE ON SCHEMA api TO test_anon;

CREATE TABLE api.films (
    id int PRIMARY KEY,
    title text NOT NULL,
    year int,
    rating numeric(3, 1),
    genres text[],
    meta jsonb,
    synopsis text,
    tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', coalesce(synopsis, ''))) STORED
);
INSERT INTO api.films (id, title, year, rating, genres, meta, synopsis) VALUES
    (1, 'Alien', 1979, 8.5, '{horror,sci-fi}',
     '{"director": {"name": "Ridley Scott"}, "tags": ["space", "crew"]}',
     'A crew meets a deadly creature in space.'),
    (2, 'Amélie', 2001, 8.3, '{comedy,romance}',
     '{"director": {"name": "Jean-Pierre Jeunet"}, "tags": ["paris"]}',
     'A shy waitress decides to change the lives of others.'),
    (3, 'Brazil', 1985, 7.9, '{sci-fi,comedy}',
     '{"director": {"name": "Terry Gilliam"}, "tags": []}',
     'A clerk dreams of escape from a bureaucratic world.'),
    (4, 'Crash, the "Movie"', NULL, NULL, NULL, NULL, NULL),
    (5, 'Dune', 2021, 8.0, '{sci-fi}',
     '{"director": {"name": "Denis Villeneuve"}, "tags": ["desert", "space"]}',
     'A noble family fights for a desert planet.');
GRANT SELECT ON api.films TO test_anon;

CREATE TABLE api.secrets (id int);
CREATE SCHEMA v2;
GRANT USAGE ON SCHEMA v2 TO test_anon;
CREATE TABLE v2.films (id int PRIMARY KEY, title text);
INSERT INTO v2.films VALUES (1, 'Alien (director''s cut)');
GRANT SELECT ON v2.films TO test_anon;

-- JWT roles: the authenticator may become test_user, not test_outsider
CREATE ROLE test_user NOLOGIN;
GRANT test_user TO test_authenticator;
CREATE ROLE test_outsider NOLOGIN;
GRANT USAGE ON SCHEMA api TO test_user, test_outsider;
GRANT SELECT ON api.films TO test_user, test_outsider;
CREATE VIEW api.whoami AS
    SELECT current_user AS role,
           current_setting('request.jwt.claims')::jsonb AS claims;
GRANT SELECT ON api.whoami TO test_anon, test_user, test_outsider;

-- writes: tasks, with constraints that fail in known ways
CREATE TABLE api.projects (id int PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE api.tasks (
    id int PRIMARY KEY,
    project_id int REFERENCES api.projects (id) DEFERRABLE INITIALLY DEFERRED,
    title text NOT NULL CHECK (title <> ''),
    done boolean NOT NULL DEFAULT false,
    points int
);
INSERT INTO api.projects VALUES (1, 'pgrest'), (2, 'docs');
GRANT SELECT, INSERT, UPDATE, DELETE ON api.projects, api.tasks TO test_anon;

-- functions
CREATE FUNCTION api.add_them(a int, b int) RETURNS int
    LANGUAGE sql IMMUTABLE AS 'SELECT a + b';
CREATE FUNCTION api.films_since(y int) RETURNS SETOF api.films
    LANGUAGE sql STABLE AS 'SELECT * FROM api.films WHERE year >= y';
CREATE FUNCTION api.add_project(name text) RETURNS api.projects
    LANGUAGE sql AS 'INSERT INTO api.projects (id, name) SELECT max(id) + 1, add_project.name FROM api.projects RETURNING *';
-- a request that takes its time
CREATE FUNCTION api.nap(seconds double precision) RETURNS text
    LANGUAGE sql AS 'SELECT pg_sleep(seconds)::text || ''rested''';

-- the hostile-input suite checks this never changes
CREATE TABLE api.canary (id int PRIMARY KEY, note text NOT NULL);
INSERT INTO api.canary VALUES (1, 'alive'), (2, 'still alive');
GRANT SELECT, INSERT, UPDATE, DELETE ON api.canary TO test_anon;

-- what the hostile suite's mutated requests may write to
CREATE TABLE api.scratch (id int PRIMARY KEY, note text CHECK (note <> 'x'), n int);
INSERT INTO api.scratch VALUES (1, 'one', 1);
GRANT SELECT, INSERT, UPDATE, DELETE ON api.scratch TO test_anon;
CREATE FUNCTION api.scratch_sum(a int, b int DEFAULT 0) RETURNS int
    LANGUAGE sql STABLE AS 'SELECT a + b';

-- resource embedding: authors write books, books have genres (many-to-many)
CREATE TABLE api.authors (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE api.books (
    id int PRIMARY KEY,
    title text NOT NULL,
    year int,
    author_id int REFERENCES api.authors
);
CREATE TABLE api.genres (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE api.book_genres (
    book_id int REFERENCES api.books,
    genre_id int REFERENCES api.genres,
    PRIMARY KEY (book_id, genre_id)
);
INSERT INTO api.authors VALUES (1, 'Ursula K. Le Guin'), (2, 'Stanisław Lem'), (3, 'Unpublished');
INSERT INTO api.books VALUES
    (1, 'A Wizard of Earthsea', 1968, 1),
    (2, 'The Left Hand of Darkness', 1969, 1),
    (3, 'The Dispossessed', 1974, 1),
    (4, 'Solaris', 1961, 2),
    (5, 'Anonymous', 2000, NULL);
INSERT INTO api.genres VALUES (1, 'fantasy'), (2, 'science fiction');
INSERT INTO api.book_genres VALUES (1, 1), (2, 2), (3, 2), (4, 2);
GRANT SELECT ON api.authors, api.books, api.genres, api.book_genres TO test_anon;
GRANT INSERT, UPDATE, DELETE ON api.books TO test_anon;
CREATE FUNCTION api.books_after(y int) RETURNS SETOF api.books
    LANGUAGE sql STABLE AS 'SELECT * FROM api.books WHERE year > y';
-- two keys to authors: embedding authors needs a hint
CREATE TABLE api.reviews (
    id int PRIMARY KEY,
    reviewer int REFERENCES api.authors,
    subject int REFERENCES api.authors
);
INSERT INTO api.reviews VALUES (1, 1, 2);
GRANT SELECT ON api.reviews TO test_anon;

-- GeoJSON (PostGIS in its own schema, as managed databases install it)
CREATE SCHEMA extensions;
CREATE EXTENSION postgis SCHEMA extensions;
GRANT USAGE ON SCHEMA extensions TO test_anon;
CREATE TABLE api.places (id int PRIMARY KEY, name text, location extensions.geometry(Point, 4326));
INSERT INTO api.places VALUES (1, 'Oslo', 'SRID=4326;POINT(10.75 59.91)'), (2, 'Lima', 'SRID=4326;POINT(-77.04 -12.05)');
GRANT SELECT ON api.places TO test_anon;

-- unnamed parameters and overloads, as PostgREST resolves them
CREATE FUNCTION api.echo_json(json) RETURNS json LANGUAGE sql IMMUTABLE AS 'SELECT $1';
CREATE FUNCTION api.pick(a int, b int DEFAULT 0) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT a + b';
CREATE FUNCTION api.pick(a int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT a';

-- a function that chooses its whole error response, and one that chooses
-- its status and headers
CREATE FUNCTION api.pay(plan text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    IF plan = 'free' THEN
        RAISE SQLSTATE 'PGRST' USING
            MESSAGE = '{"code":"123","message":"Payment Required","details":"Quota exceeded","hint":"Upgrade your plan"}',
            DETAIL = '{"status":402,"headers":{"X-Powered-By":"pgrest"}}';
    END IF;
    PERFORM set_config('response.status', '202', true);
    PERFORM set_config('response.headers', '[{"Location": "/receipts/1"}]', true);
    RETURN 'queued';
END $$;

-- media type handlers: domains named after a media type, which functions
-- return (their value is the body) and aggregates return (the rows as
-- one body)
CREATE DOMAIN api."image/png" AS bytea;
CREATE DOMAIN api."application/octet-stream" AS bytea;
CREATE DOMAIN api."application/vnd.pgrest.doc+json" AS jsonb;
CREATE TABLE api.images (id int PRIMARY KEY, name text, img bytea);
INSERT INTO api.images VALUES
    (1, 'one', '\x89504e470d0a1a0a0000000d4948445200'),
    (2, 'two', '\x00ff00fe');
GRANT SELECT ON api.images TO test_anon;
CREATE FUNCTION api.image(id int) RETURNS api."image/png" STABLE LANGUAGE sql AS $$
    SELECT i.img::api."image/png" FROM api.images i WHERE i.id = image.id
$$;
CREATE FUNCTION api.upload(bytea) RETURNS api."application/octet-stream" LANGUAGE sql AS $$
    SELECT $1::api."application/octet-stream"
$$;
CREATE FUNCTION api.doc() RETURNS api."application/vnd.pgrest.doc+json" STABLE LANGUAGE sql AS $$
    SELECT '{"pages": 2}'::jsonb::api."application/vnd.pgrest.doc+json"
$$;
CREATE FUNCTION api.images_step(state api."application/octet-stream", i api.images)
RETURNS api."application/octet-stream" LANGUAGE sql AS $$
    SELECT (state || i.img)::api."application/octet-stream"
$$;
CREATE AGGREGATE api.images_concat(api.images) (
    sfunc = api.images_step, stype = api."application/octet-stream", initcond = ''
);
