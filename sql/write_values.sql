--
-- write_values: a POST or PATCH of one JSON object binds each column's
-- value as a parameter of its own; the same object in an array is still
-- read by json_to_recordset.  Every case here sends both and checks that
-- they answer the same (status, headers and body, byte for byte): each
-- kind of JSON value into each kind of column, and every error.
--
CREATE TYPE wv_mood AS ENUM ('sad', 'ok');
CREATE DOMAIN wv_positive AS int CHECK (VALUE > 0);
CREATE TABLE wv (
    id serial PRIMARY KEY,
    t text, v varchar(3), c char(3), n numeric(6, 2), i int, f float8, b boolean,
    d date, ts timestamp(0), tm time(1), iv interval minute, j json, jb jsonb, ta text[], ia int[], va varchar(2)[],
    m wv_mood, r int4range, nn text NOT NULL DEFAULT 'x', bits bit(3), ch "char",
    nm name, dp wv_positive, p point
);
GRANT SELECT, INSERT, UPDATE ON wv TO regress_pgrest_anon;
GRANT USAGE ON SEQUENCE wv_id_seq TO regress_pgrest_anon;
INSERT INTO wv DEFAULT VALUES;

-- the answer to the object alone, and whether the object in an array
-- (json_to_recordset) gets the same answer
CREATE FUNCTION wv_both(method text, path text, object text)
RETURNS TABLE (status int, body text, same boolean)
LANGUAGE plpgsql AS $$
DECLARE
    old record;
    new record;
BEGIN
    SELECT * INTO old FROM pgrest.handle(method, path, NULL,
        '{"Prefer": "return=representation"}', '[' || object || ']');
    SELECT * INTO new FROM pgrest.handle(method, path, NULL,
        '{"Prefer": "return=representation"}', object);
    -- the two rows differ in their id, which a failing row's details show
    RETURN QUERY SELECT new.status, new.body,
        (new.status, new.headers::text,
         regexp_replace(new.body, 'Failing row contains \(\d+', 'Failing row contains (id')) IS NOT DISTINCT FROM
        (old.status, old.headers::text,
         regexp_replace(old.body, 'Failing row contains \(\d+', 'Failing row contains (id'));
END $$;
CREATE FUNCTION wv_cases(method text, path_of text, cases text[])
RETURNS TABLE (object text, status int, body text, same boolean)
LANGUAGE sql AS $$
    SELECT c, r.status, r.body, r.same
    FROM unnest(cases) WITH ORDINALITY AS u(c, n),
         LATERAL wv_both(method, format(path_of, (SELECT string_agg(k, ',') FROM json_object_keys(c::json) AS k)), c) AS r
    ORDER BY n
$$;

-- the statement: no json_to_recordset for the object alone
SET pgrest.plan_enabled = on;
SELECT body LIKE '%json_to_recordset%' AS reads_json
FROM pgrest.handle('POST', '/wv', NULL, '{"Accept": "application/vnd.pgrst.plan"}', '{"t": "a", "n": 1}');
SELECT body LIKE '%json_to_recordset%' AS reads_json
FROM pgrest.handle('POST', '/wv', NULL, '{"Accept": "application/vnd.pgrst.plan"}', '[{"t": "a", "n": 1}]');
SELECT body LIKE '%json_to_recordset%' AS reads_json
FROM pgrest.handle('PATCH', '/wv?id=eq.1', NULL, '{"Accept": "application/vnd.pgrst.plan"}', '{"n": 1}');
RESET pgrest.plan_enabled;

