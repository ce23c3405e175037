--
-- rpc_args: how a call's arguments come, as PostgREST takes them: a
-- body's first object (or the keys columns= names), a form's pairs (a
-- VARIADIC parameter takes every value), GET's query string only; the
-- methods /rpc refuses; character and bit parameters of any length.  And
-- the shapes of results: records, OUT and TABLE columns (one too),
-- domains over composite types.
--
CREATE FUNCTION call(method text, path text, body text DEFAULT NULL,
                     content_type text DEFAULT 'application/json')
RETURNS TABLE (status int, body jsonb)
LANGUAGE sql AS $$
    SELECT r.status, r.body::jsonb
    FROM pgrest.handle(method, path, NULL, jsonb_build_object('Content-Type', content_type), body) AS r
$$;

CREATE FUNCTION plus(a int, b int) RETURNS int LANGUAGE sql AS 'SELECT a + b';
CREATE FUNCTION joined(VARIADIC parts text[]) RETURNS text LANGUAGE sql AS $$
    SELECT array_to_string(parts, '+')
$$;
CREATE FUNCTION pair(x text, y text) RETURNS json LANGUAGE sql AS 'SELECT json_build_array(x, y)';
CREATE FUNCTION pair(body json) RETURNS text LANGUAGE sql AS $$ SELECT 'named json' $$;
CREATE FUNCTION whole(json) RETURNS json LANGUAGE sql AS 'SELECT $1';
CREATE TABLE codes (c char(4), cs char(4)[], b bit(3), bs bit(3)[]);
GRANT INSERT ON codes TO regress_pgrest_anon;
CREATE FUNCTION add_code(c char, cs char[], b bit, bs bit[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO codes VALUES (c, cs, b, bs)
$$;

-- a body's keys name the arguments; of an array, the first object's
SELECT * FROM call('POST', '/rpc/plus', '{"a": 1, "b": 2}');
SELECT * FROM call('POST', '/rpc/plus', '[{"a": 1, "b": 2}, {"a": 10, "b": 20}]');
-- columns= names them, other keys are ignored
SELECT * FROM call('POST', '/rpc/plus?columns=a,b', '{"a": 1, "b": 2, "c": 3, "d": "x"}');
SELECT * FROM call('POST', '/rpc/plus', '{"a": 1, "b": 2, "c": 3}');
-- a form's pairs: a VARIADIC parameter takes every value, another the last
SELECT * FROM call('POST', '/rpc/joined', 'parts=a', 'application/x-www-form-urlencoded');
SELECT * FROM call('POST', '/rpc/joined', 'parts=a&parts=b%20c&parts=d', 'application/x-www-form-urlencoded');
SELECT * FROM call('POST', '/rpc/pair', 'x=1&y=2&x=3', 'application/x-www-form-urlencoded');
-- a form or CSV body is never a json parameter's; the keys are named
SELECT * FROM call('POST', '/rpc/whole', 'a=1', 'application/x-www-form-urlencoded');
SELECT * FROM call('POST', '/rpc/pair', E'a,b\n1,2', 'text/csv');
SELECT * FROM call('POST', '/rpc/pair', '{"a": 1}');
-- query parameters of a POST are filters, not arguments
SELECT * FROM call('POST', '/rpc/plus?a=1', '{"a": 1, "b": 2}');
-- /rpc takes GET, HEAD and POST only, before looking at a body
SELECT * FROM call('PATCH', '/rpc/plus', '{"a": 1');
SELECT * FROM call('PUT', '/rpc/plus', '');
SELECT * FROM call('DELETE', '/rpc/plus');
-- character and bit parameters take any length: the table decides
SELECT * FROM call('POST', '/rpc/add_code', '{"c": "abcd", "cs": "{ab,abcd}", "b": "101", "bs": "{011,101}"}');
SELECT * FROM call('POST', '/rpc/add_code', '{"c": "abcdefg", "cs": "{}", "b": "1", "bs": "{}"}');
SELECT * FROM call('POST', '/rpc/add_code', '{"c": "a", "cs": "{}", "b": "10101", "bs": "{}"}');
SELECT * FROM codes;

-- records: objects; OUT, INOUT and TABLE parameters, even one: columns
CREATE TABLE gadgets (id int PRIMARY KEY, name text);
INSERT INTO gadgets VALUES (1, 'lamp'), (2, 'fan');
CREATE TABLE parts (id int PRIMARY KEY, gadget_id int REFERENCES gadgets(id), part text);
INSERT INTO parts VALUES (1, 1, 'bulb'), (2, 1, 'shade'), (3, 2, 'blade');
GRANT SELECT ON gadgets, parts TO regress_pgrest_anon;
CREATE FUNCTION one_record() RETURNS record STABLE LANGUAGE sql AS 'SELECT * FROM gadgets ORDER BY id LIMIT 1';
CREATE FUNCTION some_records(n int) RETURNS SETOF record STABLE LANGUAGE sql AS
    'SELECT * FROM gadgets ORDER BY id LIMIT n';
CREATE FUNCTION one_out(x int, OUT doubled int) STABLE LANGUAGE sql AS 'SELECT x * 2';
CREATE FUNCTION one_inout(INOUT x int) STABLE LANGUAGE sql AS 'SELECT x + 1';
CREATE FUNCTION one_column() RETURNS TABLE (id int) STABLE LANGUAGE sql AS
    'SELECT id FROM gadgets ORDER BY id';
CREATE TYPE pair_type AS (x int, y int);
CREATE DOMAIN pair_domain AS pair_type CHECK ((VALUE).x > 0);
CREATE FUNCTION a_pair() RETURNS pair_domain STABLE LANGUAGE sql AS 'SELECT ROW(10, 5)::pair_domain';
CREATE DOMAIN gadget_domain AS gadgets;
CREATE FUNCTION gadget_of(gid int) RETURNS SETOF gadget_domain STABLE LANGUAGE sql AS
    'SELECT g::gadget_domain FROM gadgets g WHERE g.id = gid';
SELECT * FROM call('GET', '/rpc/one_record');
SELECT * FROM call('GET', '/rpc/some_records?n=2');
SELECT * FROM call('POST', '/rpc/some_records', '{"n": 1}');
SELECT * FROM call('GET', '/rpc/one_out?x=4');
SELECT * FROM call('GET', '/rpc/one_inout?x=4');
SELECT * FROM call('GET', '/rpc/one_column');
SELECT * FROM call('GET', '/rpc/one_column?id=gt.1');
SELECT * FROM call('GET', '/rpc/a_pair');
-- a domain over a table's row type reads, and embeds, as the table
SELECT * FROM call('GET', '/rpc/gadget_of?gid=1&select=name,parts(part)&parts.order=id');

DROP FUNCTION one_record(), some_records(int), one_out(int), one_inout(int), one_column(),
    a_pair(), gadget_of(int);
DROP DOMAIN pair_domain, gadget_domain;
DROP TYPE pair_type;
DROP TABLE parts, gadgets;
DROP TABLE codes;
DROP FUNCTION call(text, text, text, text), plus(int, int), joined(text[]), pair(text, text),
    pair(json), whole(json), add_code(char, char[], bit, bit[]);
