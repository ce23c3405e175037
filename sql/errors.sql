--
-- errors: every failure is a JSON body {code, details, hint, message} with
-- PostgREST's status.
--
-- unknown relation
SELECT status, headers, body::jsonb FROM pgrest.handle('GET', '/nope');
-- a sequence is not a table
SELECT status, body::jsonb->>'code' AS code FROM pgrest.handle('GET', '/not_a_table');
-- permission denied, for an anonymous request: 401 with WWW-Authenticate
SELECT status, headers, body::jsonb FROM pgrest.handle('GET', '/secrets');
-- a write without a body; a write the role may not do; methods no one serves
SELECT status, body::jsonb FROM pgrest.handle('POST', '/users');
SELECT status, body::jsonb->>'message' AS message FROM pgrest.handle('DELETE', '/users');
SELECT status, body::jsonb->>'message' AS message FROM pgrest.handle('BREW', '/users');
SELECT status, body::jsonb->>'message' AS message FROM pgrest.handle('get', '/users');
-- a method or header name that is not an HTTP token is never echoed back
SELECT method, status, body::jsonb->>'message' AS message
FROM unnest(ARRAY['G T', 'GÉT', 'GET(', '']) AS method, pgrest.handle(method, '/users');
SELECT status, body::jsonb->>'message' AS message
FROM pgrest.handle('GET', '/users', NULL, '{"X Bad": "a"}');
SELECT status, body::jsonb->>'message' AS message
FROM pgrest.handle('GET', '/users', NULL, '{"X-Ünïcode": "a"}');
SELECT status, body::jsonb->>'message' AS message FROM pgrest.handle('PUT', '/', NULL, NULL, '{}');

-- paths that name nothing pgrest serves
SELECT path, status, body::jsonb->>'code' AS code
FROM unnest(ARRAY['', 'users', '//', '/users/', '/users/1/2', '/a//b',
                  'http://host/users', '/rpc/f']) AS path,
     pgrest.handle('GET', path);

-- malformed encodings in the path and the query string: a '%' without two
-- hex digits is itself (as PostgREST decodes it); NUL bytes and invalid
-- UTF-8 are refused
SELECT path, query, status, body::jsonb->>'message' AS message
FROM (VALUES ('/us%zzers', NULL), ('/users%', NULL), ('/users%2', NULL),
             ('/users%00', NULL), ('/%ff%fe', NULL),
             ('/users', 'a=%'), ('/users', 'a=%C3%28'), ('/users', 'x%00=1'))
         AS t(path, query),
     pgrest.handle('GET', path, query);

-- requests without an anonymous role are refused
SET pgrest.anon_role = '';
SELECT status, headers, body::jsonb FROM pgrest.handle('GET', '/users');
RESET pgrest.anon_role;
-- an anonymous role the authenticator may not become, or that does not exist
SET pgrest.anon_role = 'regress_pgrest_no_such_role';
SELECT status, body::jsonb FROM pgrest.handle('GET', '/users');
RESET pgrest.anon_role;
-- "none" would switch back to the session user, the authenticator itself
SET pgrest.anon_role = 'none';
SELECT status, body::jsonb FROM pgrest.handle('GET', '/users');
RESET pgrest.anon_role;

-- a bearer token without pgrest.jwt_secret is a server error, a malformed
-- one 401; never served as anonymous (auth tests tokens in depth)
SELECT status, body::jsonb->>'code' AS code
FROM pgrest.handle('GET', '/users', NULL, '{"Authorization": "Bearer abc.def.ghi"}');
SET pgrest.jwt_secret = 'a-secret-that-is-long-enough-for-hs256';
SELECT status, body::jsonb->>'code' AS code
FROM pgrest.handle('GET', '/users', NULL, '{"Authorization": "Bearer abc.def.ghi"}');
RESET pgrest.jwt_secret;

-- reads run READ ONLY: a view that writes fails with 25006 -> 405
CREATE FUNCTION write_something() RETURNS int LANGUAGE sql
    AS 'INSERT INTO empty VALUES (1) RETURNING id';