-- every kind of value into every kind of column, inserted
SELECT * FROM wv_cases('POST', '/wv?select=%s', ARRAY[
    '{"t": "a"}', '{"t": "\u00e9\n\"q\" \\ "}', '{"t": 5}', '{"t": 1.50}', '{"t": -0}',
    '{"t": true}', '{"t": null}', '{"t": {"a": [1, 2]}}', '{"t": [1, "2"]}', '{"t": ""}',
    '{"v": "abc"}', '{"v": "abcd"}', '{"v": "abc   "}', '{"v": 1234}',
    '{"c": "ab"}', '{"c": "abcd"}', '{"c": "a  "}',
    '{"n": 1.005}', '{"n": "1.005"}', '{"n": 1e3}', '{"n": 1E-2}', '{"n": 12345.678}',
    '{"n": "abc"}', '{"n": "NaN"}', '{"n": true}', '{"n": " 7 "}', '{"n": [1]}',
    '{"i": 5}', '{"i": 5.5}', '{"i": "5"}', '{"i": "x"}', '{"i": 2147483648}', '{"i": false}',
    '{"f": 1.5}', '{"f": "Infinity"}', '{"f": 1e400}', '{"f": 0.1}',
    '{"b": true}', '{"b": false}', '{"b": "yes"}', '{"b": 1}', '{"b": "maybe"}',
    '{"d": "2026-01-02"}', '{"d": "not a date"}', '{"d": 20260102}',
    '{"ts": "2026-01-02 03:04:05.678"}', '{"ts": "soon"}', '{"tm": "03:04:05.67"}',
    '{"iv": "1 day 2 hours 3 minutes 4 seconds"}', '{"iv": 90}',
    '{"j": {"a": [1, 2]}}', '{"j": "s\"q\u00e9"}', '{"j": 1.50}', '{"j": true}', '{"j": null}',
    '{"j": [1, "2"]}', '{"j": ""}',
    '{"jb": {"a": [1, 2]}}', '{"jb": "s\"q\u00e9"}', '{"jb": 1.50}', '{"jb": false}', '{"jb": null}',
    '{"ta": ["a", "b"]}', '{"ta": []}', '{"ta": [null, "NULL", "x,y", "{}", "\\", "\"", " s "]}',
    '{"ta": [1, true, 2.50]}', '{"ta": ["a", ["b"]]}', '{"ta": [["a"], ["b"]]}', '{"ta": [{"a": 1}]}',
    '{"ta": "{a,b}"}', '{"ta": "not an array"}', '{"ta": 5}', '{"ta": {"a": 1}}', '{"ta": null}',
    '{"ia": [1, 2]}', '{"ia": ["1"]}', '{"ia": [1.5]}', '{"ia": ["x"]}', '{"ia": [null]}',
    '{"va": ["ab"]}', '{"va": ["ab", "abc"]}',
    '{"m": "ok"}', '{"m": "bad"}', '{"m": 1}',
    '{"r": "[1,5)"}', '{"r": "nope"}',
    '{"nn": null}', '{"nn": "set"}',
    '{"bits": "101"}', '{"bits": "10"}', '{"bits": "1012"}',
    '{"ch": "ab"}', '{"nm": "a name"}', '{"dp": 5}', '{"dp": -1}', '{"dp": null}',
    '{"p": "(1,2)"}', '{"p": [1, 2]}',
    '{"t": "first", "t": "last"}',
    '{"t": "a", "n": "x", "i": "y"}', '{"i": "y", "n": "x"}', '{"n": 2, "t": "b"}',
    '{"nope": 1}'
]);
-- columns= names the columns: other keys are ignored
SELECT * FROM wv_both('POST', '/wv?columns=t&select=t,n', '{"t": "a", "n": "x"}');
SELECT * FROM wv_both('POST', '/wv?columns=n,t&select=t,n', '{"t": "a", "n": 2}');
SELECT * FROM wv_both('PATCH', '/wv?id=eq.1&columns=i&select=i,t', '{"t": "a", "i": 4}');
-- a bad value takes no number from the id's sequence, as before
SELECT last_value AS before FROM wv_id_seq;
SELECT status FROM pgrest.handle('POST', '/wv', NULL, NULL, '{"n": "x"}');
SELECT last_value AS after FROM wv_id_seq;

-- the same, updating row 1, and a row that does not exist (whose bad
-- values are never read)
SELECT * FROM wv_cases('PATCH', '/wv?id=eq.1&select=%s', ARRAY[
    '{"t": "a"}', '{"t": {"a": 1}}', '{"n": 12.345}', '{"n": "abc"}', '{"n": 1e9}',
    '{"i": 5.5}', '{"v": "abcd"}', '{"ta": [1, null, "x"]}', '{"ta": 5}', '{"ia": ["x"]}',
    '{"j": "s"}', '{"jb": {"k": [true]}}', '{"nn": null}', '{"b": "maybe"}',
    '{"t": "x", "n": 3.5}'
]);
SELECT * FROM wv_cases('PATCH', '/wv?id=eq.-1&select=%s', ARRAY[
    '{"n": "abc"}', '{"i": "x", "t": "y"}', '{"nn": null}'
]);
SELECT t, n, i, ta, j, jb FROM wv WHERE id = 1;

DROP TABLE wv;
DROP FUNCTION wv_both, wv_cases;
DROP DOMAIN wv_positive;
DROP TYPE wv_mood;
