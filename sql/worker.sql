--
-- worker: the processes behind the port.
--
SELECT pgrest.wait_ready(60000);

-- the workers show up in pg_stat_activity, named and with their last request
SELECT backend_type, application_name, usename, datname
FROM pg_stat_activity WHERE backend_type = 'pgrest' ORDER BY pid;
SELECT status FROM regress_http('GET', '/users?id=gte.1');
SELECT count(*) FROM pg_stat_activity
WHERE backend_type = 'pgrest' AND query = 'GET /users?id=gte.1';

-- pg_reload_conf() applies pgrest.statement_timeout and pgrest.max_body_size
CREATE VIEW live_settings AS
    SELECT current_setting('pgrest.statement_timeout') AS statement_timeout,
           current_setting('pgrest.max_body_size') AS max_body_size;
GRANT SELECT ON live_settings TO regress_pgrest_anon;
-- a body that is still arriving when the reload lowers the limit keeps
-- the limit its request began with (20,000 bytes of blanks: 400, not 413;
-- the worker used to shrink the buffer under the bytes it held, and crash)
SELECT regress_program(format(
    'bash -c %s > %s 2>&1 < /dev/null &',
    regress_sh(format(
        'exec 3<>/dev/tcp/127.0.0.1/%s; '
        'printf "POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 20000\r\n\r\n" >&3; '
        'head -c 5000 /dev/zero | tr "\0" " " >&3; touch %s.started; sleep 3; '
        'head -c 15000 /dev/zero | tr "\0" " " >&3; timeout 10 head -n 1 <&3 | tr -d "\r"',
        current_setting('pgrest.port'),
        current_setting('data_directory') || '/regress_slow_upload')),
    current_setting('data_directory') || '/regress_slow_upload'));
-- the headers and the first 5,000 bytes are in before the reload
SELECT regress_wait_for($$(pg_stat_file('regress_slow_upload.started', true)).size IS NOT NULL$$,
                        'the slow upload to start');
SELECT pg_sleep(0.5);
ALTER SYSTEM SET pgrest.statement_timeout = '300ms';
ALTER SYSTEM SET pgrest.max_body_size = '1kB';
SELECT pg_reload_conf();
SELECT regress_wait_for($$(SELECT body::jsonb->0->>'statement_timeout' = '300ms'
                          FROM regress_http('GET', '/live_settings', '-H "Connection: close"'))$$,
                        'the workers to apply the new settings');
SELECT status, body::jsonb FROM regress_http('GET', '/live_settings');
SELECT regress_wait_for($$(pg_stat_file('regress_slow_upload', true)).size > 0$$,
                        'the slow upload''s answer');
SELECT pg_read_file('regress_slow_upload');

-- a request stopped by the statement timeout; the worker serves on
SELECT pg_advisory_lock(4242);
SELECT status, body::jsonb FROM regress_http('GET', '/gate');
SELECT pg_advisory_unlock(4242);
SELECT status FROM regress_http('GET', '/users');

-- a request that catches its cancellation and returns is answered; the
-- cancel never reaches the next request, even one already waiting on the
-- same connection (both requests are sent at once)
CREATE FUNCTION swallow_once() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_sleep(60);
    RETURN 'slept';
EXCEPTION WHEN query_canceled THEN
    RETURN 'swallowed';
END $$;
SELECT regress_program(format(
    'exec 3<>/dev/tcp/127.0.0.1/%s; printf %s >&3; timeout 60 head -c 4000 <&3 | grep -a -e "^HTTP/" -e "^\"" -e "^\["',
    current_setting('pgrest.port'),
    regress_sh(E'POST /rpc/swallow_once HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}'
               || E'GET /users?select=id&id=eq.1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')));
-- a request that swallows every cancellation is ended all the same: a
-- second after its timeout the worker exits (FATAL, no answer) and is
-- started again
CREATE FUNCTION stubborn() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    LOOP
        BEGIN
            PERFORM pg_sleep(0.05);
        EXCEPTION WHEN query_canceled THEN
            NULL;
        END;
    END LOOP;
END $$;
SELECT regress_program(format(
    'curl -s -o /dev/null -w "%%{http_code}" --max-time 20 -X POST -H "Content-Type: application/json" -d "{}" %s',
    regress_sh(regress_url('/rpc/stubborn'))));
SELECT pgrest.wait_ready(60000);
SELECT status FROM regress_http('GET', '/users');

