--
-- security: the role a request runs as cannot be escaped; request context
-- (cookies, pre_request); CORS; the raw SQL endpoint.
--
CREATE FUNCTION try_reset_role() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RESET ROLE;
    RETURN current_user;
END $$;
CREATE FUNCTION try_set_role() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    SET ROLE regress_pgrest_authenticator;
    RETURN current_user;
END $$;
CREATE FUNCTION try_set_config_role() RETURNS text LANGUAGE sql
    AS $$ SELECT set_config('role', 'none', false) $$;
CREATE FUNCTION try_session_authorization() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    SET SESSION AUTHORIZATION DEFAULT;
    RETURN current_user;
END $$;
CREATE FUNCTION leave_settings() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    SET work_mem = '77MB';
    PERFORM set_config('pgrest_test.left', 'behind', false);
    PERFORM pg_advisory_lock(77);
    RETURN current_setting('work_mem');
END $$;
CREATE FUNCTION settings_now() RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('work_mem', current_setting('work_mem'),
                              'left', coalesce(nullif(current_setting('pgrest_test.left', true), ''), 'gone'),
                              'lock_free', pg_try_advisory_xact_lock(77))
$$;

-- a request cannot RESET ROLE, SET ROLE or change its session's identity
SELECT status, body::jsonb->>'code' AS code, body::jsonb->>'message' AS message
FROM pgrest.handle('POST', '/rpc/try_reset_role');
SELECT status, body::jsonb->>'code' AS code, body::jsonb->>'message' AS message
FROM pgrest.handle('POST', '/rpc/try_set_role');
SELECT status, body::jsonb->>'code' AS code, body::jsonb->>'message' AS message
FROM pgrest.handle('POST', '/rpc/try_set_config_role');
SELECT status, body::jsonb->>'code' AS code, body::jsonb->>'message' AS message
FROM pgrest.handle('POST', '/rpc/try_session_authorization');

-- a token may not name the session's own role (in a worker: pgrest.role)
SET pgrest.jwt_secret = 'regress-jwt-secret-of-at-least-32-bytes';
SELECT status, body::jsonb->>'code' AS code, body::jsonb->>'details' AS details
FROM pgrest.handle('GET', '/films?id=eq.1', NULL,
                   jsonb_build_object('Authorization', 'Bearer ' ||
                       regress_jwt(jsonb_build_object('role', session_user))));
RESET pgrest.jwt_secret;

-- request.cookies, next to request.headers
CREATE VIEW my_cookies AS SELECT current_setting('request.cookies')::jsonb AS cookies;
GRANT SELECT ON my_cookies TO regress_pgrest_anon;
SELECT body::jsonb FROM pgrest.handle('GET', '/my_cookies', NULL,
                                      '{"Cookie": "session=abc; theme=dark; session=later; broken; =x"}');
SELECT body::jsonb FROM pgrest.handle('GET', '/my_cookies');

-- pgrest.pre_request runs after the request's settings, before its statement
CREATE FUNCTION check_request() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('request.headers')::jsonb ? 'x-blocked' THEN
        RAISE SQLSTATE 'PT403' USING MESSAGE = 'blocked by pre_request',
            HINT = current_user;
    END IF;
    PERFORM set_config('app.checked', 'yes', true);
END $$;
CREATE VIEW checked AS SELECT current_setting('app.checked', true) AS checked;
GRANT SELECT ON checked TO regress_pgrest_anon;
SET pgrest.pre_request = 'public.check_request';
SELECT status, body::jsonb FROM pgrest.handle('GET', '/checked');
SELECT status, body::jsonb FROM pgrest.handle('GET', '/checked', NULL, '{"X-Blocked": "1"}');
SET pgrest.pre_request = 'no_such_function';
SELECT status, body::jsonb->>'code' AS code FROM pgrest.handle('GET', '/checked');
RESET pgrest.pre_request;

