-- The sample schema of scripts/demo, which every example in README.md and
-- docs/ uses (test/docs runs them against it).  Run in database "app" by
-- a superuser; running it again restores the sample data.
--
--   api.users, posts, comments       a blog: embedding through foreign keys
--   api.post_stats                   a view
--   api.directors, films, actors,    films: filters, JSON, arrays, a
--   api.film_actors                  many-to-many through a junction table
--   api.todos                        writes, with row-level security
--   api.add_them, films_since,       RPC: scalar, set-returning, variadic,
--   api.total, api.whoami,           the request's role, a volatile call
--   api.finish
--   api.film_card, films_tsv         media type handlers: text/plain, a
--                                    table as tab-separated values
--   api.labels                       a data representation: a colour
--                                    kept as an integer, shown as #rrggbb
--   formats                          the domains and casts of those two
--
-- Roles: authenticator logs in for the workers (pgrest.role), web_anon
-- serves requests without a token (pgrest.anon_role), web_user those with
-- the demo's token; web_user has web_anon's privileges too.

\set ON_ERROR_STOP on
SET client_min_messages = warning;

-- roles belong to the cluster: create them once
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticator') THEN
        CREATE ROLE authenticator LOGIN NOINHERIT;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'web_anon') THEN
        CREATE ROLE web_anon NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'web_user') THEN
        CREATE ROLE web_user NOLOGIN;
    END IF;
END
$$;
GRANT web_anon, web_user TO authenticator;
GRANT web_anon TO web_user;

CREATE EXTENSION IF NOT EXISTS pgrest;

DROP SCHEMA IF EXISTS api CASCADE;
DROP SCHEMA IF EXISTS formats CASCADE;
CREATE SCHEMA api;
GRANT USAGE ON SCHEMA api TO web_anon, web_user;
-- domains and casts the API uses, in a schema it does not expose
CREATE SCHEMA formats;
GRANT USAGE ON SCHEMA formats TO web_anon, web_user;
SET search_path = api;

-- a blog
CREATE TABLE users (
    id serial PRIMARY KEY,
    name text NOT NULL,
    age int
);
CREATE TABLE posts (
    id serial PRIMARY KEY,
    user_id int NOT NULL REFERENCES users (id),
    title text NOT NULL,
    body text,
    published date
);
CREATE TABLE comments (
    id serial PRIMARY KEY,
    post_id int NOT NULL REFERENCES posts (id),
    user_id int NOT NULL REFERENCES users (id),
    body text NOT NULL
);
INSERT INTO users (name, age) VALUES ('Alice', 31), ('Bob', 27), ('Chloé', 45);
INSERT INTO posts (user_id, title, body, published) VALUES
    (1, 'Hello, world', 'The first post.', '2024-01-15'),
    (1, 'pgrest', 'A REST API inside PostgreSQL.', '2024-02-01'),
    (2, 'Bob writes', 'Short and sweet.', '2024-03-10');
INSERT INTO comments (post_id, user_id, body) VALUES
    (1, 2, 'Welcome!'), (1, 3, 'Nice.'), (3, 1, 'Agreed.');
CREATE VIEW post_stats AS
    SELECT p.id, p.title, count(c.id) AS comments
    FROM posts p LEFT JOIN comments c ON c.post_id = p.id
    GROUP BY p.id, p.title;
COMMENT ON TABLE users IS 'People who write posts and comments';

-- films
CREATE TABLE directors (
    id serial PRIMARY KEY,
    name text NOT NULL
);
CREATE TABLE films (
    id serial PRIMARY KEY,
    title text NOT NULL,
    year int,
    director_id int REFERENCES directors (id),
    rating numeric(3, 1),
    tags text[],
    meta jsonb,
    synopsis text
);
CREATE TABLE actors (
    id serial PRIMARY KEY,
    name text NOT NULL
);
CREATE TABLE film_actors (
    film_id int REFERENCES films (id),
    actor_id int REFERENCES actors (id),
    character text,
    PRIMARY KEY (film_id, actor_id)
);
INSERT INTO directors (name) VALUES
    ('Ridley Scott'), ('Denis Villeneuve'), ('Greta Gerwig');
INSERT INTO films (title, year, director_id, rating, tags, meta, synopsis) VALUES
    ('Alien', 1979, 1, 8.5, '{sci-fi,horror}',
     '{"studio": "20th Century Fox", "runtime": 117}',
     'The crew of a space freighter meets a deadly creature.'),
    ('Blade Runner', 1982, 1, 8.1, '{sci-fi,noir}',
     '{"studio": "Warner Bros.", "runtime": 117}',
     'A detective hunts escaped androids in Los Angeles.'),
    ('Arrival', 2016, 2, 7.9, '{sci-fi,drama}',
     '{"studio": "Paramount", "runtime": 116}',
     'A linguist learns the language of visitors from space.'),
    ('Dune', 2021, 2, 8.2, '{sci-fi,adventure}',
     '{"studio": "Warner Bros.", "runtime": 155}',
     'A noble family fights for a desert planet.'),
    ('Lady Bird', 2017, 3, 7.4, '{comedy,drama}',
     '{"studio": "A24", "runtime": 94}',
     'A teenager in Sacramento longs for a life elsewhere.'),
    ('Barbie', 2023, 3, 6.8, '{comedy,fantasy}',
     '{"studio": "Warner Bros.", "runtime": 114}',
     'A doll leaves her perfect world for the real one.');
