--
-- sqlendpoint: POST /sql runs one plain query and nothing it reaches may
-- write, run a utility command, change a setting, create a large object,
-- notify or take a transaction id; each trick that once worked is here.
--
SET pgrest.sql_endpoint = on;
SET pgrest.jwt_secret = 'regress-jwt-secret-of-at-least-32-bytes';
CREATE FUNCTION regress_sql(query text, token jsonb DEFAULT NULL,
                            OUT status int, OUT code text, OUT body text)
LANGUAGE sql AS $$
    SELECT r.status, r.body::jsonb->>'code',
           CASE WHEN r.status = 200 THEN r.body ELSE r.body::jsonb->>'details' END
    FROM pgrest.handle('POST', '/sql', NULL,
                       CASE WHEN token IS NULL THEN NULL
                            ELSE jsonb_build_object('Authorization', 'Bearer ' || regress_jwt(token)) END,
                       jsonb_build_object('query', query)::text) AS r
$$;

-- the README's row-level security pattern: users read their own rows
CREATE ROLE regress_pgrest_user NOLOGIN;
GRANT regress_pgrest_user TO regress_pgrest_authenticator;
CREATE TABLE sql_todos (id serial PRIMARY KEY,
                    owner text NOT NULL DEFAULT current_setting('request.jwt.claims')::jsonb->>'sub',
                    task text NOT NULL);
GRANT SELECT, INSERT ON sql_todos TO regress_pgrest_user, regress_pgrest_anon;
GRANT USAGE ON SEQUENCE sql_todos_id_seq TO regress_pgrest_user, regress_pgrest_anon;
ALTER TABLE sql_todos ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON sql_todos TO regress_pgrest_user
    USING (owner = current_setting('request.jwt.claims')::jsonb->>'sub');
INSERT INTO sql_todos (owner, task) VALUES ('alice', 'alice''s'), ('bob', 'bob''s');

-- plain queries work, as the request's role
SELECT * FROM regress_sql('SELECT task FROM sql_todos ORDER BY id',
                          '{"role": "regress_pgrest_user", "sub": "alice"}');
SELECT * FROM regress_sql('VALUES (1, ''a''), (2, ''b'')');
SELECT * FROM regress_sql('TABLE users ORDER BY id LIMIT 1');
SELECT * FROM regress_sql('WITH t AS (SELECT 1 AS x) SELECT x FROM t');
SELECT status, body::jsonb FROM regress_sql(
    'SELECT random() < 2 AS r, clock_timestamp() IS NOT NULL AS c, '
    'timeofday() IS NOT NULL AS t, gen_random_uuid() IS NOT NULL AS u, now() IS NOT NULL AS n');

-- forging identity: set_config in the same statement as the read
SELECT * FROM regress_sql(
    'SELECT set_config(''request.jwt.claims'', ''{"sub":"bob"}'', true), '
    '(SELECT json_agg(t) FROM sql_todos t)',
    '{"role": "regress_pgrest_user", "sub": "alice"}');
-- ... or through a function's SET clause
CREATE FUNCTION sql_todos_as_bob() RETURNS json LANGUAGE sql STABLE
    SET request.jwt.claims = '{"sub": "bob"}'
    AS $$ SELECT json_agg(t) FROM sql_todos t $$;
SELECT * FROM regress_sql('SELECT sql_todos_as_bob()',
                          '{"role": "regress_pgrest_user", "sub": "alice"}');
-- a SET clause for search_path only is fine
CREATE FUNCTION count_users() RETURNS bigint LANGUAGE sql STABLE
    SET search_path = public AS $$ SELECT count(*) FROM users $$;
SELECT * FROM regress_sql('SELECT count_users()');