CREATE VIEW writer AS SELECT write_something() AS id;
GRANT SELECT, INSERT ON writer, empty TO regress_pgrest_anon;
SELECT status, body::jsonb FROM pgrest.handle('GET', '/writer');
SELECT count(*) FROM empty;
DROP VIEW writer;
DROP FUNCTION write_something();
REVOKE INSERT ON empty FROM regress_pgrest_anon;

-- the SQLSTATE -> HTTP status table, one row each
SELECT sqlstate, status, body::jsonb->>'code' AS code
FROM unnest(ARRAY[
    '08006', '09000', '0L000', '0P000', '23503', '23505', '25006', '21000',
    '22023', '25001', '28000', '2D000', '38000', '39000', '3B000', '40001',
    '53400', '53100', '54000', '55000', '57P01', '57014', '58000', 'F0000',
    'HV000', 'P0001', 'P0002', 'XX000', '42883', '42P01', '42P17', '42501',
    '23502', '23514', '22P02', '42703', 'PT402', 'PT418', 'PTABC', 'PT099'])
    AS sqlstate,
    pgrest.handle('GET', '/raiser', NULL, jsonb_build_object('X-Sqlstate', sqlstate))
ORDER BY sqlstate;

-- the message never decides the status (lc_messages may have translated
-- it): these are SQLSTATE-only, unlike PostgREST's rules for them.  (A
-- role that does not exist is pgrest's own 401, sql/auth.sql; pg-safeupdate
-- is known by its source file.)
SELECT sqlstate, message, status
FROM (VALUES ('21000', 'UPDATE requires a WHERE clause'),
             ('21000', 'more than one row returned by a subquery'),
             ('22023', 'role "nobody" does not exist'),
             ('22023', 'invalid parameter'),
             ('42883', 'function xmlagg(x) does not exist'),
             ('42883', 'function f(int) does not exist')) AS t(sqlstate, message),
     pgrest.handle('GET', '/raiser', NULL,
                   jsonb_build_object('X-Sqlstate', sqlstate, 'X-Message', message))
ORDER BY sqlstate, message;

-- RAISE SQLSTATE 'PGRST' chooses the whole response: MESSAGE the body,
-- DETAIL the status and headers; any other shape is PGRST121 (500)
CREATE FUNCTION raise_pgrst(message text, detail text) RETURNS int
LANGUAGE plpgsql AS $$
BEGIN
    IF detail IS NULL THEN
        RAISE SQLSTATE 'PGRST' USING MESSAGE = message;
    END IF;
    RAISE SQLSTATE 'PGRST' USING MESSAGE = message, DETAIL = detail;
END $$;
GRANT EXECUTE ON FUNCTION raise_pgrst TO regress_pgrest_anon;
SELECT status, headers, body::jsonb FROM pgrest.handle('POST', '/rpc/raise_pgrst', NULL, NULL,
    $${"message": "{\"code\":\"123\",\"message\":\"Payment Required\",\"details\":\"Quota exceeded\",\"hint\":\"Upgrade your plan\"}",
       "detail": "{\"status\":402,\"headers\":{\"X-Powered-By\":\"Nerd Rage\"}}"}$$);
-- a 401 so chosen has no WWW-Authenticate unless it says so
SELECT status, headers, body::jsonb FROM pgrest.handle('POST', '/rpc/raise_pgrst', NULL, NULL,
    '{"message": "{\"code\":\"A1\",\"message\":\"who?\",\"details\":null}", "detail": "{\"status\":401.0,\"status_text\":\"Who\",\"headers\":{}}"}');
SELECT message, detail, status, body::jsonb->>'code' AS code, body::jsonb->>'details' AS details,
       body::jsonb->>'hint' AS hint
