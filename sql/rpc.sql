--
-- rpc: GET|HEAD|POST /rpc/<function>, chosen by its arguments' names; its
-- result takes the read grammar.
--
CREATE FUNCTION add_them(a int, b int) RETURNS int
    LANGUAGE sql IMMUTABLE AS 'SELECT a + b';
CREATE FUNCTION greet(name text, greeting text DEFAULT 'Hello') RETURNS text
    LANGUAGE sql STABLE AS $$ SELECT greeting || ', ' || name || '!' $$;
CREATE FUNCTION films_since(y int) RETURNS SETOF films
    LANGUAGE sql STABLE AS 'SELECT * FROM films WHERE year >= y';
CREATE FUNCTION film(fid int) RETURNS films
    LANGUAGE sql STABLE AS 'SELECT * FROM films WHERE id = fid';
CREATE FUNCTION squares(n int) RETURNS TABLE (i int, sq int)
    LANGUAGE sql IMMUTABLE AS 'SELECT g, g * g FROM generate_series(1, n) AS g';
CREATE FUNCTION years() RETURNS SETOF int
    LANGUAGE sql STABLE AS 'SELECT year FROM films WHERE year IS NOT NULL ORDER BY year';
CREATE FUNCTION total(VARIADIC nums int[]) RETURNS int
    LANGUAGE sql IMMUTABLE AS 'SELECT sum(x)::int FROM unnest(nums) AS x';