-- writes, directly and by way of read-only tricks
SELECT * FROM regress_sql('DELETE FROM films');
SELECT * FROM regress_sql('DO $$BEGIN RESET transaction_read_only; INSERT INTO sql_todos (task) VALUES (''x''); END$$');
SELECT * FROM regress_sql('DO $$BEGIN SET LOCAL transaction_read_only TO DEFAULT; CREATE TABLE pwned (x int); END$$');
SELECT * FROM regress_sql('SELECT set_config(''transaction_read_only'', NULL, true)');
SELECT * FROM regress_sql('WITH gone AS (DELETE FROM sql_todos RETURNING *) SELECT count(*) FROM gone');
SELECT * FROM regress_sql('SELECT * INTO pwned FROM sql_todos');
SELECT * FROM regress_sql('SELECT * FROM sql_todos FOR UPDATE');
SELECT * FROM regress_sql('SELECT * FROM (SELECT * FROM users FOR SHARE) AS u');
SELECT * FROM regress_sql('SET LOCAL work_mem = ''1MB''');
SELECT * FROM regress_sql('RESET ROLE');
SELECT * FROM regress_sql('EXPLAIN ANALYZE SELECT 1');
SELECT * FROM regress_sql('COPY users TO STDOUT');
SELECT * FROM regress_sql('CALL nothing()');
SELECT * FROM regress_sql('SELECT 1; SELECT 2');
SELECT * FROM regress_sql('SELEC 1');

-- large objects, notifications, sequences, transaction ids
SELECT * FROM regress_sql('SELECT lo_from_bytea(0, ''x'')');
SELECT * FROM regress_sql('SELECT lo_create(0)');
SELECT * FROM regress_sql('SELECT lo_put(0, 0, ''x'')');
SELECT * FROM regress_sql('SELECT lo_truncate(0, 0)');
SELECT * FROM regress_sql('SELECT pg_notify(''channel'', ''x'')');
SELECT * FROM regress_sql('NOTIFY channel');
SELECT * FROM regress_sql('SELECT txid_current()');
SELECT * FROM regress_sql('SELECT nextval(''sql_todos_id_seq'')');
SELECT * FROM regress_sql('SELECT lastval()');
SELECT * FROM regress_sql('SELECT pg_advisory_lock(1)');
SELECT * FROM regress_sql('SELECT pg_sleep(0)');

-- nested: in views and in functions declared STABLE that lie
CREATE VIEW next_todo_id AS SELECT nextval('sql_todos_id_seq') AS id;
GRANT SELECT ON next_todo_id TO regress_pgrest_anon;
CREATE VIEW next_todo_id_again AS SELECT * FROM next_todo_id;
GRANT SELECT ON next_todo_id_again TO regress_pgrest_anon;
SELECT * FROM regress_sql('SELECT * FROM next_todo_id_again');
CREATE FUNCTION lying_sql() RETURNS bigint LANGUAGE sql STABLE
    AS $$ SELECT nextval('sql_todos_id_seq') $$;
SELECT * FROM regress_sql('SELECT lying_sql()');
CREATE FUNCTION lying_plpgsql() RETURNS bigint LANGUAGE plpgsql STABLE AS $$
DECLARE
    x bigint;
BEGIN
    x := nextval('sql_todos_id_seq');
    RETURN x;
END $$;
SELECT * FROM regress_sql('SELECT lying_plpgsql()');
CREATE FUNCTION lying_writer() RETURNS int LANGUAGE plpgsql STABLE AS $$
BEGIN
    RESET transaction_read_only;
    INSERT INTO sql_todos (task) VALUES ('x');
    RETURN 1;
END $$;
SELECT * FROM regress_sql('SELECT lying_writer()');
CREATE FUNCTION volatile_reader() RETURNS bigint LANGUAGE sql
    AS $$ SELECT count(*) FROM users $$;
SELECT * FROM regress_sql('SELECT volatile_reader()');

-- SQL-standard bodies (BEGIN ATOMIC ... END, RETURN ...) are kept as
-- query trees and never analyzed again: they are checked from the
-- catalog, as is whatever they call, and so are argument defaults
CREATE FUNCTION atomic_nextval() RETURNS bigint LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT nextval('sql_todos_id_seq');
END;
SELECT * FROM regress_sql('SELECT atomic_nextval()');
CREATE FUNCTION atomic_as_bob() RETURNS json LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT set_config('request.jwt.claims', '{"sub": "bob"}', true);
    SELECT json_agg(t) FROM sql_todos t;
END;
SELECT * FROM regress_sql('SELECT atomic_as_bob()',
                          '{"role": "regress_pgrest_user", "sub": "alice"}');
