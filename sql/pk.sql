--
-- pk: /<table>/<primary key>, the tutorials' style of route.
--
SELECT r.status, r.headers->>'Content-Type' AS content_type, r.body::jsonb
FROM pgrest.handle('GET', '/films/2?select=id,title') AS r;
SELECT * FROM get('/films/5?select=title,year');
SELECT * FROM get('/films/99');
SELECT * FROM get('/films/abc');
SELECT * FROM get('/films/1?year=eq.1900');
SELECT status, body IS NULL AS no_body FROM pgrest.handle('HEAD', '/films/1');
-- keys are percent-decoded values, never SQL
CREATE TABLE tags (name text PRIMARY KEY, uses int);
INSERT INTO tags VALUES ('sci-fi', 3), ('a/b', 1), ('x''); DROP TABLE tags; --', 0);
GRANT SELECT ON tags TO regress_pgrest_anon;
SELECT * FROM get('/tags/sci-fi');
SELECT * FROM get('/tags/a%2Fb');
SELECT * FROM get('/tags/x%27)%3B%20DROP%20TABLE%20tags%3B%20--');
SELECT count(*) FROM tags;
-- only single-column primary keys
CREATE TABLE pairs (a int, b int, PRIMARY KEY (a, b));
GRANT SELECT ON pairs TO regress_pgrest_anon;
SELECT * FROM get('/pairs/1');
SELECT * FROM get('/flags/1');
SELECT * FROM get('/nope/1');
SELECT status, body::jsonb->>'code' AS code FROM pgrest.handle('DELETE', '/films/1');
