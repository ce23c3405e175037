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

-- OPTIONS: the methods the path takes, from the schema cache; no
-- statement runs, so no role is switched to; what does not exist is 404
SELECT path, status, headers->>'Allow' AS allow, body::jsonb->>'code' AS code
FROM (VALUES ('/'), ('/users'), ('/users/1'), ('/rpc/routed'),
             ('/no_such_table'), ('/rpc/no_such_function')) AS p(path),
     LATERAL pgrest.handle('OPTIONS', path) AS r;
-- (even while the role cannot be used)
SET pgrest.anon_role = 'regress_no_such_role';
SELECT status FROM pgrest.handle('OPTIONS', '/users');
SELECT status FROM pgrest.handle('GET', '/users');
RESET pgrest.anon_role;

-- Allow follows what PostgreSQL would run on the relation: a view takes
-- the writes its automatic updatability, rules or INSTEAD OF triggers
-- allow; PUT needs a primary key (a view's comes from its table); a
-- function takes GET and HEAD unless it is VOLATILE
CREATE TABLE opt_base (id int PRIMARY KEY, name text);
CREATE TABLE opt_parts (id int, part int) PARTITION BY LIST (part);
CREATE VIEW opt_auto AS SELECT id, name FROM opt_base;
CREATE VIEW opt_auto_nokey AS SELECT name FROM opt_base;
CREATE VIEW opt_readonly AS SELECT DISTINCT name FROM opt_base;
CREATE MATERIALIZED VIEW opt_mat AS SELECT id FROM opt_base;
CREATE VIEW opt_ins AS SELECT DISTINCT id, name FROM opt_base;
CREATE VIEW opt_upd AS SELECT DISTINCT id, name FROM opt_base;
CREATE VIEW opt_del AS SELECT DISTINCT id, name FROM opt_base;
CREATE VIEW opt_ruled AS SELECT DISTINCT id, name FROM opt_base;
CREATE FUNCTION opt_instead() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RETURN NULL;
END $$;
CREATE TRIGGER ins INSTEAD OF INSERT ON opt_ins FOR EACH ROW EXECUTE FUNCTION opt_instead();
CREATE TRIGGER upd INSTEAD OF UPDATE ON opt_upd FOR EACH ROW EXECUTE FUNCTION opt_instead();
CREATE TRIGGER del INSTEAD OF DELETE ON opt_del FOR EACH ROW EXECUTE FUNCTION opt_instead();
CREATE RULE ruled_ins AS ON INSERT TO opt_ruled DO INSTEAD NOTHING;
CREATE FUNCTION opt_stable() RETURNS int LANGUAGE sql STABLE AS 'SELECT 1';
CREATE FUNCTION opt_plain() RETURNS int LANGUAGE sql AS 'SELECT 1';
SELECT path, status, headers->>'Allow' AS allow
FROM (VALUES ('/opt_base'), ('/opt_base/1'), ('/opt_parts'), ('/opt_auto'),
             ('/opt_auto_nokey'), ('/opt_readonly'), ('/opt_mat'), ('/opt_ins'),
             ('/opt_upd'), ('/opt_del'), ('/opt_ruled'), ('/rpc/opt_stable'),
             ('/rpc/opt_plain')) AS p(path),
     LATERAL pgrest.handle('OPTIONS', path) AS r;
-- a trigger created later is seen by the next request
CREATE TRIGGER upd INSTEAD OF UPDATE ON opt_ins FOR EACH ROW EXECUTE FUNCTION opt_instead();
SELECT status, headers->>'Allow' AS allow FROM pgrest.handle('OPTIONS', '/opt_ins');
-- OPTIONS takes Accept-Profile, as GET does
SELECT status, body::jsonb->>'code' AS code
FROM pgrest.handle('OPTIONS', '/opt_base', NULL, '{"Accept-Profile": "nope"}');
DROP TABLE opt_base, opt_parts CASCADE;
DROP FUNCTION opt_instead, opt_stable, opt_plain;

DROP TABLE sql, rpc, metrics;
DROP FUNCTION routed();
