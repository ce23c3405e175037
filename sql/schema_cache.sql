--
-- schema_cache: DDL is seen by the next request, with no reload.
--
CREATE TABLE studio (id int PRIMARY KEY, name text);
GRANT SELECT ON studio TO regress_pgrest_anon;
SELECT * FROM get('/studio');
INSERT INTO studio VALUES (1, 'Ghibli');
SELECT * FROM get('/studio/1');
ALTER TABLE studio ADD COLUMN founded int;
UPDATE studio SET founded = 1985;
SELECT * FROM get('/studio');
ALTER TABLE studio RENAME COLUMN name TO title;
SELECT * FROM get('/studio?select=title');
ALTER TABLE studio RENAME TO studios;
SELECT * FROM get('/studio');
SELECT * FROM get('/studios/1');
-- the primary key changes too
ALTER TABLE studios DROP CONSTRAINT studio_pkey;
SELECT * FROM get('/studios/1');
ALTER TABLE studios ADD PRIMARY KEY (title);
SELECT * FROM get('/studios/Ghibli');
-- a column's type changes what a filter does (full-text search)
CREATE TABLE notes (id int, body text);
INSERT INTO notes VALUES (1, 'deadly creatures');
GRANT SELECT ON notes TO regress_pgrest_anon;
SELECT * FROM get('/notes?body=fts.creature');
ALTER TABLE notes ALTER COLUMN body TYPE tsvector USING to_tsvector('english', body);
SELECT * FROM get('/notes?body=fts.creature');
DROP TABLE studios, notes;
SELECT * FROM get('/studios');
-- pgrest.reload() is there for what sends no invalidation
SELECT pgrest.reload();
SELECT status FROM get('/films?id=eq.1');
-- DDL in the transaction that read the cache, before and after it commits
BEGIN;
CREATE TABLE txn (id int);
GRANT SELECT ON txn TO regress_pgrest_anon;
SELECT status FROM get('/txn');
ALTER TABLE txn ADD COLUMN note text;
SELECT status, body FROM get('/txn?select=note');
COMMIT;
BEGIN;
SELECT status, body FROM get('/txn?select=note');
ALTER TABLE txn ADD COLUMN extra int;
COMMIT;
SELECT status, body FROM get('/txn?select=extra');
DROP TABLE txn;
