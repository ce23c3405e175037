--
-- handle: reads through pgrest.handle(), the whole pipeline in-process.
--
-- a table: every row as a JSON array built by json_agg
SELECT status, headers, body::jsonb
FROM pgrest.handle('GET', '/users');

-- rows come in the relation's order; compare as a set
SELECT jsonb_agg(u ORDER BY u->>'id')
FROM pgrest.handle('GET', '/users') AS r,
     jsonb_array_elements(r.body::jsonb) AS u;

-- an empty table is []
SELECT status, body FROM pgrest.handle('GET', '/empty');

-- views and materialized views
SELECT status, body::jsonb FROM pgrest.handle('GET', '/adults');
SELECT status, body::jsonb FROM pgrest.handle('GET', '/user_count');

-- HEAD: the same status and headers, no body
SELECT status, headers, body IS NULL AS no_body FROM pgrest.handle('HEAD', '/users');

-- percent-encoded names; '+' in a path is not a space
CREATE TABLE "odd name+x" (v text);
INSERT INTO "odd name+x" VALUES ('ok');
GRANT SELECT ON "odd name+x" TO regress_pgrest_anon;
SELECT status, body FROM pgrest.handle('GET', '/odd%20name+x');
DROP TABLE "odd name+x";

-- the root describes what the request's role may use (see openapi.sql)
SELECT status, body::jsonb->>'openapi' AS openapi,
       (SELECT array_agg(k ORDER BY k)
        FROM jsonb_object_keys(body::jsonb->'components'->'schemas') AS k) AS relations
FROM pgrest.handle('GET', '/');

-- the request runs as the anonymous role and sees itself in request.*
SELECT status,
       (body::jsonb->0) - 'pid' AS request
FROM pgrest.handle('GET', '/whoami', 'role=eq.regress_pgrest_anon',
                   '{"X-Custom": "yes", "Accept": "application/json"}');

-- nothing the request set outlives it
SELECT current_user = session_user AS same_role,
       current_setting('request.method', true) AS method,
       current_setting('search_path') AS search_path,
       current_setting('transaction_read_only') AS read_only;

-- inside a transaction: the caller's own work is untouched by a failure
BEGIN;
INSERT INTO empty VALUES (42);
SELECT status FROM pgrest.handle('GET', '/secrets');
SELECT status, body FROM pgrest.handle('GET', '/empty');
ROLLBACK;

-- a schema other than public: only pgrest.schemas are exposed
CREATE SCHEMA api;
CREATE TABLE api.items (id int);
INSERT INTO api.items VALUES (7);
GRANT USAGE ON SCHEMA api TO regress_pgrest_anon;
GRANT SELECT ON api.items TO regress_pgrest_anon;
SELECT status FROM pgrest.handle('GET', '/items');
SET pgrest.schemas = 'api, public';
SELECT status, body FROM pgrest.handle('GET', '/items');
CREATE VIEW api.path AS SELECT current_setting('search_path') AS search_path;
GRANT SELECT ON api.path TO regress_pgrest_anon;
SELECT status, body FROM pgrest.handle('GET', '/path');
RESET pgrest.schemas;
DROP SCHEMA api CASCADE;

-- DDL is seen by the next request
CREATE TABLE later (x int);
GRANT SELECT ON later TO regress_pgrest_anon;
SELECT status, body FROM pgrest.handle('GET', '/later');
ALTER TABLE later ADD COLUMN y text;
INSERT INTO later VALUES (1, 'one');
SELECT status, body FROM pgrest.handle('GET', '/later');
DROP TABLE later;
SELECT status FROM pgrest.handle('GET', '/later');

-- bad calls of the function itself
SELECT * FROM pgrest.handle(NULL, '/users');
SELECT * FROM pgrest.handle('GET', '/users', NULL, '["not", "an object"]');
SELECT * FROM pgrest.handle('GET', '/users', NULL, '{"X-Number": 1}');