-- the pre_request may switch the request to another role the login role
-- may become (as in PostgREST); never back to the login role, and the
-- statement after it is locked as before
CREATE ROLE regress_pgrest_switched NOLOGIN;
GRANT regress_pgrest_switched TO regress_pgrest_authenticator;
GRANT SELECT ON whoami TO regress_pgrest_switched;
GRANT EXECUTE ON FUNCTION try_reset_role() TO regress_pgrest_switched;
CREATE FUNCTION switch_by_header() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    CASE current_setting('request.headers')::jsonb->>'x-switch'
    WHEN 'switched' THEN SET LOCAL ROLE regress_pgrest_switched;
    WHEN 'config' THEN PERFORM set_config('role', 'regress_pgrest_switched', true);
    WHEN 'reset' THEN RESET ROLE;
    WHEN 'none' THEN PERFORM set_config('role', 'none', true);
    ELSE NULL;
    END CASE;
END $$;
SET pgrest.pre_request = 'public.switch_by_header';
SELECT status, body::jsonb->0->>'role' AS role FROM pgrest.handle('GET', '/whoami');
SELECT status, body::jsonb->0->>'role' AS role FROM pgrest.handle('GET', '/whoami', NULL, '{"X-Switch": "switched"}');
SELECT status, body::jsonb->0->>'role' AS role FROM pgrest.handle('GET', '/whoami', NULL, '{"X-Switch": "config"}');
SELECT status, body::jsonb FROM pgrest.handle('GET', '/whoami', NULL, '{"X-Switch": "reset"}');
SELECT status, body::jsonb FROM pgrest.handle('GET', '/whoami', NULL, '{"X-Switch": "none"}');
SELECT status, body::jsonb->>'code' AS code, body::jsonb->>'message' AS message
FROM pgrest.handle('POST', '/rpc/try_reset_role', '{}', '{"X-Switch": "switched"}');
-- nothing of the switch outlives the request
SELECT status, body::jsonb->0->>'role' AS role FROM pgrest.handle('GET', '/whoami');
RESET pgrest.pre_request;
DROP FUNCTION switch_by_header();
REVOKE ALL ON whoami FROM regress_pgrest_switched;
REVOKE ALL ON FUNCTION try_reset_role() FROM regress_pgrest_switched;
DROP ROLE regress_pgrest_switched;

-- pgrest.app_settings: PostgREST's app.settings.*, which postgresql.conf
-- cannot name itself (it refuses a name of three parts), set LOCAL for
-- every request
CREATE VIEW app_settings AS
    SELECT current_setting('app.settings.app_host', true) AS app_host,
           current_setting('app.settings.secret', true) AS secret,
           current_setting('app.settings.a.b', true) AS nested;
GRANT SELECT ON app_settings TO regress_pgrest_anon;
SET pgrest.app_settings = ' app_host = localhost, secret = "0123, ""quoted""" , a.b=x y ';
SELECT status, body::jsonb FROM pgrest.handle('GET', '/app_settings');
SET pgrest.app_settings = 'app_host';
SET pgrest.app_settings = '=x';
SET pgrest.app_settings = 'a = "open';
SET pgrest.app_settings = 'a = "x" y';
SET pgrest.app_settings = 'a = 1,';
SET pgrest.app_settings = 'a. = 1';
RESET pgrest.app_settings;
SELECT status, body::jsonb FROM pgrest.handle('GET', '/app_settings');
DROP VIEW app_settings;

-- CORS: preflights need no credentials; every answer to an Origin says who
-- may read it.  An OPTIONS that is no preflight is a request as any other
-- (as in PostgREST): without an anonymous role, it needs a token.
SET pgrest.anon_role = '';
SELECT status, headers, body FROM pgrest.handle('OPTIONS', '/films', NULL,
    '{"Origin": "https://app.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type, prefer"}');
SELECT status, body::jsonb->>'code' AS code FROM pgrest.handle('OPTIONS', '/rpc/add_them');
RESET pgrest.anon_role;
SELECT status, headers->>'Access-Control-Allow-Origin' AS allow_origin,
       headers->>'Access-Control-Expose-Headers' IS NOT NULL AS exposes
FROM pgrest.handle('GET', '/films?id=eq.1', NULL, '{"Origin": "https://app.example"}');
SELECT status, headers->>'Access-Control-Allow-Origin' AS allow_origin
FROM pgrest.handle('GET', '/nope', NULL, '{"Origin": "https://app.example"}');
-- the headers exposed are PostgREST's
SELECT headers->>'Access-Control-Expose-Headers' AS exposed
FROM pgrest.handle('GET', '/films?id=eq.1', NULL, '{"Origin": "https://app.example"}');
-- an OPTIONS that is no preflight (no method asked for, or one no one may
-- use) is answered as any OPTIONS, "*" included, as PostgREST does
SELECT status, headers FROM pgrest.handle('OPTIONS', '/films', NULL,
    '{"Origin": "https://app.example"}');
