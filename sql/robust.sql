--
-- robust: nothing a client or a function sends ends a worker.  An empty
-- select= on a function's value, hostile RAISE SQLSTATE 'PGRST'
-- payloads (numbers past numeric's range, 5,000-deep nesting, text that
-- is not JSON, CR/LF in headers, 100,000 headers), response.headers past
-- the limit and statuses out of range all get a JSON error over HTTP, and
-- the workers that answered are the same processes afterwards.
--
SELECT pid INTO TEMP robust_workers FROM pg_stat_activity WHERE backend_type = 'pgrest';

CREATE FUNCTION rb_value(a int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT a + 1';
CREATE FUNCTION rb_values() RETURNS SETOF int LANGUAGE sql STABLE
    AS 'SELECT generate_series(1, 3)';

-- RAISE SQLSTATE 'PGRST' with a MESSAGE and DETAIL of the kind named
CREATE FUNCTION rb_raise(kind text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    m text := '{"code":"RB1","message":"raised"}';
    d text := '{"status":418,"headers":{"X-Rb":"1"}}';
BEGIN
    CASE kind
    WHEN 'ok' THEN NULL;
    WHEN 'status_2e2' THEN d := '{"status":2.0e2,"headers":{}}';
    WHEN 'escapes' THEN m := '{"code":"RB\u00e9","message":"\ud83d\ude00 \"q\""}';
    WHEN 'huge_status' THEN d := '{"status":1e200000,"headers":{}}';
    WHEN 'tiny_status' THEN d := '{"status":1e-200000,"headers":{}}';
    WHEN 'long_status' THEN d := '{"status":' || repeat('9', 5000) || ',"headers":{}}';
    WHEN 'huge_code' THEN m := '{"code":"RB2","message":"x","n":1e200000}';
    WHEN 'status_100' THEN d := '{"status":100,"headers":{}}';
    WHEN 'status_600' THEN d := '{"status":600,"headers":{}}';
    WHEN 'status_text' THEN d := '{"status":"418","headers":{}}';
    WHEN 'deep_message' THEN m := repeat('[', 5000) || repeat(']', 5000);
    WHEN 'deep_detail' THEN
        d := '{"status":418,"headers":{},"x":' || repeat('{"a":', 5000) || '1' || repeat('}', 5000) || '}';
    WHEN 'not_json' THEN m := '{"code":"RB3", message: x';
    WHEN 'nul_escape' THEN m := '{"code":"RB4","message":"\u0000"}';
    WHEN 'lone_surrogate' THEN m := '{"code":"RB5","message":"\ud800"}';
    WHEN 'crlf_value' THEN d := '{"status":418,"headers":{"X-Rb":"a\r\nSet-Cookie: x=1"}}';
    WHEN 'crlf_name' THEN d := '{"status":418,"headers":{"X-Rb\r\nSet-Cookie":"x"}}';
    WHEN 'owned_header' THEN d := '{"status":418,"headers":{"Content-Length":"0"}}';
    WHEN 'many_headers' THEN
        d := '{"status":418,"headers":{'
             || (SELECT string_agg(format('"X-%s":"v"', i), ',') FROM generate_series(1, 100000) i)
             || '}}';
    END CASE;
    RAISE SQLSTATE 'PGRST' USING message = m, detail = d;
END $$;

-- response.status and response.headers set to what is named
CREATE FUNCTION rb_respond(status text, headers text) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('response.status', status, true);
    PERFORM set_config('response.headers', headers, true);
    RETURN 1;
END $$;
CREATE FUNCTION rb_many_headers(n int) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('response.headers',
        (SELECT json_agg(json_build_object('X-' || i, 'v'))::text FROM generate_series(1, n) i),
        true);
    RETURN 1;
END $$;
GRANT EXECUTE ON FUNCTION rb_value, rb_values, rb_raise, rb_respond, rb_many_headers
    TO regress_pgrest_anon;

-- an empty or blank select= on a function's value or values: the value
SELECT status, body FROM regress_http('GET', '/rpc/rb_value?a=1&select=');
SELECT status, body FROM regress_http('GET', '/rpc/rb_value?a=1&select=%20');
SELECT status, body FROM regress_http('GET', '/rpc/rb_values?select=');
SELECT status, body FROM regress_http('GET', '/rpc/rb_values?select=+');
SELECT status, body FROM regress_http('POST', '/rpc/rb_value?select=',
    '-H "Content-Type: application/json" -d ''{"a": 2}''');
SELECT status, body FROM regress_http('GET', '/rpc/rb_value?a=1&select=',
    '-H "Accept: text/csv"');
SELECT status, body FROM regress_http('GET', '/rpc/rb_values?select=',
    '-H "Accept: application/x-ndjson"');

-- RAISE SQLSTATE 'PGRST': good payloads are sent; every hostile one is
-- PGRST121, its details naming the part
SELECT kind, status, body::jsonb->>'code' AS code,
       left(body::jsonb->>'details', 40) AS details
FROM unnest(ARRAY['ok', 'status_2e2', 'escapes', 'huge_status', 'tiny_status',
                  'long_status', 'huge_code', 'status_100', 'status_600', 'status_text',
                  'deep_message', 'deep_detail', 'not_json', 'nul_escape', 'lone_surrogate',
                  'crlf_value', 'crlf_name', 'owned_header', 'many_headers']) AS kind,
     LATERAL regress_http('POST', '/rpc/rb_raise',
                          format('-H "Content-Type: application/json" -d ''{"kind": "%s"}''', kind));
SELECT status, body::jsonb AS body FROM regress_http('POST', '/rpc/rb_raise',
    '-H "Content-Type: application/json" -d ''{"kind": "escapes"}''');
SELECT regress_program(format(
    'curl -s -i -X POST -H "Content-Type: application/json" -d ''{"kind": "ok"}'' %s | grep -i "^x-rb"',
    regress_sh(regress_url('/rpc/rb_raise'))));

-- response.status: 200 to 599 only (a 1xx cannot carry a response)
SELECT s AS status_set, status, body::jsonb->>'code' AS code
FROM unnest(ARRAY['418', '200', '299 OK', '100', '199', '600', 'abc']) AS s,
     LATERAL regress_http('POST', '/rpc/rb_respond',
                          format('-H "Content-Type: application/json" -d ''{"status": "%s", "headers": "[]"}''', s));
-- response.headers: each replaces pgrest's own of its name; two of one
-- name are both sent
SELECT status, content_type FROM regress_http('POST', '/rpc/rb_respond',
    '-H "Content-Type: application/json" -d ''{"status": "200", "headers": "[{\"Content-Type\": \"text/plain\"}]"}''');
SELECT regress_program(format(
    'curl -s -i -X POST -H "Content-Type: application/json" -d %s %s | grep -i "^x-two"',
    regress_sh('{"status": "200", "headers": "[{\"X-Two\": \"1\"}, {\"X-Two\": \"2\"}]"}'),
    regress_sh(regress_url('/rpc/rb_respond'))));
-- ... and all of them within 8 kB (100,000 headers are refused, in time
-- linear in their number)
SELECT n, status, body::jsonb->>'code' AS code, body::jsonb->>'details' AS details
FROM unnest('{10,300,100000}'::int[]) AS n,
     LATERAL regress_http('POST', '/rpc/rb_many_headers',
                          format('-H "Content-Type: application/json" -d ''{"n": %s}''', n));
SELECT status, body::jsonb->>'code' AS code FROM regress_http('POST', '/rpc/rb_respond',
    '-H "Content-Type: application/json" -d ''{"status": "200", "headers": "[{\"X\": \"a\\r\\nb\"}]"}''');

-- the workers that answered all of this are the ones that started
SELECT pg_stat_clear_snapshot();
SELECT count(*) AS workers_unchanged
FROM pg_stat_activity
WHERE backend_type = 'pgrest' AND pid IN (SELECT pid FROM robust_workers);

DROP FUNCTION rb_value, rb_values, rb_raise, rb_respond, rb_many_headers;
