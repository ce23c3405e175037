--
-- rpc_args: how a call's arguments come, as PostgREST takes them: a
-- body's first object (or the keys columns= names), a form's pairs (a
-- VARIADIC parameter takes every value), GET's query string only; the
-- methods /rpc refuses; character and bit parameters of any length.
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

DROP TABLE codes;
DROP FUNCTION call(text, text, text, text), plus(int, int), joined(text[]), pair(text, text),
    pair(json), whole(json), add_code(char, char[], bit, bit[]);
