--
-- update and delete: PATCH and DELETE with filters, and on /<table>/<key>.
--
CREATE TABLE notes (id int PRIMARY KEY, body text, pinned boolean DEFAULT false, rank int);
INSERT INTO notes VALUES (1, 'a', false, 1), (2, 'b', false, 2), (3, 'c', true, 3), (4, 'd', false, 4);
GRANT SELECT, UPDATE, DELETE ON notes TO regress_pgrest_anon;
CREATE FUNCTION note_rows() RETURNS SETOF notes LANGUAGE sql AS 'SELECT * FROM notes ORDER BY id';

-- PATCH: the same object applied to every matching row
SELECT * FROM req('PATCH', '/notes?rank=lte.2', '{"pinned": true}');
SELECT * FROM req('PATCH', '/notes?id=in.(1,2)&select=id,body&order=id.desc', '{"body": "z"}',
                  '{"Prefer": "return=representation"}');
SELECT * FROM req('PATCH', '/notes?id=eq.3', '{"rank": 30, "body": "C"}',
                  '{"Prefer": "return=representation, count=exact"}');
-- nothing matches: 204, or 200 with []
SELECT * FROM req('PATCH', '/notes?id=eq.99', '{"body": "x"}');
SELECT * FROM req('PATCH', '/notes?id=eq.99', '{"body": "x"}', '{"Prefer": "return=representation"}');
-- an empty object changes nothing; an array applies its first object
SELECT * FROM req('PATCH', '/notes?id=eq.4', '{}', '{"Prefer": "return=representation"}');
-- the same statement text, without the filter's parameter: the two share
-- a kept plan, though one passes a parameter the text does not use
SELECT * FROM req('PATCH', '/notes', '{}', '{"Prefer": "return=representation"}');
SELECT * FROM req('PATCH', '/notes?id=eq.4&select=body', '[{"body": "first"}, {"body": "second"}]',
                  '{"Prefer": "return=representation"}');
-- /<table>/<key>
SELECT * FROM req('PATCH', '/notes/4?select=id,body', '{"body": "by key"}', '{"Prefer": "return=representation"}');
SELECT * FROM req('PATCH', '/notes/99', '{"body": "x"}');
-- an empty object on /<table>/<key>: the row unchanged, 404 if there is none
SELECT * FROM req('PATCH', '/notes/4', '{}');
SELECT * FROM req('PATCH', '/notes/4?select=id,body', '{}', '{"Prefer": "return=representation"}');
SELECT * FROM req('PATCH', '/notes/99', '{}');
SELECT * FROM note_rows();
-- errors, and nothing changed
SELECT * FROM req('PATCH', '/notes?id=eq.1', '{"nope": 1}');
SELECT * FROM req('PATCH', '/notes?id=eq.1', '{"rank": "high"}');
SELECT * FROM req('PATCH', '/notes?id=eq.1&limit=1', '{"rank": 1}');
SELECT * FROM req('PATCH', '/notes?id=eq.1', '{"rank": 1}', '{"Content-Type": "text/html"}');
SELECT * FROM req('PATCH', '/notes?rank=gt.0', '{"rank": 1}',
                  '{"Prefer": "return=representation", "Accept": "application/vnd.pgrst.object+json"}');
-- a singular Accept guards a write whatever it returns: any other number
-- of rows than one is 406, and nothing is written
SELECT * FROM req('PATCH', '/notes?rank=gt.0', '{"rank": 1}',
                  '{"Accept": "application/vnd.pgrst.object+json"}');
SELECT * FROM req('PATCH', '/notes?id=eq.99', '{"rank": 1}',
                  '{"Prefer": "return=minimal", "Accept": "application/vnd.pgrst.object+json"}');
SELECT * FROM req('DELETE', '/notes?rank=gt.0', NULL,
                  '{"Accept": "application/vnd.pgrst.object+json"}');
SELECT * FROM note_rows();
SELECT * FROM req('PATCH', '/notes?id=eq.1', '{"rank": 7}',
                  '{"Accept": "application/vnd.pgrst.object+json"}');
SELECT * FROM req('PATCH', '/notes?id=eq.1', '{"rank": 1}',
                  '{"Accept": "application/vnd.pgrst.object+json"}');

-- DELETE
SELECT * FROM req('DELETE', '/notes?id=eq.1');
SELECT * FROM req('DELETE', '/notes?pinned=is.true&select=id&order=id', NULL,
                  '{"Prefer": "return=representation, count=exact"}');
SELECT * FROM req('DELETE', '/notes?id=eq.99', NULL, '{"Prefer": "return=representation"}');
SELECT * FROM req('DELETE', '/notes/4', NULL, '{"Prefer": "return=representation", "Accept": "application/vnd.pgrst.object+json"}');
SELECT * FROM req('DELETE', '/notes/4');
SELECT * FROM req('DELETE', '/notes?id=gt.0&offset=1');
SELECT * FROM note_rows();
