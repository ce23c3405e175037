--
-- handlers: media type handlers, domains named after a media type that a
-- function returns (its value is the body) or an aggregate returns (it
-- turns the rows into the body); Accept negotiated against them and
-- pgrest's own formats, in PostgREST's order.
--
CREATE FUNCTION respond(path text, accept text, method text DEFAULT 'GET', body text DEFAULT NULL,
                        content_type text DEFAULT NULL)
RETURNS TABLE (status int, content_type text, body text)
LANGUAGE sql AS $$
    SELECT r.status, r.headers->>'Content-Type', r.body
    FROM pgrest.handle(method, path, NULL,
                       jsonb_strip_nulls(jsonb_build_object('Accept', accept, 'Content-Type', content_type)),
                       body) AS r
$$;

CREATE DOMAIN "text/plain" AS text;
CREATE DOMAIN "text/html" AS text;
CREATE DOMAIN "text/xml" AS xml;
CREATE DOMAIN "image/png" AS bytea;
CREATE DOMAIN "application/vnd.pgrest.test+json" AS jsonb;
CREATE DOMAIN "text/tab-separated-values" AS text;
CREATE DOMAIN "text/x-rows" AS text;
CREATE DOMAIN "*/*" AS bytea;

CREATE TABLE birds (id int PRIMARY KEY, name text, wingspan numeric);
INSERT INTO birds VALUES (1, 'wren', 0.15), (2, 'heron', 1.9), (3, 'owl', NULL);
CREATE TABLE nests (id int PRIMARY KEY, bird_id int REFERENCES birds(id), place text);
INSERT INTO nests VALUES (1, 2, 'reeds');
GRANT SELECT, INSERT ON birds TO regress_pgrest_anon;
GRANT SELECT ON nests TO regress_pgrest_anon;

-- functions whose value is the body
CREATE FUNCTION greeting() RETURNS "text/plain" STABLE LANGUAGE sql AS $$
    SELECT 'Hello, plain world'::"text/plain"
$$;
CREATE FUNCTION page() RETURNS "text/html" STABLE LANGUAGE sql AS $$
    SELECT '<p>hi</p>'::"text/html"
$$;
CREATE FUNCTION doc() RETURNS "text/xml" STABLE LANGUAGE sql AS $$
    SELECT E'\n<doc><a/></doc>'::xml::"text/xml"
$$;
CREATE FUNCTION pixel() RETURNS "image/png" STABLE LANGUAGE sql AS $$
    SELECT '\x89504e470d0a1a0a00'::bytea::"image/png"
$$;
CREATE FUNCTION nothing_yet(id int) RETURNS "image/png" STABLE LANGUAGE sql AS $$
    SELECT NULL::"image/png"
$$;
CREATE FUNCTION tagged() RETURNS "application/vnd.pgrest.test+json" STABLE LANGUAGE sql AS $$
    SELECT '{"b": 1, "a": [true]}'::jsonb::"application/vnd.pgrest.test+json"
$$;
CREATE FUNCTION anything() RETURNS "*/*" STABLE LANGUAGE sql AS $$
    SELECT 'raw bytes'::bytea::"*/*"
$$;
CREATE FUNCTION lines_of() RETURNS SETOF "text/plain" STABLE LANGUAGE sql AS $$
    SELECT 'a'::"text/plain"
$$;
CREATE FUNCTION shout(text) RETURNS "text/plain" LANGUAGE sql AS $$
    SELECT upper($1)::"text/plain"
$$;

SELECT * FROM respond('/rpc/greeting', 'text/plain');
SELECT * FROM respond('/rpc/page', 'text/html');
SELECT * FROM respond('/rpc/doc', 'text/xml');
-- binary bodies: sent as they are (pgrest.handle() shows them as bytea)
SELECT * FROM respond('/rpc/pixel', 'image/png');
SELECT * FROM respond('/rpc/nothing_yet?id=1', 'image/png');
SELECT * FROM respond('/rpc/tagged', 'application/vnd.pgrest.test+json');
-- the wildcard domain takes any Accept, as application/octet-stream
SELECT * FROM respond('/rpc/anything', 'app/whatever');
SELECT * FROM respond('/rpc/anything', NULL);
-- without that Accept, JSON; another type, or a set, is not available
SELECT * FROM respond('/rpc/greeting', NULL);
SELECT * FROM respond('/rpc/greeting', 'text/xml');
SELECT * FROM respond('/rpc/lines_of', 'text/plain');
-- a text body for the single unnamed text parameter, a text answer
SELECT * FROM respond('/rpc/shout', 'text/plain', 'POST', 'quiet words', 'text/plain');
-- HEAD: the headers alone
SELECT * FROM respond('/rpc/greeting', 'text/plain', 'HEAD');

