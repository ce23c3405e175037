--
-- upsert: POST with Prefer: resolution=merge-duplicates|ignore-duplicates
-- and on_conflict=.
--
CREATE TABLE labels (id int PRIMARY KEY, name text UNIQUE, uses int DEFAULT 0);
INSERT INTO labels VALUES (1, 'red', 5), (2, 'green', 3);
GRANT SELECT, INSERT, UPDATE ON labels TO regress_pgrest_anon;
CREATE FUNCTION label_rows() RETURNS SETOF labels LANGUAGE sql AS 'SELECT * FROM labels ORDER BY id';

-- merge on the primary key: 201 when something new was inserted
SELECT * FROM req('POST', '/labels?order=id', '[{"id": 1, "name": "RED", "uses": 6}, {"id": 3, "name": "blue", "uses": 1}]',
                  '{"Prefer": "resolution=merge-duplicates, return=representation"}');
-- 200 when every row already existed
SELECT * FROM req('POST', '/labels?select=id,uses', '{"id": 2, "name": "green", "uses": 4}',
                  '{"Prefer": "resolution=merge-duplicates, return=representation"}');
-- ignore duplicates: only new rows come back
SELECT * FROM req('POST', '/labels', '[{"id": 2, "name": "GREEN"}, {"id": 4, "name": "cyan"}]',
                  '{"Prefer": "resolution=ignore-duplicates, return=representation"}');
-- on another unique key
SELECT * FROM req('POST', '/labels?on_conflict=name&select=id,name,uses', '{"id": 30, "name": "blue", "uses": 9}',
                  '{"Prefer": "resolution=merge-duplicates, return=representation"}');
-- minimal: no body
SELECT * FROM req('POST', '/labels', '{"id": 5, "name": "pink"}', '{"Prefer": "resolution=merge-duplicates"}');
SELECT * FROM label_rows();
-- no row at all: nothing was inserted, 200
SELECT * FROM req('POST', '/labels', '[]', '{"Prefer": "resolution=merge-duplicates, return=representation"}');
-- a table without a primary key has nothing to conflict on: a plain
-- insert, and the preference is not applied
CREATE TABLE label_log (label text, at int);
GRANT SELECT, INSERT ON label_log TO regress_pgrest_anon;
SELECT * FROM req('POST', '/label_log', '[{"label": "red", "at": 1}, {"label": "red", "at": 1}]',
                  '{"Prefer": "resolution=merge-duplicates, return=representation"}');
SELECT * FROM req('POST', '/label_log', '{"label": "red", "at": 2}',
                  '{"Prefer": "resolution=ignore-duplicates"}');
SELECT count(*) FROM label_log;
DROP TABLE label_log;
-- errors
SELECT * FROM req('POST', '/labels?on_conflict=nope', '{"id": 1}', '{"Prefer": "resolution=merge-duplicates"}');
SELECT * FROM req('POST', '/labels?on_conflict=uses', '{"id": 1, "uses": 1}', '{"Prefer": "resolution=merge-duplicates"}');
-- without resolution a duplicate is a conflict
SELECT * FROM req('POST', '/labels', '{"id": 1, "name": "again"}');
SELECT * FROM label_rows();