CREATE FUNCTION return_lock() RETURNS void LANGUAGE sql STABLE
    RETURN pg_advisory_lock(1);
SELECT * FROM regress_sql('SELECT return_lock()');
SELECT * FROM regress_sql('SELECT * FROM (VALUES (1)) AS v(x) WHERE return_lock() IS NULL');
CREATE FUNCTION atomic_writer() RETURNS int LANGUAGE sql
BEGIN ATOMIC
    INSERT INTO sql_todos (task) VALUES ('x');
    SELECT 1;
END;
CREATE FUNCTION atomic_calls_writer() RETURNS int LANGUAGE sql STABLE
    RETURN (SELECT atomic_writer());
SELECT * FROM regress_sql('SELECT atomic_calls_writer()');
CREATE FUNCTION atomic_view_reader() RETURNS bigint LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT id FROM next_todo_id;
END;
SELECT * FROM regress_sql('SELECT atomic_view_reader()');
-- through an operator
CREATE FUNCTION atomic_plus(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE
    RETURN a + b + nextval('sql_todos_id_seq')::int;
CREATE OPERATOR #+# (LEFTARG = int, RIGHTARG = int, FUNCTION = atomic_plus);
SELECT * FROM regress_sql('SELECT 1 #+# 2');
-- a default the call leaves out
CREATE FUNCTION default_nextval(n bigint DEFAULT nextval('sql_todos_id_seq'))
    RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT n';
SELECT * FROM regress_sql('SELECT default_nextval()');
-- recursion through CREATE OR REPLACE ends; harmless bodies run
CREATE FUNCTION atomic_count(depth int) RETURNS bigint LANGUAGE sql STABLE
    RETURN (SELECT count(*) FROM users);
CREATE OR REPLACE FUNCTION atomic_count(depth int) RETURNS bigint LANGUAGE sql STABLE
    RETURN CASE WHEN depth > 0 THEN atomic_count(depth - 1) ELSE (SELECT count(*) FROM users) END;
SELECT * FROM regress_sql('SELECT atomic_count(3) AS n');
SELECT * FROM regress_sql('SELECT default_nextval(7) AS n');

-- a function compiled by an earlier request on the same worker (its plans
-- kept in the session) is checked again inside /sql: one keep-alive
-- connection, so one worker
ALTER SYSTEM SET pgrest.sql_endpoint = on;
SELECT pg_reload_conf();
SELECT regress_wait_for($$(SELECT status = 200 FROM regress_http('POST', '/sql',
                           '-H "Content-Type: application/json" -d ''{"query": "SELECT 1"}'''))$$,
                        'the workers to serve /sql');
SELECT regress_program(format(
    'curl -sS -w "\n" %s --next -w "\n" %s '
    '--next -X POST -H "Content-Type: application/json" -d %s -w "\n" %s',
    regress_sh(regress_url('/rpc/lying_plpgsql')),
    regress_sh(regress_url('/rpc/lying_plpgsql')),
    regress_sh('{"query": "SELECT lying_plpgsql()"}'),
    regress_sh(regress_url('/sql'))));
ALTER SYSTEM RESET pgrest.sql_endpoint;
SELECT pg_reload_conf();

-- nothing was written, created or drawn
SELECT count(*) AS films FROM films;
SELECT count(*) AS sql_todos FROM sql_todos;
SELECT count(*) AS large_objects FROM pg_largeobject_metadata;
SELECT to_regclass('pwned') AS pwned;
SELECT last_value, is_called FROM sql_todos_id_seq;

-- the result is capped: pgrest.max_rows rows, pgrest.sql_max_response_size bytes
SET pgrest.max_rows = 2;
SELECT * FROM regress_sql('SELECT g FROM generate_series(1, 5) AS g');
RESET pgrest.max_rows;
SET pgrest.sql_max_response_size = '2kB';
SELECT status, code, body FROM regress_sql('SELECT repeat(''x'', 100) FROM generate_series(1, 100)');
SELECT status, length(body) FROM regress_sql('SELECT repeat(''x'', 100) FROM generate_series(1, 10)');
RESET pgrest.sql_max_response_size;

RESET pgrest.jwt_secret;
RESET pgrest.sql_endpoint;