INSERT INTO actors (name) VALUES
    ('Sigourney Weaver'), ('Harrison Ford'), ('Amy Adams'),
    ('Timothée Chalamet'), ('Saoirse Ronan'), ('Margot Robbie'), ('Ryan Gosling');
INSERT INTO film_actors (film_id, actor_id, character) VALUES
    (1, 1, 'Ripley'), (2, 2, 'Deckard'), (3, 3, 'Louise Banks'),
    (4, 4, 'Paul Atreides'), (5, 5, 'Christine'), (5, 4, 'Kyle'),
    (6, 6, 'Barbie'), (6, 7, 'Ken');

-- todos: everyone reads the public ones, a token's user owns the others
CREATE TABLE todos (
    id serial PRIMARY KEY,
    owner text NOT NULL
        DEFAULT current_setting('request.jwt.claims', true)::jsonb->>'sub',
    task text NOT NULL CHECK (task <> ''),
    done boolean NOT NULL DEFAULT false,
    public boolean NOT NULL DEFAULT false
);
INSERT INTO todos (owner, task, done, public) VALUES
    ('alice', 'Write the docs', false, true),
    ('alice', 'Try pgrest', true, false),
    ('bob', 'Review the docs', false, false);
ALTER TABLE todos ENABLE ROW LEVEL SECURITY;
CREATE POLICY everyone_reads_public ON todos FOR SELECT TO web_anon
    USING (public);
CREATE POLICY users_own_rows ON todos TO web_user
    USING (owner = current_setting('request.jwt.claims', true)::jsonb->>'sub');

-- functions for /rpc
CREATE FUNCTION add_them(a int, b int) RETURNS int
    LANGUAGE sql IMMUTABLE AS 'SELECT a + b';
CREATE FUNCTION films_since(y int) RETURNS SETOF films
    LANGUAGE sql STABLE AS 'SELECT * FROM api.films WHERE year >= y';
CREATE FUNCTION total(VARIADIC nums int[]) RETURNS int
    LANGUAGE sql IMMUTABLE AS 'SELECT sum(n)::int FROM unnest(nums) AS n';
CREATE FUNCTION whoami() RETURNS json
    LANGUAGE sql STABLE AS $$
        SELECT json_build_object(
            'role', current_user,
            'sub', current_setting('request.jwt.claims', true)::json->>'sub')
    $$;
CREATE FUNCTION finish(todo_id int) RETURNS todos
    LANGUAGE sql AS $$
        UPDATE api.todos SET done = true WHERE id = todo_id RETURNING *
    $$;
COMMENT ON FUNCTION add_them(int, int) IS 'The sum of two integers';

-- media type handlers: domains named after a media type; a function
-- returning one answers that type, an aggregate returning one turns a
-- table's rows into it
CREATE DOMAIN formats."text/plain" AS text;
CREATE DOMAIN formats."text/tab-separated-values" AS text;
CREATE FUNCTION film_card(film_id int) RETURNS formats."text/plain"
    LANGUAGE sql STABLE AS $$
        SELECT format('%s (%s), rated %s', title, year, rating)::formats."text/plain"
        FROM api.films WHERE id = film_id
    $$;
CREATE FUNCTION formats.tsv_line(lines text, f films)
    RETURNS formats."text/tab-separated-values"
    LANGUAGE sql IMMUTABLE AS $$
        SELECT (lines || f.title || E'\t' || f.year || E'\n')::formats."text/tab-separated-values"
    $$;
CREATE AGGREGATE films_tsv(films) (
    sfunc = formats.tsv_line, stype = formats."text/tab-separated-values", initcond = ''
);

-- a data representation: a colour kept as an integer, shown and taken
-- as "#rrggbb" (implicit casts between the domain and json, and text)
CREATE DOMAIN formats.color AS int CHECK (VALUE BETWEEN 0 AND 16777215);
CREATE FUNCTION formats.color(text) RETURNS formats.color
    LANGUAGE sql IMMUTABLE AS $$
        SELECT ('x' || lpad(ltrim($1, '#'), 8, '0'))::bit(32)::int
    $$;
CREATE FUNCTION formats.color(json) RETURNS formats.color
    LANGUAGE sql IMMUTABLE AS $$ SELECT formats.color($1 #>> '{}') $$;
CREATE FUNCTION formats.json(formats.color) RETURNS json
    LANGUAGE sql IMMUTABLE AS $$ SELECT to_json('#' || lpad(to_hex($1), 6, '0')) $$;
-- (PostgreSQL warns that it ignores casts of domains: pgrest does not)
SET client_min_messages = error;
CREATE CAST (formats.color AS json) WITH FUNCTION formats.json(formats.color) AS IMPLICIT;
CREATE CAST (json AS formats.color) WITH FUNCTION formats.color(json) AS IMPLICIT;
CREATE CAST (text AS formats.color) WITH FUNCTION formats.color(text) AS IMPLICIT;
SET client_min_messages = warning;
CREATE TABLE labels (
    id serial PRIMARY KEY,
    name text NOT NULL,
    color formats.color
);
INSERT INTO labels (name, color) VALUES ('urgent', 16711680), ('someday', 8421504);

GRANT SELECT ON users, posts, comments, post_stats, directors, films, actors,
    film_actors, todos, labels TO web_anon;
GRANT INSERT, UPDATE, DELETE ON todos TO web_user;
GRANT USAGE ON SEQUENCE todos_id_seq TO web_user;
