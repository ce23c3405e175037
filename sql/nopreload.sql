--
-- nopreload: pgrest installed in a server that does not preload it, but
-- whose postgresql.conf sets pgrest.database, pgrest.role and pgrest.port
-- (nopreload.conf) as for the workers.  CREATE EXTENSION says once that
-- HTTP needs shared_preload_libraries, no session warns about the
-- settings, nothing crashes, and pgrest.handle() works in-process.
--
CREATE EXTENSION pgrest;
SELECT pgrest._preloaded();
SELECT pgrest.wait_ready(0);
-- the process-model settings hold what postgresql.conf says, and do nothing
SHOW pgrest.port;
SHOW pgrest.database;
SELECT context FROM pg_settings WHERE name = 'pgrest.port';
SHOW pgrest.schemas;
CREATE ROLE regress_pgrest_nopreload_anon NOLOGIN;
CREATE TABLE items (id int);
INSERT INTO items VALUES (1), (2);
GRANT SELECT ON items TO regress_pgrest_nopreload_anon;
SET pgrest.anon_role = 'regress_pgrest_nopreload_anon';
SELECT status, body FROM pgrest.handle('GET', '/items');
SELECT status, body::jsonb->>'code' AS code FROM pgrest.handle('GET', '/nope');
-- a new session loads the library without a word
\c
SET pgrest.anon_role = 'regress_pgrest_nopreload_anon';
SELECT status, body FROM pgrest.handle('GET', '/items');
DROP EXTENSION pgrest;
DROP TABLE items;
DROP ROLE regress_pgrest_nopreload_anon;