FROM (VALUES ('not json', '{"status":402,"headers":{}}'),
             ('[1]', '{"status":402,"headers":{}}'),
             ('{"code":1,"message":"m"}', '{"status":402,"headers":{}}'),
             ('{"code":"1"}', '{"status":402,"headers":{}}'),
             ('{"code":"1","message":"m","hint":2}', '{"status":402,"headers":{}}'),
             ('{"code":"1","message":"m"}', NULL),
             ('{"code":"1","message":"m"}', '{"status":402}'),
             ('{"code":"1","message":"m"}', '{"status":"402","headers":{}}'),
             ('{"code":"1","message":"m"}', '{"status":402.5,"headers":{}}'),
             ('{"code":"1","message":"m"}', '{"status":600,"headers":{}}'),
             ('{"code":"1","message":"m"}', '{"status":402,"headers":[]}'),
             ('{"code":"1","message":"m"}', '{"status":402,"headers":{"X":1}}'),
             ('{"code":"1","message":"m"}', '{"status":402,"headers":{"X Y":"1"}}'),
             ('{"code":"1","message":"m"}', '{"status":402,"headers":{"X":"a\r\nSet-Cookie: b"}}'),
             ('{"code":"1","message":"m"}', '{"status":402,"headers":{"Content-Length":"0"}}'),
             ('{"code":"1","message":"m"}', '{"status":402,"headers":{},"status_text":5}'))
         AS t(message, detail),
     pgrest.handle('POST', '/rpc/raise_pgrst', NULL, NULL,
                   jsonb_build_object('message', message, 'detail', detail)::text)
ORDER BY message, detail;
DROP FUNCTION raise_pgrst;

-- a database error keeps its message, detail and hint
CREATE FUNCTION raise_detailed() RETURNS SETOF int LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'no "good" rows' USING DETAIL = 'Détails: ünïcode', HINT = 'Try again.';
END $$;
CREATE VIEW detailed AS SELECT * FROM raise_detailed() AS x;
GRANT SELECT ON detailed TO regress_pgrest_anon;
SELECT status, body::jsonb FROM pgrest.handle('GET', '/detailed');
DROP VIEW detailed;
DROP FUNCTION raise_detailed();

-- pgrest.client_error_verbosity = minimal: code and message only, for
-- pgrest's errors, the database's and RAISE SQLSTATE 'PGRST' alike
CREATE FUNCTION raise_detailed() RETURNS SETOF int LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'no "good" rows' USING DETAIL = 'a detail', HINT = 'a hint';
END $$;
CREATE VIEW detailed AS SELECT * FROM raise_detailed() AS x;
GRANT SELECT ON detailed TO regress_pgrest_anon;
CREATE FUNCTION raise_minimal() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    RAISE SQLSTATE 'PGRST' USING MESSAGE = '{"code": "X1", "message": "custom", "details": "d", "hint": "h"}',
                                 DETAIL = '{"status": 418, "headers": {}}';
END $$;
SET pgrest.client_error_verbosity = minimal;
SELECT status, body FROM pgrest.handle('GET', '/detailed');
SELECT status, body FROM pgrest.handle('GET', '/detailedx');
SELECT status, body FROM pgrest.handle('POST', '/rpc/raise_minimal');
RESET pgrest.client_error_verbosity;
SELECT status, body FROM pgrest.handle('GET', '/detailedx');
SET pgrest.client_error_verbosity = terse;
DROP FUNCTION raise_minimal();
DROP VIEW detailed;
DROP FUNCTION raise_detailed();

-- pgrest.server_trace_header: the request's value of that header on every
-- response, errors included; none when the request had none
SET pgrest.server_trace_header = 'X-Request-Id';
SELECT status, headers->'X-Request-Id' AS trace
FROM pgrest.handle('GET', '/users', 'select=id&limit=1', '{"x-request-id": "abc-1"}');
SELECT status, headers->'X-Request-Id' AS trace
FROM pgrest.handle('GET', '/nowhere', NULL, '{"X-Request-ID": "abc-2"}');
SELECT status, headers->'X-Request-Id' AS trace
FROM pgrest.handle('OPTIONS', '/users', NULL, '{"X-Request-Id": "abc-3"}');
SELECT status, headers->'X-Request-Id' AS trace FROM pgrest.handle('GET', '/users', 'select=id&limit=1');
SET pgrest.server_trace_header = 'X Request';
RESET pgrest.server_trace_header;
SELECT headers ? 'X-Request-Id' AS traced
FROM pgrest.handle('GET', '/users', 'select=id&limit=1', '{"X-Request-Id": "abc-4"}');