SELECT status, headers FROM pgrest.handle('OPTIONS', '/films', NULL,
    '{"Origin": "https://app.example", "Access-Control-Request-Method": "TRACE"}');
-- a preflight is answered whatever the path names, without the headers
-- list when none was asked for
SELECT status, headers FROM pgrest.handle('OPTIONS', '/no/such/path', NULL,
    '{"Origin": "https://app.example", "Access-Control-Request-Method": "DELETE"}');
SET pgrest.cors_allowed_origins = 'https://a.example, https://app.example';
SELECT headers->>'Access-Control-Allow-Origin' AS allow_origin, headers->>'Vary' AS vary
FROM pgrest.handle('GET', '/films?id=eq.1', NULL, '{"Origin": "https://app.example"}');
SELECT headers ? 'Access-Control-Allow-Origin' AS cors
FROM pgrest.handle('GET', '/films?id=eq.1', NULL, '{"Origin": "https://evil.example"}');
-- a preflight from a listed origin names it and allows credentials; from
-- another it is an ordinary OPTIONS, which does not name "*" to it
SELECT status, headers FROM pgrest.handle('OPTIONS', '/films', NULL,
    '{"Origin": "https://a.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "Content-Type"}');
SELECT status, headers FROM pgrest.handle('OPTIONS', '/films', NULL,
    '{"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}');
RESET pgrest.cors_allowed_origins;

-- the raw SQL endpoint: off by default (a table named sql would answer)
SELECT status, body::jsonb->>'code' AS code
FROM pgrest.handle('POST', '/sql', NULL, NULL, '{"query": "SELECT 1"}');
SET pgrest.sql_endpoint = on;
SELECT status, body::jsonb FROM pgrest.handle('POST', '/sql', NULL, NULL,
    '{"query": "SELECT id, title FROM films WHERE id < 3 ORDER BY id"}');
SELECT status, body::jsonb FROM pgrest.handle('POST', '/sql', NULL, NULL,
    '{"query": "SELECT current_user AS who, current_setting(''transaction_read_only'') AS ro"}');
SELECT status, body FROM pgrest.handle('POST', '/sql', NULL, NULL, '{"query": "SET LOCAL work_mem = ''1MB''"}');
SELECT status, body::jsonb->>'code' AS code, body::jsonb->>'message' AS message
FROM pgrest.handle('POST', '/sql', NULL, NULL, '{"query": "SELECT 1; SELECT 2"}');
SELECT status, body::jsonb->>'code' AS code, body::jsonb->>'message' AS message
FROM pgrest.handle('POST', '/sql', NULL, NULL, '{"query": "DELETE FROM films"}');
SELECT status, body::jsonb->>'code' AS code, body::jsonb->>'message' AS message
FROM pgrest.handle('POST', '/sql', NULL, NULL, '{"query": "SELECT * FROM secrets"}');
SELECT status, body::jsonb->>'code' AS code, body::jsonb->>'message' AS message
FROM pgrest.handle('POST', '/sql', NULL, NULL, '{"query": "SELEC 1"}');
SELECT status, body::jsonb->>'code' AS code, body::jsonb->>'message' AS message
FROM pgrest.handle('POST', '/sql', NULL, NULL, '{"query": "RESET ROLE"}');
SELECT status, body::jsonb->>'code' AS code
FROM pgrest.handle('POST', '/sql', NULL, NULL, '{"query": 42}');
SELECT status, body::jsonb->>'code' AS code
FROM pgrest.handle('POST', '/sql', NULL, NULL, '{"sql": "SELECT 1"}');
SELECT status, body::jsonb->>'code' AS code
FROM pgrest.handle('POST', '/sql', NULL, NULL, '{"query": ""}');
SELECT count(*) FROM films;
SET pgrest.max_rows = 2;
SELECT status, body::jsonb FROM pgrest.handle('POST', '/sql', NULL, NULL,
    '{"query": "SELECT g FROM generate_series(1, 5) AS g"}');