CREATE FUNCTION echo(json) RETURNS json LANGUAGE sql IMMUTABLE AS 'SELECT $1';
CREATE FUNCTION tags_of(tags text[]) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT cardinality(tags)';
CREATE FUNCTION overloaded(a int) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'one' $$;
CREATE FUNCTION overloaded(a int, b int) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'two' $$;
CREATE FUNCTION ambiguous(a int) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'int' $$;
CREATE FUNCTION ambiguous(a text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'text' $$;
CREATE TABLE rpc_log (msg text);
GRANT SELECT, INSERT ON rpc_log TO regress_pgrest_anon;
CREATE FUNCTION log_it(msg text) RETURNS void LANGUAGE sql AS 'INSERT INTO rpc_log VALUES (msg)';
CREATE FUNCTION count_log() RETURNS bigint LANGUAGE sql STABLE AS 'SELECT count(*) FROM rpc_log';
CREATE FUNCTION count_log_plain() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM rpc_log';
CREATE SEQUENCE rpc_calls;
GRANT USAGE ON SEQUENCE rpc_calls TO regress_pgrest_anon;
CREATE FUNCTION next_call() RETURNS bigint LANGUAGE sql AS $$ SELECT nextval('rpc_calls') $$;
CREATE FUNCTION sneaky_write() RETURNS int LANGUAGE sql STABLE
    AS $$ INSERT INTO rpc_log VALUES ('sneaky') RETURNING 1 $$;
CREATE FUNCTION fail(code text) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
    IF code = 'P0001' THEN
        RAISE EXCEPTION 'nope' USING DETAIL = 'not today', HINT = 'try tomorrow';
    END IF;
    RAISE SQLSTATE 'PT402' USING MESSAGE = 'payment required';
END $$;
CREATE FUNCTION whoami_fn() RETURNS text LANGUAGE sql STABLE AS 'SELECT current_user';
CREATE FUNCTION private_fn() RETURNS int LANGUAGE sql AS 'SELECT 1';
REVOKE EXECUTE ON FUNCTION private_fn() FROM PUBLIC;

-- scalars come back bare, from GET or POST
SELECT * FROM get('/rpc/add_them?a=1&b=2');
SELECT * FROM req('POST', '/rpc/add_them', '{"a": 3, "b": 4}');
SELECT * FROM req('POST', '/rpc/greet', '{"name": "Ada"}');
SELECT * FROM get('/rpc/greet?name=Ada&greeting=Hi');
SELECT * FROM req('POST', '/rpc/whoami_fn', '');
-- a composite is an object
SELECT * FROM get('/rpc/film?fid=5&select=id,title');
-- sets take the read grammar: select, filters on result columns, order, range, counts
SELECT * FROM get('/rpc/films_since?y=1985&select=title&order=year.desc');
SELECT * FROM get('/rpc/films_since?y=1985&select=id&rating=gt.8.1&order=id');
SELECT * FROM req('GET', '/rpc/squares?n=6&sq=gt.4&order=i.desc&limit=2', NULL, '{"Prefer": "count=exact"}');
SELECT * FROM get('/rpc/squares?n=3&or=(i.eq.1,sq.eq.9)');
SELECT * FROM get('/rpc/years?limit=3');
SELECT r.status, r.body FROM pgrest.handle('GET', '/rpc/films_since?y=2000&select=title', NULL, '{"Accept": "text/csv"}') AS r;
SELECT * FROM get('/rpc/films_since?y=2021&select=title', '{"Accept": "application/vnd.pgrst.object+json"}');
SELECT * FROM get('/rpc/films_since?y=2000&select=title', '{"Accept": "application/vnd.pgrst.object+json"}');
SELECT r.status, r.headers, r.body FROM pgrest.handle('HEAD', '/rpc/squares?n=4', NULL, '{"Prefer": "count=exact"}') AS r;
-- variadic arguments, arrays, a whole body as one json argument
SELECT * FROM get('/rpc/total?nums=1&nums=2&nums=3');
SELECT * FROM req('POST', '/rpc/total', '{"nums": [4, 5]}');
SELECT * FROM get('/rpc/tags_of?tags={a,b,c}');
SELECT * FROM req('POST', '/rpc/tags_of', '{"tags": ["a", "b"]}');
SELECT * FROM req('POST', '/rpc/echo', '[1, {"a": [true, null]}]');
SELECT * FROM req('POST', '/rpc/echo', '"just a string"');
-- overloads are told apart by their argument names
SELECT * FROM get('/rpc/overloaded?a=1');
SELECT * FROM get('/rpc/overloaded?a=1&b=2');
-- void: 204, and a VOLATILE function's writes stay
SELECT * FROM req('POST', '/rpc/log_it', '{"msg": "hello"}');
SELECT * FROM get('/rpc/count_log');
-- GET and HEAD run any function, READ ONLY: a VOLATILE one (the default)
-- that only reads answers; one that writes is 405 25006, and leaves nothing;
-- a mislabelled one fails to write
SELECT * FROM get('/rpc/count_log_plain');
SELECT status, headers->>'Content-Range' AS range, body
FROM pgrest.handle('HEAD', '/rpc/count_log_plain');
SELECT * FROM get('/rpc/log_it?msg=x');
SELECT * FROM get('/rpc/next_call');
SELECT * FROM req('POST', '/rpc/next_call', '{}');
SELECT * FROM get('/rpc/sneaky_write');
SELECT * FROM req('POST', '/rpc/sneaky_write', '{}');
SELECT * FROM get('/rpc/count_log');
-- errors
SELECT * FROM get('/rpc/nope');
SELECT * FROM get('/rpc/add_them?a=1');
SELECT * FROM get('/rpc/add_them?a=1&b=2&c=3');
SELECT * FROM get('/rpc/add_them?a=one&b=2');
SELECT * FROM req('POST', '/rpc/add_them', '{"a": "one", "b": 2}');
SELECT * FROM req('POST', '/rpc/add_them', '[{"a": 1, "b": 2}]');
SELECT * FROM req('POST', '/rpc/add_them', '{"a": 1');
SELECT * FROM get('/rpc/ambiguous?a=1');
SELECT * FROM req('POST', '/rpc/fail', '{"code": "P0001"}');
SELECT * FROM req('POST', '/rpc/fail', '{"code": "other"}');
SELECT * FROM req('POST', '/rpc/private_fn', '{}');
SELECT * FROM req('PUT', '/rpc/add_them', '{"a": 1, "b": 2}');
SELECT * FROM req('DELETE', '/rpc/add_them');
SELECT * FROM req('POST', '/rpc/add_them', '{"a": 1, "b": 2}', '{"Prefer": "handling=strict, max-affected=1"}');
SELECT * FROM req('POST', '/rpc/squares', '{"n": 3}', '{"Prefer": "handling=strict, max-affected=2"}');
-- functions follow DDL
CREATE FUNCTION later_fn() RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 42';
SELECT * FROM get('/rpc/later_fn');
CREATE OR REPLACE FUNCTION later_fn(x int DEFAULT 1) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 42 + x';
SELECT * FROM get('/rpc/later_fn');
DROP FUNCTION later_fn();
SELECT * FROM get('/rpc/later_fn?x=2');

-- unnamed parameters, as PostgREST loads and calls them: one unnamed
-- bytea, json, jsonb, text or xml parameter takes the whole body (its
-- Content-Type says which); with names beside it, an unnamed one is "";
-- a function whose several parameters have no names is not callable
CREATE FUNCTION shout(text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT upper($1)';
CREATE FUNCTION byte_count(bytea) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT length($1)';
CREATE FUNCTION xml_root(xml) RETURNS text LANGUAGE sql IMMUTABLE
    AS 'SELECT (xpath(''name(/*)'', $1))[1]::text';
CREATE FUNCTION two_unnamed(int, int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1 + $2';
SELECT status, body FROM pgrest.handle('POST', '/rpc/shout', NULL,
    '{"Content-Type": "text/plain"}', 'hello, world');
SELECT status, body FROM pgrest.handle('POST', '/rpc/byte_count', NULL,
    '{"Content-Type": "application/octet-stream"}', E'\\x00\\x01 bytes');
SELECT status, body FROM pgrest.handle('POST', '/rpc/xml_root', NULL,
    '{"Content-Type": "text/xml"}', '<catalog><book/></catalog>');
-- JSON to a single unnamed text parameter: the whole body, as PostgREST
SELECT * FROM req('POST', '/rpc/shout', '{"": "x"}');
-- a Content-Type no such function takes: PostgREST's wording, no hint
SELECT status, body::jsonb FROM pgrest.handle('POST', '/rpc/add_them', NULL,
    '{"Content-Type": "text/plain"}', '1');
SELECT status, body::jsonb FROM pgrest.handle('POST', '/rpc/shout', NULL,
    '{"Content-Type": "text/xml"}', '<a/>');
SELECT * FROM req('POST', '/rpc/two_unnamed', '{"": 1}');
-- overloads: PGRST203 lists them fewest parameters first
CREATE FUNCTION pick(a int, b int DEFAULT 0) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT a + b';
CREATE FUNCTION pick(a int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT a';
SELECT * FROM get('/rpc/pick?a=1');
-- PGRST202's hint: a close function name, or a close list of parameters
SELECT * FROM get('/rpc/shoutt');
SELECT * FROM get('/rpc/add_them?a=1&bb=2');
DROP FUNCTION shout, byte_count, xml_root, two_unnamed, pick(int, int), pick(int);

-- response.status and response.headers, set by the request's SQL (a
-- function, a trigger): the status replaces pgrest's, each header
-- replaces pgrest's of its name; a bad value is a 500 that rolls back
CREATE FUNCTION respond_with(status text, headers text) RETURNS int
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('response.status', status, true);
    PERFORM set_config('response.headers', headers, true);
    RETURN 1;
END $$;
SELECT status, headers, body FROM pgrest.handle('POST', '/rpc/respond_with', NULL, NULL,
    '{"status": "202", "headers": "[{\"Cache-Control\": \"no-store\"}, {\"content-type\": \"text/plain\"}]"}');
-- empty is unset, as PostgREST reads them
SELECT status, headers, body FROM pgrest.handle('POST', '/rpc/respond_with', NULL, NULL,
    '{"status": "", "headers": ""}');
SELECT status_, headers_, status, body::jsonb->>'code' AS code, body::jsonb->>'message' AS message
FROM (VALUES ('99', ''), ('600', ''), ('abc', ''), ('201 Created', ''),
             ('', '{"a": "b"}'), ('', '[{"a": "b", "c": "d"}]'), ('', '[{"a": 1}]'),
             ('', '[{"a b": "c"}]'), ('', '[{"a": "b\nc"}]'), ('', '[{"Content-Length": "1"}]'),
             ('', '[1]'), ('', 'nope')) AS t(status_, headers_),
     pgrest.handle('POST', '/rpc/respond_with', NULL, NULL,
                   jsonb_build_object('status', status_, 'headers', headers_)::text)
ORDER BY status_, headers_;
-- a trigger sets them for a write; an error in them undoes the write
CREATE TABLE accepted (id int PRIMARY KEY);
GRANT SELECT, INSERT ON accepted TO regress_pgrest_anon;
CREATE FUNCTION accepted_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('response.status', CASE WHEN NEW.id < 0 THEN 'bad' ELSE '202' END, true);
    PERFORM set_config('response.headers', format('[{"Location": "/queue/%s"}]', NEW.id), true);
    RETURN NEW;
END $$;
CREATE TRIGGER accepted_status BEFORE INSERT ON accepted
    FOR EACH ROW EXECUTE FUNCTION accepted_status();
SELECT status, headers, body FROM pgrest.handle('POST', '/accepted', NULL, NULL, '{"id": 7}');
SELECT status, body::jsonb->>'code' AS code FROM pgrest.handle('POST', '/accepted', NULL, NULL, '{"id": -1}');
SELECT id FROM accepted ORDER BY id;
DROP TABLE accepted;
DROP FUNCTION accepted_status, respond_with;