-- bodies over pgrest.max_body_size get 413, declared or chunked
SELECT status, body::jsonb->>'code' AS code
FROM regress_http('POST', '/users', '--data-binary "$(head -c 2000 /dev/zero | tr ''\0'' a)"');
SELECT status, body::jsonb->>'code' AS code
FROM regress_http('POST', '/users', '-H "Transfer-Encoding: chunked" --data-binary "$(head -c 2000 /dev/zero | tr ''\0'' a)"');
-- a body under the limit reaches the pipeline (as a form: no column "small")
SELECT status, body::jsonb->>'code' AS code
FROM regress_http('POST', '/users', '--data-binary "small"');

ALTER SYSTEM RESET pgrest.statement_timeout;
ALTER SYSTEM RESET pgrest.max_body_size;
SELECT pg_reload_conf();

-- a cancel sent to an idle worker leaves it serving
SELECT pid AS worker INTO TEMP before_cancel FROM pg_stat_activity WHERE backend_type = 'pgrest';
SELECT count(pg_cancel_backend(worker)) FROM before_cancel;
SELECT status FROM regress_http('GET', '/users');
SELECT status FROM regress_http('GET', '/users');
SELECT pg_sleep(0.5);
SELECT pg_stat_clear_snapshot();
SELECT count(*) FROM pg_stat_activity WHERE pid IN (SELECT worker FROM before_cancel);

-- pgrest.connection_limit: with both workers full of idle keep-alive
-- connections, a new client is not kept out: the worker sheds the
-- connection that waited longest for a request (408) to take it
ALTER SYSTEM SET pgrest.connection_limit = 2;
SELECT pg_reload_conf();
CREATE VIEW live_limit AS
    SELECT current_setting('pgrest.connection_limit') AS connection_limit;
GRANT SELECT ON live_limit TO regress_pgrest_anon;
SELECT regress_wait_for($$(SELECT count(*) = 0 FROM generate_series(1, 6),
                          LATERAL regress_http('GET', '/live_limit', '-H "Connection: close"')
                          WHERE body::jsonb->0->>'connection_limit' <> '2')$$,
                        'the workers to apply the connection limit');
-- four keep-alive clients, each answered once, then holding its connection
-- until the file regress_release exists (30 s at most)
SELECT count(*) FROM generate_series(1, 4) AS holder,
LATERAL regress_program(format(
    'bash -c %s > /dev/null 2>&1 < /dev/null &',
    regress_sh(format(
        'exec 3<>/dev/tcp/127.0.0.1/%s; '
        'printf "GET /live_limit HTTP/1.1\r\nHost: x\r\n\r\n" >&3; '
        'timeout 10 head -n 1 <&3 | grep -q " 200 " && touch %s; '
        'for i in $(seq 300); do [ -e %s ] && break; sleep 0.1; done',
        current_setting('pgrest.port'),
        current_setting('data_directory') || '/regress_holder_' || holder,
        current_setting('data_directory') || '/regress_release'))));
SELECT regress_wait_for($$(SELECT count(*) = 4 FROM generate_series(1, 4) AS holder
                          WHERE (pg_stat_file('regress_holder_' || holder, true)).size IS NOT NULL)$$,
                        'four connections to be served and held');
-- a fifth client is answered while they are held ...
SELECT regress_program(format(
    'curl -s -o /dev/null -w "%%{http_code}" --max-time 20 %s > %s 2>&1 < /dev/null &',
    regress_sh(regress_url('/live_limit')),
    current_setting('data_directory') || '/regress_queued'));
SELECT regress_wait_for($$pg_read_file('regress_queued') <> ''$$, 'the fifth client''s answer');
SELECT pg_read_file('regress_queued') AS answered;
SELECT regress_program('touch ' || regress_sh(current_setting('data_directory') || '/regress_release'));
ALTER SYSTEM RESET pgrest.connection_limit;
SELECT pg_reload_conf();
SELECT regress_wait_for($$(SELECT count(*) = 0 FROM generate_series(1, 6),
                          LATERAL regress_http('GET', '/live_limit', '-H "Connection: close"')
                          WHERE body::jsonb->0->>'connection_limit' <> '1024')$$,
                        'the workers to restore the connection limit');

-- the authenticator turned superuser: every request is refused, at once
ALTER ROLE regress_pgrest_authenticator SUPERUSER;
SELECT status, body::jsonb FROM regress_http('GET', '/users');
ALTER ROLE regress_pgrest_authenticator NOSUPERUSER;
SELECT status FROM regress_http('GET', '/users');

-- DROP DATABASE of another database is not held up by the workers
CREATE DATABASE regress_pgrest_other;
DROP DATABASE regress_pgrest_other;

-- a terminated worker is restarted and serves again
SELECT count(pg_terminate_backend(worker, 30000)) FROM before_cancel;
SELECT pgrest.wait_ready(60000);
SELECT status FROM regress_http('GET', '/users');
