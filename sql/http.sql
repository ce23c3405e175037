--
-- http: real round trips through the HTTP workers of this instance.
--
SELECT pgrest.wait_ready(60000);
-- the workers use the server's timezone (UTC); pg_regress sessions do not
SET timezone = 'UTC';

SELECT status, content_type, body::jsonb = (SELECT body::jsonb FROM pgrest.handle('GET', '/users')) AS same_as_handle
FROM regress_http('GET', '/users');
SELECT status, content_type, body FROM regress_http('GET', '/empty');
SELECT status, content_type, body::jsonb FROM regress_http('GET', '/nope');
SELECT status, body::jsonb FROM regress_http('GET', '/secrets');
SELECT status, body::jsonb->>'code' AS code FROM regress_http('POST', '/users');
SELECT status, body FROM regress_http('HEAD', '/users', '--head');
-- what the worker's request sees of itself
SELECT status,
       body::jsonb->0->>'role' AS role,
       body::jsonb->0->>'method' AS method,
       body::jsonb->0->>'path' AS path,
       body::jsonb->0->'headers'->>'x-test' AS x_test,
       body::jsonb->0->>'read_only' AS read_only
FROM regress_http('GET', '/whoami?method=eq.GET', '-H "X-Test: über"');

-- DDL is seen by the workers' next request, without a reload
CREATE TABLE fresh (id int PRIMARY KEY, note text);
INSERT INTO fresh VALUES (1, 'new');
GRANT SELECT ON fresh TO regress_pgrest_anon;
SELECT status, body::jsonb FROM regress_http('GET', '/fresh/1');
ALTER TABLE fresh ADD COLUMN extra int DEFAULT 7;
SELECT status, body::jsonb FROM regress_http('GET', '/fresh?select=id,extra');
DROP TABLE fresh;
SELECT status, body::jsonb->>'code' AS code FROM regress_http('GET', '/fresh');

-- several workers share the port: while one waits on a lock, another answers
SELECT pg_advisory_lock(4242);
SELECT * FROM regress_program(format(
    'curl -sS --max-time 30 -o regress_gate.out %s > /dev/null 2>&1 &',
    regress_sh(regress_url('/gate'))));
SELECT regress_wait_for($$EXISTS (SELECT 1 FROM pg_stat_activity
                          WHERE backend_type = 'pgrest' AND wait_event_type = 'Lock'
                            AND query = 'GET /gate')$$, 'a worker to wait on the lock');
SELECT status, (body::jsonb->0->>'pid')::int AS pid INTO TEMP other FROM regress_http('GET', '/whoami');
SELECT status FROM other;
SELECT pg_advisory_unlock(4242);
SELECT regress_wait_for($$coalesce(pg_read_file('regress_gate.out', 0, 10000, true), '') LIKE '%]'$$,
                        'the answer to GET /gate');
SELECT (pg_read_file('regress_gate.out')::jsonb->0->>'pid')::int <> (SELECT pid FROM other)
    AS answered_by_two_workers,
       (SELECT count(DISTINCT pid) FROM pg_stat_activity
        WHERE backend_type = 'pgrest'
          AND pid IN ((pg_read_file('regress_gate.out')::jsonb->0->>'pid')::int,
                      (SELECT pid FROM other))) AS both_are_pgrest_workers;

-- malformed requests get 4xx (or a closed connection) and the worker serves on
SELECT regress_raw(E'GET /users\\r\\n\\r\\n') AS no_version;
SELECT regress_raw(E'GET /users HTTP/1.1\\r\\nno colon here\\r\\n\\r\\n') AS bad_header_line;
SELECT regress_raw(E'GARBAGE\\r\\n\\r\\n') AS no_request_line;
SELECT regress_raw(E'POST /users HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: -5\\r\\n\\r\\n') AS negative_length;
SELECT regress_raw(E'POST /users HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 99999999999999999999999\\r\\n\\r\\n') AS huge_length;
SELECT regress_raw(E'POST /users HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 1000000000\\r\\n\\r\\n') AS body_over_limit;
SELECT status FROM regress_http('GET', '/users', '-H "X-Big: $(head -c 70000 /dev/zero | tr ''\0'' a)"');
SELECT status FROM regress_http('GET', '/' || repeat('x', 70000));
SELECT status, body::jsonb = (SELECT body::jsonb FROM pgrest.handle('GET', '/users')) AS still_serving
FROM regress_http('GET', '/users');
