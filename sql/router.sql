--
-- router: what a request is, from its method and path alone; reserved
-- names and how relations of those names stay reachable.
--
CREATE TABLE sql (id int);
INSERT INTO sql VALUES (1);
CREATE TABLE rpc (id int PRIMARY KEY);
INSERT INTO rpc VALUES (2);
CREATE TABLE metrics (id int);
INSERT INTO metrics VALUES (3);
GRANT SELECT, INSERT ON sql, rpc, metrics TO regress_pgrest_anon;
CREATE FUNCTION routed() RETURNS text LANGUAGE sql STABLE AS $$ SELECT 'function' $$;

-- /sql is the table while pgrest.sql_endpoint is off, whatever the method
SELECT status, body FROM pgrest.handle('GET', '/sql');
SELECT status FROM pgrest.handle('POST', '/sql', NULL,
                                 '{"Content-Type": "application/json"}', '{"id": 4}');
-- with the endpoint on, POST /sql is the endpoint; GET /sql stays the table
SET pgrest.sql_endpoint = on;
SELECT status, body FROM pgrest.handle('POST', '/sql', NULL,
                                       '{"Content-Type": "application/json"}',
                                       '{"query": "SELECT 1 AS one"}');
SELECT status, body FROM pgrest.handle('POST', '/%73ql', NULL,
                                       '{"Content-Type": "application/json"}',
                                       '{"query": "SELECT 2 AS two"}');
SELECT status, body FROM pgrest.handle('GET', '/sql?order=id');
RESET pgrest.sql_endpoint;

-- /rpc is the table; /rpc/<name> calls a function, encoded or not
SELECT status, body FROM pgrest.handle('GET', '/rpc');
SELECT status, body FROM pgrest.handle('GET', '/rpc/routed');
SELECT status, body FROM pgrest.handle('GET', '/%72pc/routed');
-- /metrics (and /live, /ready) are relations on the API port
SELECT status, body FROM pgrest.handle('GET', '/metrics');
SELECT status, body::jsonb->>'code' AS code FROM pgrest.handle('GET', '/live');

-- an encoded "/" stays inside its name
SELECT status, body::jsonb->>'message' AS message FROM pgrest.handle('GET', '/a%2Fb');

-- paths that name nothing: 404, whatever the method
SELECT method, path, status, body::jsonb->>'code' AS code
FROM (VALUES ('GET', '//'), ('GET', '/rpc/'), ('GET', '/users/1/2'),
             ('OPTIONS', '/users/'), ('GET', 'users')) AS p(method, path),
     LATERAL pgrest.handle(method, path) AS r;

-- OPTIONS is answered from the path alone: no transaction, no role
SELECT path, status, headers->>'Allow' AS allow
FROM (VALUES ('/'), ('/users'), ('/users/1'), ('/rpc/routed'),
             ('/no_such_table')) AS p(path),
     LATERAL pgrest.handle('OPTIONS', path) AS r;
-- (even while the role cannot be used)
SET pgrest.anon_role = 'regress_no_such_role';
SELECT status FROM pgrest.handle('OPTIONS', '/users');
SELECT status FROM pgrest.handle('GET', '/users');
RESET pgrest.anon_role;

DROP TABLE sql, rpc, metrics;
DROP FUNCTION routed();