RESET pgrest.max_rows;
RESET pgrest.sql_endpoint;

--
-- Over HTTP, in the workers: what one request leaves behind never reaches
-- the next (session settings, advisory locks, temporary objects, ...).
--
SELECT status, body FROM regress_http('POST', '/rpc/leave_settings', '-H "Content-Type: application/json" -d "{}"');
SELECT status, body::jsonb FROM regress_http('GET', '/rpc/settings_now');
SELECT status, body::jsonb FROM regress_http('GET', '/rpc/settings_now');
-- what a request creates for the session goes with it: a temporary table
-- left in the worker's pg_temp would shadow the table of that name in the
-- functions of every later request on that worker, a cursor WITH HOLD
-- would let another role fetch its rows.  Both requests go over one
-- keep-alive connection, so they reach the same worker.
CREATE FUNCTION plant_session_objects() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    CREATE TEMP TABLE films AS SELECT 666 AS id, 'planted' AS title;
    GRANT SELECT ON pg_temp.films TO PUBLIC;
    CREATE FUNCTION pg_temp.planted() RETURNS int LANGUAGE sql AS 'SELECT 666';
    EXECUTE 'PREPARE planted_statement AS SELECT 666';
    EXECUTE 'DECLARE planted_cursor CURSOR WITH HOLD FOR SELECT title FROM films';
    RETURN (SELECT title FROM films);
END $$;
CREATE FUNCTION session_objects() RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'first_film', (SELECT title FROM films ORDER BY id LIMIT 1),
        'temp_relations', (SELECT count(*) FROM pg_class WHERE relnamespace = pg_my_temp_schema()),
        'temp_functions', (SELECT count(*) FROM pg_proc WHERE pronamespace = pg_my_temp_schema()),
        'prepared', (SELECT count(*) FROM pg_prepared_statements),
        'cursors', (SELECT count(*) FROM pg_cursors))
$$;
-- a prepared statement outlives even a request that fails
CREATE FUNCTION prepare_then_fail() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE 'PREPARE failed_statement AS SELECT 666';
    RAISE EXCEPTION 'failing after PREPARE';
END $$;
SELECT regress_program(format(
    'curl -sS -X POST -H "Content-Type: application/json" -d "{}" -w "\n" %s '
    '--next -X POST -H "Content-Type: application/json" -d "{}" -w "\n" %s --next -w "\n" %s',
    regress_sh(regress_url('/rpc/plant_session_objects')),
    regress_sh(regress_url('/rpc/prepare_then_fail')),
    regress_sh(regress_url('/rpc/session_objects'))));

-- sequence state is the session's too: lastval() and currval() in a later
-- request on the same worker (one keep-alive connection) know nothing of
-- the values an earlier one drew
CREATE SEQUENCE drawn_numbers;
GRANT USAGE ON SEQUENCE drawn_numbers TO regress_pgrest_anon;
CREATE FUNCTION draw_number() RETURNS bigint LANGUAGE sql
    AS $$ SELECT nextval('drawn_numbers') $$;
CREATE FUNCTION last_number() RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN lastval()::text;
EXCEPTION WHEN object_not_in_prerequisite_state THEN
    RETURN SQLERRM;
END $$;
CREATE FUNCTION current_number() RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN currval('drawn_numbers')::text;
EXCEPTION WHEN object_not_in_prerequisite_state THEN
    RETURN SQLERRM;
END $$;
SELECT regress_program(format(
    'curl -sS -X POST -H "Content-Type: application/json" -d "{}" -w "\n" %s '
    '--next -w "\n" %s --next -w "\n" %s',
    regress_sh(regress_url('/rpc/draw_number')),
    regress_sh(regress_url('/rpc/last_number')),
    regress_sh(regress_url('/rpc/current_number'))));

-- random()'s generator is the session's too: setseed() in one request
-- does not predict random() in the next on that worker.  pgrest.handle()
-- runs in its caller's session, whose generator is the caller's: there
-- the seed carries over (which shows that the check can fail).
CREATE FUNCTION plant_seed() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM setseed(0.5);
    PERFORM random();
    RETURN 'planted';
