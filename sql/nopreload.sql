--
-- nopreload: pgrest installed in a server that does not preload it.  The
-- extension says HTTP needs shared_preload_libraries, nothing crashes, and
-- pgrest.handle() works in-process.
--
CREATE EXTENSION pgrest;
SELECT pgrest._preloaded();
SELECT pgrest.wait_ready(0);
-- the process-model settings exist only when preloaded
SHOW pgrest.port;
SHOW pgrest.schemas;
CREATE ROLE regress_pgrest_nopreload_anon NOLOGIN;
CREATE TABLE items (id int);
INSERT INTO items VALUES (1), (2);
GRANT SELECT ON items TO regress_pgrest_nopreload_anon;
SET pgrest.anon_role = 'regress_pgrest_nopreload_anon';
SELECT status, body FROM pgrest.handle('GET', '/items');
SELECT status, body::jsonb->>'code' AS code FROM pgrest.handle('GET', '/nope');
DROP EXTENSION pgrest;
DROP TABLE items;
DROP ROLE regress_pgrest_nopreload_anon;
