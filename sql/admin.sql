--
-- admin: the admin port (pgrest.admin_port) answers /live, /ready and
-- /metrics from shared memory, without a transaction; pgrest.stats()
-- shows the same counters in SQL.
--
CREATE FUNCTION regress_admin(path text, options text DEFAULT '')
RETURNS TABLE (status int, body text)
LANGUAGE sql AS $$
    SELECT split_part(lines[1], ' ', 2)::int, lines[cardinality(lines)]
    FROM (SELECT ARRAY(SELECT regress_program(format(
        'curl -sS -i --max-time 20 %s %s', options,
        regress_sh('http://127.0.0.1:' || current_setting('pgrest.admin_port') || path))))
        AS lines) AS r
$$;

SELECT pgrest.wait_ready(30000);
SELECT * FROM regress_admin('/live');
-- ready once the workers have loaded their schema cache
SELECT regress_wait_for($$(SELECT status = 200 FROM regress_admin('/ready'))$$, 'ready');
SELECT status, body::jsonb FROM regress_admin('/ready');
SELECT status, body::jsonb->>'reason' AS reason FROM regress_admin('/ready?role=standby');
SELECT status, body::jsonb->>'ready' AS ready FROM regress_admin('/ready?role=primary');
SELECT status, body::jsonb->>'code' AS code FROM regress_admin('/ready?role=leader');
SELECT status, body::jsonb->>'code' AS code FROM regress_admin('/users');
SELECT status, body::jsonb->>'code' AS code FROM regress_admin('/live', '-X POST');
-- no request body: refused before it is read
SELECT status, body::jsonb->>'code' AS code FROM regress_admin('/ready', '-d x');
-- the API port does not serve them: there, they are relation names
SELECT status FROM regress_http('GET', '/live');

-- /metrics in Prometheus' text format
SELECT line
FROM regress_program('curl -sS --max-time 20 http://127.0.0.1:' ||
                     current_setting('pgrest.admin_port') || '/metrics') AS line
WHERE line LIKE '# TYPE%';

-- pgrest.stats(): the same samples; every request is in the histogram
SELECT DISTINCT name FROM pgrest.stats() ORDER BY 1;
SELECT (SELECT sum(value) FROM pgrest.stats() WHERE name = 'pgrest_requests_total') =
       (SELECT value FROM pgrest.stats() WHERE name = 'pgrest_request_duration_seconds_count')
       AS consistent;
SELECT value > 0 AS counted FROM pgrest.stats()
WHERE name = 'pgrest_requests_total' AND labels = '{"method": "GET", "status": "404"}';
SELECT labels, value FROM pgrest.stats() WHERE name = 'pgrest_workers' ORDER BY 1;
SELECT value >= 2 AS loaded FROM pgrest.stats() WHERE name = 'pgrest_schema_cache_loads_total';
-- a request through a worker is counted at once
CREATE TEMP TABLE before AS
    SELECT value FROM pgrest.stats()
    WHERE name = 'pgrest_requests_total' AND labels = '{"method": "HEAD", "status": "200"}';
SELECT status FROM regress_http('HEAD', '/users');
SELECT (SELECT value FROM pgrest.stats()
        WHERE name = 'pgrest_requests_total' AND labels = '{"method": "HEAD", "status": "200"}')
       - coalesce((SELECT value FROM before), 0) AS new_heads;

-- readable by pg_monitor, by nobody else
CREATE ROLE regress_monitor IN ROLE pg_monitor;
CREATE ROLE regress_nobody;
SET ROLE regress_monitor;
SELECT count(*) > 0 AS readable FROM pgrest.stats();
SET ROLE regress_nobody;
SELECT count(*) FROM pgrest.stats();
RESET ROLE;
DROP ROLE regress_monitor, regress_nobody;
DROP FUNCTION regress_admin(text, text);