END $$;
-- whether this request's first random() is the one setseed(0.5) predicts
CREATE FUNCTION seed_predicts() RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    drawn float8 := random();
BEGIN
    PERFORM setseed(0.5);
    PERFORM random();
    RETURN drawn = random();
END $$;
SELECT regress_program(format(
    'curl -sS -X POST -H "Content-Type: application/json" -d "{}" -w "\n" %s '
    '--next -X POST -H "Content-Type: application/json" -d "{}" -w "\n" %s',
    regress_sh(regress_url('/rpc/plant_seed')),
    regress_sh(regress_url('/rpc/seed_predicts'))));
SELECT body FROM pgrest.handle('POST', '/rpc/plant_seed');
SELECT body FROM pgrest.handle('POST', '/rpc/seed_predicts');

-- LISTEN would keep notifications for the session: PostgreSQL refuses it
-- in a background worker
CREATE FUNCTION try_listen() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE 'LISTEN regress_channel';
    RETURN 'listening';
END $$;
CREATE FUNCTION channels() RETURNS bigint LANGUAGE sql STABLE
    AS $$ SELECT count(*) FROM pg_listening_channels() $$;
SELECT status, body::jsonb->>'code' AS code
FROM regress_http('POST', '/rpc/try_listen', '-H "Content-Type: application/json" -d "{}"');
SELECT status, body FROM regress_http('GET', '/rpc/channels');

-- a dblink connection kept under a name (or as the unnamed one) would
-- serve later requests, another user's perhaps, with this one's
-- credentials: workers refuse dblink_connect() and dblink_connect_u(),
-- whatever the SQL name of the function; dblink(connstr, sql) connects
-- for one call and is dblink's own business (it wants a password from
-- a role that is not a superuser)
CREATE SCHEMA regress_dblink;
CREATE EXTENSION dblink SCHEMA regress_dblink;
GRANT USAGE ON SCHEMA regress_dblink TO regress_pgrest_anon;
GRANT EXECUTE ON FUNCTION regress_dblink.dblink_connect_u(text, text) TO regress_pgrest_anon;
CREATE FUNCTION regress_dblink.renamed_connect(text, text) RETURNS text
    LANGUAGE c STRICT AS '$libdir/dblink', 'dblink_connect';
CREATE FUNCTION keep_connection(how text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    IF how = 'named' THEN
        RETURN regress_dblink.dblink_connect('kept', 'dbname=' || current_database());
    ELSIF how = 'unsafe' THEN
        RETURN regress_dblink.dblink_connect_u('kept', 'dbname=' || current_database());
    ELSIF how = 'renamed' THEN
        RETURN regress_dblink.renamed_connect('kept', 'dbname=' || current_database());
    END IF;
    RETURN (SELECT x::text FROM regress_dblink.dblink('dbname=' || current_database(),
                                                      'SELECT 1') AS t(x int));
END $$;
SELECT how, status, body::jsonb->>'code' AS code, body::jsonb->>'message' AS message
FROM unnest(ARRAY['named', 'unsafe', 'renamed', 'one call']) AS how,
     LATERAL regress_http('POST', '/rpc/keep_connection',
                          format('-H "Content-Type: application/json" -d %s',
                                 regress_sh(jsonb_build_object('how', how)::text)));
DROP FUNCTION keep_connection(text);
DROP EXTENSION dblink;
DROP SCHEMA regress_dblink CASCADE;

--
-- pgrest.handle() inside a request (here through a SECURITY DEFINER
-- function) is refused: a request's schema cache, kept plans and role
-- lock are its own.  The request fails; the process serves on as before.
--
CREATE FUNCTION nested_handle() RETURNS text LANGUAGE sql SECURITY DEFINER
    AS $$ SELECT body FROM pgrest.handle('GET', '/films?id=eq.1') $$;
SELECT status, body::jsonb->>'code' AS code, body::jsonb->>'message' AS message
FROM pgrest.handle('POST', '/rpc/nested_handle');
SELECT status, body::jsonb->>'message' AS message
FROM regress_http('POST', '/rpc/nested_handle', '-H "Content-Type: application/json" -d "{}"');
SELECT status FROM pgrest.handle('GET', '/films?id=eq.1');
SELECT status, count(*) FROM generate_series(1, 4),
    LATERAL regress_http('GET', '/films?id=eq.1', '-H "Connection: close"')
GROUP BY status;
