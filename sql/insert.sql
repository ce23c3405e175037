--
-- insert: POST /<table>, one row or many, JSON, CSV or form, and every way
-- a body can be wrong.  Later write tests use the tables created here.
--
CREATE TABLE todos (
    id serial PRIMARY KEY,
    task text NOT NULL CHECK (task <> ''),
    done boolean NOT NULL DEFAULT false,
    due date,
    tags text[],
    meta jsonb,
    slug text UNIQUE
);
CREATE TABLE authors (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE books (
    id int PRIMARY KEY,
    author_id int REFERENCES authors (id),
    title text
);
INSERT INTO authors VALUES (1, 'Le Guin');
GRANT SELECT, INSERT, UPDATE, DELETE ON todos, authors, books TO regress_pgrest_anon;
GRANT USAGE ON SEQUENCE todos_id_seq TO regress_pgrest_anon;
-- a table the anonymous role may insert into but not read
CREATE TABLE inbox (id serial PRIMARY KEY, msg text);
GRANT INSERT ON inbox TO regress_pgrest_anon;
GRANT USAGE ON SEQUENCE inbox_id_seq TO regress_pgrest_anon;

-- status, the headers that matter, and the body
CREATE FUNCTION req(method text, path text, body text DEFAULT NULL, headers jsonb DEFAULT NULL)
RETURNS TABLE (status int, location text, content_range text, applied text, body jsonb)
LANGUAGE sql AS $$
    SELECT r.status, r.headers->>'Location', r.headers->>'Content-Range',
           r.headers->>'Preference-Applied', r.body::jsonb
    FROM pgrest.handle(method, path, NULL, headers, body) AS r
$$;
CREATE FUNCTION todo_rows() RETURNS TABLE (id int, task text, done boolean, due date, tags text[], meta text, slug text)
LANGUAGE sql AS 'SELECT id, task, done, due, tags, left(meta::text, 20), slug FROM todos ORDER BY id';

-- one object: 201, no body by default
SELECT * FROM req('POST', '/todos', '{"task": "write tests"}');
-- return=representation, shaped by select=
SELECT * FROM req('POST', '/todos?select=id,task,done', '{"task": "ship", "done": true}',
                  '{"Prefer": "return=representation"}');
-- return=headers-only: the Location of the new row
SELECT * FROM req('POST', '/todos', '{"task": "a/b c"}', '{"Prefer": "return=headers-only"}');
-- its key columns in the relation's order, whatever the key's; a NULL
-- (a view's INSTEAD OF trigger may return one) as is.null
CREATE TABLE placed (a int, b int, note text, PRIMARY KEY (b, a));
CREATE VIEW placed_view AS SELECT a, b, note FROM placed;
CREATE FUNCTION place() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO placed VALUES (NEW.a, coalesce(NEW.b, 0), NEW.note);
    RETURN NEW;
END $$;
CREATE TRIGGER place INSTEAD OF INSERT ON placed_view FOR EACH ROW EXECUTE FUNCTION place();
GRANT SELECT, INSERT ON placed, placed_view TO regress_pgrest_anon;
SELECT * FROM req('POST', '/placed', '{"a": 1, "b": 2}', '{"Prefer": "return=headers-only"}');
SELECT * FROM req('POST', '/placed_view', '{"a": 3, "note": "x"}', '{"Prefer": "return=headers-only"}');
DROP VIEW placed_view;
DROP TABLE placed;
DROP FUNCTION place;
-- a bulk insert is one statement; order= shapes the representation
SELECT * FROM req('POST', '/todos?select=task,tags,meta&order=task.desc',
                  '[{"task": "x", "tags": ["a","b"], "meta": {"k": 1}}, {"task": "y", "tags": [], "meta": null}]',
                  '{"Prefer": "return=representation, count=exact"}');
-- keys in any order; values converted by PostgreSQL
SELECT * FROM req('POST', '/todos?select=task,due', '{"due": "2026-12-24", "task": "gifts"}',
                  '{"Prefer": "return=representation"}');
-- a single object as the representation
SELECT * FROM req('POST', '/todos?select=id,task', '{"task": "one"}',
                  '{"Prefer": "return=representation", "Accept": "application/vnd.pgrst.object+json"}');
-- no keys: a row of defaults per object; an empty array inserts nothing
SELECT * FROM req('POST', '/inbox', '[{}, {}]', '{"Prefer": "count=exact"}');
SELECT * FROM req('POST', '/authors', '[]', '{"Prefer": "return=representation"}');
-- columns= fixes the columns; missing keys are NULL, or DEFAULT with missing=default
SELECT * FROM req('POST', '/todos?columns=task,done&select=task,done',
                  '[{"task": "c1", "done": true}, {"task": "c2"}, {"task": "c3", "extra": 1}]',
                  '{"Prefer": "return=representation, missing=default"}');
-- CSV: header line, quoting, NULL
SELECT * FROM req('POST', '/todos?select=task,done,due', E'task,done,due\nfrom csv,true,2026-01-02\n"quoted, ""csv""",false,NULL\n',
                  '{"Content-Type": "text/csv", "Prefer": "return=representation"}');
-- form bodies
SELECT * FROM req('POST', '/todos?select=task,done', 'task=from+a+form&done=true',
                  '{"Content-Type": "application/x-www-form-urlencoded", "Prefer": "return=representation"}');
-- a role may write what it cannot read: minimal works, representation does not
SELECT * FROM req('POST', '/inbox', '{"msg": "hi"}');
SELECT * FROM req('POST', '/inbox', '{"msg": "hi"}', '{"Prefer": "return=representation"}');
SELECT count(*) FROM inbox;
SELECT * FROM todo_rows();

-- bad bodies: 4xx, and nothing written
SELECT * FROM req('POST', '/todos', '');
SELECT * FROM req('POST', '/todos', '{"task": ');
SELECT * FROM req('POST', '/todos', '[{"task": "a"}, {"task": "b", "done": true}]');
SELECT * FROM req('POST', '/todos', '[{"task": "a"}, 5]');
SELECT * FROM req('POST', '/todos', '"just a string"', '{"Prefer": "return=representation"}');
SELECT * FROM req('POST', '/todos', '{"task": "a", "nope": 1}');
SELECT * FROM req('POST', '/todos?columns=task,nope', '{"task": "a"}');
SELECT * FROM req('POST', '/todos?columns=', '{"task": "a"}');
SELECT * FROM req('POST', '/todos', '{"task": "a"}', '{"Content-Type": "text/plain"}');
SELECT * FROM req('POST', '/todos', '{"task": "a"}', '{"Content-Type": "application/xml; charset=utf-8"}');
SELECT * FROM req('POST', '/todos', E'task,done\nonly one field\n', '{"Content-Type": "text/csv"}');
SELECT * FROM req('POST', '/todos', E'task\n"unclosed\n', '{"Content-Type": "text/csv"}');
SELECT * FROM req('POST', '/todos', 'task=%C3%28', '{"Content-Type": "application/x-www-form-urlencoded"}');
SELECT status, body->>'code' AS code, body->>'details' AS details
FROM req('POST', '/todos', '{"task": "deep", "meta": ' || repeat('[', 1000) || repeat(']', 1000) || '}');
SELECT status, body->>'code' AS code
FROM req('POST', '/todos', '{"task": "deep", "meta": ' || repeat('[', 100) || repeat(']', 100) || '}');
-- values PostgreSQL refuses, with PostgREST's status for each SQLSTATE
SELECT * FROM req('POST', '/todos', '{"task": "a", "done": "maybe"}');
SELECT * FROM req('POST', '/todos', '{"task": "a", "due": "tomorrow-ish"}');
SELECT * FROM req('POST', '/todos', '{"task": null}');
SELECT * FROM req('POST', '/todos', '{"task": ""}');
SELECT * FROM req('POST', '/todos', '{"task": "s1", "slug": "dup"}');
SELECT * FROM req('POST', '/todos', '{"task": "s2", "slug": "dup"}');
SELECT * FROM req('POST', '/books', '{"id": 1, "author_id": 99}');
-- all or nothing: one bad row and no row is written
SELECT * FROM req('POST', '/todos', '[{"task": "ok 1"}, {"task": "ok 2"}, {"task": null}]');
-- a singular representation of two rows: 406, and rolled back
SELECT * FROM req('POST', '/todos', '[{"task": "two"}, {"task": "rows"}]',
                  '{"Prefer": "return=representation", "Accept": "application/vnd.pgrst.object+json"}');
-- ... and whatever the write returns (none, headers only), or for no row
SELECT * FROM req('POST', '/todos', '[{"task": "two"}, {"task": "rows"}]',
                  '{"Accept": "application/vnd.pgrst.object+json"}');
SELECT * FROM req('POST', '/todos', '[{"task": "two"}, {"task": "rows"}]',
                  '{"Prefer": "return=headers-only", "Accept": "application/vnd.pgrst.object+json"}');
SELECT * FROM req('POST', '/todos', '[]', '{"Accept": "application/vnd.pgrst.object+json"}');
-- POST to a row, to the root
SELECT * FROM req('POST', '/todos/1', '{"task": "a"}');
SELECT * FROM req('POST', '/', '{"task": "a"}');
SELECT * FROM todo_rows();