-- aggregates over a relation's rows: for that relation, with the default
-- select only (none, or *)
CREATE FUNCTION tsv_step(state text, b birds) RETURNS "text/tab-separated-values"
LANGUAGE sql AS $$
    SELECT (state || b.id || E'\t' || b.name || E'\n')::"text/tab-separated-values"
$$;
CREATE AGGREGATE birds_tsv(birds) (
    sfunc = tsv_step, stype = "text/tab-separated-values", initcond = ''
);
SELECT * FROM respond('/birds?order=id', 'text/tab-separated-values');
SELECT * FROM respond('/birds?select=*&id=eq.2', 'text/tab-separated-values');
SELECT * FROM respond('/birds?select=id,name', 'text/tab-separated-values');
SELECT * FROM respond('/nests', 'text/tab-separated-values');
-- a function returning the relation's rows takes its handlers
CREATE FUNCTION big_birds() RETURNS SETOF birds STABLE LANGUAGE sql AS $$
    SELECT * FROM birds WHERE wingspan > 1
$$;
SELECT * FROM respond('/rpc/big_birds', 'text/tab-separated-values');
-- and the rows a write returns
SELECT * FROM respond('/birds', 'text/tab-separated-values', 'POST', '{"id": 4, "name": "kite"}');
SELECT r.status, r.headers->>'Content-Type' AS content_type, r.body
FROM pgrest.handle('POST', '/birds', NULL,
                   '{"Accept": "text/tab-separated-values", "Prefer": "return=representation"}',
                   '{"id": 5, "name": "tit"}') AS r;
DELETE FROM birds WHERE id > 3;

-- an aggregate over anyelement is for every relation (the rows as selected)
CREATE FUNCTION rows_step(state text, r anyelement) RETURNS "text/x-rows"
LANGUAGE sql AS $$
    SELECT (state || r::text || E'\n')::"text/x-rows"
$$;
CREATE AGGREGATE any_rows(anyelement) (sfunc = rows_step, stype = "text/x-rows", initcond = '');
SELECT * FROM respond('/birds?select=name,id&order=id', 'text/x-rows');
SELECT * FROM respond('/birds?select=id,nests(place)&order=id', 'text/x-rows');
SELECT * FROM respond('/rpc/greeting', 'text/x-rows');

-- a relation's handlers override pgrest's JSON and CSV for it
CREATE DOMAIN "application/json" AS json;
CREATE DOMAIN "text/csv" AS text;
CREATE FUNCTION json_step(state json, n nests) RETURNS "application/json"
LANGUAGE sql AS $$ SELECT json_build_object('nests', 'overridden')::"application/json" $$;
CREATE AGGREGATE nests_json(nests) (sfunc = json_step, stype = "application/json");
CREATE FUNCTION csv_step(state text, n nests) RETURNS "text/csv" LANGUAGE sql AS $$
    SELECT (state || n.place || E'\n')::"text/csv"
$$;
CREATE FUNCTION csv_final(state text) RETURNS "text/csv" LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('response.headers', '[{"Content-Disposition": "attachment; filename=nests.csv"}]', true);
    RETURN ('place' || E'\n' || state)::"text/csv";
END $$;
CREATE AGGREGATE nests_csv(nests) (sfunc = csv_step, stype = "text/csv", initcond = '', finalfunc = csv_final);
SELECT * FROM respond('/nests', 'application/json');
SELECT * FROM respond('/nests', NULL);
SELECT r.status, r.headers->>'Content-Type' AS content_type,
       r.headers->>'Content-Disposition' AS disposition, r.body
FROM pgrest.handle('GET', '/nests', NULL, '{"Accept": "text/csv"}') AS r;
SELECT * FROM respond('/birds?id=eq.1', 'application/json');
-- but never PostgREST's own types
SELECT * FROM respond('/nests', 'application/vnd.pgrst.object+json');

-- a relation's wildcard handler answers any Accept (with the default
-- select), and may set its own Content-Type
CREATE FUNCTION any_step(state "*/*", n nests) RETURNS "*/*" LANGUAGE sql AS $$
    SELECT (state || n.place::bytea)::"*/*"
$$;
CREATE FUNCTION any_final(state "*/*") RETURNS "*/*" LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('request.headers', true)::json->>'accept' = 'x/named' THEN
        PERFORM set_config('response.headers', '[{"Content-Type": "x/named"}]', true);
    END IF;
    RETURN state;
END $$;
CREATE AGGREGATE nests_any(nests) (sfunc = any_step, stype = "*/*", initcond = '', finalfunc = any_final);
SELECT * FROM respond('/nests', 'x/named');
SELECT * FROM respond('/nests', 'x/other');
SELECT * FROM respond('/nests?select=place', 'application/json');
DROP AGGREGATE nests_any(nests);

-- Accept: the first range something produces wins, by q, then by
-- specificity, then in order; q=0 is refused
SELECT status, content_type FROM respond('/birds', 'image/png, */*');
SELECT status, content_type FROM respond('/birds', '*/*, text/csv');
SELECT status, content_type FROM respond('/birds', 'text/csv;q=0.5, text/x-rows');
SELECT status, content_type FROM respond('/birds', 'text/x-rows;q=0, text/csv');
SELECT status, content_type FROM respond('/rpc/pixel', 'text/html,application/xhtml+xml,application/xml;q=0.9,image/png,*/*;q=0.8');
-- 406 names the ranges as PostgREST does, in that order
SELECT status, body::jsonb FROM respond('/birds', 'text/plain;q=0.5, Image/PNG, application/xml;v=1');
SELECT status, body::jsonb FROM respond('/birds', 'application/vnd.pgrst.plan;for="text/plain";options=wal|analyze');
-- (the plan is off: the next range)
SELECT status, body::jsonb FROM respond('/birds', 'application/vnd.pgrst.plan, application/vnd.pgrst.array;nulls=stripped;q=0.1');
SELECT status, body::jsonb FROM respond('/birds', 'unknown');

-- the plan of a handler's statement
SET pgrest.plan_enabled = on;
SELECT status, content_type, body LIKE '%birds_tsv%' AS calls_the_aggregate
FROM respond('/birds', 'application/vnd.pgrst.plan; for="text/tab-separated-values"; options=verbose');
SELECT status, content_type FROM respond('/rpc/greeting', 'application/vnd.pgrst.plan+json; for="text/plain"; options=verbose');
RESET pgrest.plan_enabled;

-- handlers of the schema a profile names (the domain may be elsewhere)
CREATE SCHEMA other;
CREATE DOMAIN other."text/special" AS text;
CREATE TABLE other.things (id int);
INSERT INTO other.things VALUES (1);
CREATE FUNCTION other.special_step(state text, t other.things) RETURNS other."text/special"
LANGUAGE sql AS $$ SELECT 'special'::other."text/special" $$;
CREATE AGGREGATE other.special(other.things) (sfunc = other.special_step, stype = other."text/special");
CREATE FUNCTION other.plain() RETURNS public."text/plain" STABLE LANGUAGE sql AS $$
    SELECT 'plain'::public."text/plain"
$$;
GRANT USAGE ON SCHEMA other TO regress_pgrest_anon;
GRANT SELECT ON other.things TO regress_pgrest_anon;
SET pgrest.schemas = 'public, other';
SELECT r.status, r.headers->>'Content-Type' AS content_type, r.headers->>'Content-Profile' AS profile, r.body
FROM pgrest.handle('GET', '/things', NULL, '{"Accept": "text/special", "Accept-Profile": "other"}') AS r;
SELECT r.status, r.headers->>'Content-Type' AS content_type, r.body
FROM pgrest.handle('GET', '/rpc/plain', NULL, '{"Accept": "text/plain", "Accept-Profile": "other"}') AS r;
-- not from the default schema
SELECT * FROM respond('/birds', 'text/special');
RESET pgrest.schemas;

-- a handler created or dropped is seen at once
DROP AGGREGATE any_rows(anyelement);
SELECT status FROM respond('/birds', 'text/x-rows');
CREATE AGGREGATE any_rows(anyelement) (sfunc = rows_step, stype = "text/x-rows", initcond = '');
SELECT status FROM respond('/birds?id=eq.1', 'text/x-rows');

SET client_min_messages = warning;
DROP SCHEMA other CASCADE;
DROP TABLE nests, birds CASCADE;
DROP DOMAIN "text/plain", "text/html", "text/xml", "image/png", "application/vnd.pgrest.test+json",
    "text/tab-separated-values", "text/x-rows", "*/*", "application/json", "text/csv" CASCADE;
DROP FUNCTION respond(text, text, text, text, text);
RESET client_min_messages;
