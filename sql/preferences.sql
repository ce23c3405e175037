--
-- preferences: Prefer: tx=, handling=strict with max-affected, and
-- pgrest.tx_end.
--
CREATE TABLE counters (id int PRIMARY KEY, n int);
INSERT INTO counters VALUES (1, 0), (2, 0), (3, 0);
GRANT SELECT, INSERT, UPDATE, DELETE ON counters TO regress_pgrest_anon;
CREATE FUNCTION counter_rows() RETURNS text LANGUAGE sql
    AS $$ SELECT string_agg(id || '=' || n, ' ' ORDER BY id) FROM counters $$;

-- tx=rollback: the response is the same, nothing stays
SELECT * FROM req('PATCH', '/counters?id=eq.1', '{"n": 10}', '{"Prefer": "tx=rollback, return=representation"}');
SELECT counter_rows();
SELECT * FROM req('PATCH', '/counters?id=eq.1', '{"n": 11}', '{"Prefer": "tx=commit"}');
SELECT counter_rows();
-- pgrest.tx_end decides whether Prefer: tx may override it
SET pgrest.tx_end = 'commit';
SELECT * FROM req('PATCH', '/counters?id=eq.2', '{"n": 20}', '{"Prefer": "tx=rollback"}');
SELECT counter_rows();
SET pgrest.tx_end = 'rollback';
SELECT * FROM req('PATCH', '/counters?id=eq.2', '{"n": 21}', '{"Prefer": "tx=commit"}');
SELECT counter_rows();
SET pgrest.tx_end = 'rollback-allow-override';
SELECT * FROM req('PATCH', '/counters?id=eq.3', '{"n": 30}');
SELECT * FROM req('PATCH', '/counters?id=eq.3', '{"n": 31}', '{"Prefer": "tx=commit"}');
SELECT counter_rows();
RESET pgrest.tx_end;

-- max-affected, with handling=strict only
SELECT * FROM req('PATCH', '/counters?id=gt.0', '{"n": 0}', '{"Prefer": "handling=strict, max-affected=2"}');
SELECT counter_rows();
SELECT * FROM req('PATCH', '/counters?id=gt.1', '{"n": 5}', '{"Prefer": "handling=strict, max-affected=2"}');
SELECT * FROM req('PATCH', '/counters?id=gt.0', '{"n": 7}', '{"Prefer": "max-affected=1"}');
SELECT * FROM req('DELETE', '/counters?id=gt.0', NULL, '{"Prefer": "handling=strict, max-affected=1"}');
SELECT counter_rows();
-- strict refuses what it does not know
SELECT * FROM req('PATCH', '/counters?id=eq.1', '{"n": 1}', '{"Prefer": "handling=strict, max-affected=many"}');
SELECT * FROM req('POST', '/counters', '{"id": 9, "n": 1}', '{"Prefer": "handling=strict, tx=maybe"}');
SELECT counter_rows();

-- timezone=: the request's TimeZone (timestamps come back in it), echoed
-- in Preference-Applied; a zone PostgreSQL refuses is 400 22023, whatever
-- handling= says
CREATE TABLE stamps (id int, at timestamptz);
INSERT INTO stamps VALUES (1, '2024-06-01 12:00:00+00');
GRANT SELECT ON stamps TO regress_pgrest_anon;
SET timezone = 'Europe/Paris';
SELECT r.status, r.headers->>'Preference-Applied' AS applied, r.body
FROM pgrest.handle('GET', '/stamps?select=at', NULL, '{"Prefer": "timezone=America/Los_Angeles"}') AS r;
SELECT r.status, r.headers->>'Preference-Applied' AS applied, r.body
FROM pgrest.handle('GET', '/stamps?select=at', NULL, '{"Prefer": "handling=strict, timezone=+05:30"}') AS r;
SELECT r.status, r.body::jsonb
FROM pgrest.handle('GET', '/stamps', NULL, '{"Prefer": "handling=lenient, timezone=Nowhere/Atlantis"}') AS r;
SELECT r.status, r.body::jsonb
FROM pgrest.handle('GET', '/stamps', NULL, '{"Prefer": "timezone=05:30:15"}') AS r;
-- it lasts as long as the request
SELECT current_setting('timezone');
RESET timezone;
DROP TABLE stamps;

-- pgrest.server_timing: the stages' milliseconds on successful responses
SET pgrest.server_timing = on;
SELECT r.status, regexp_replace(r.headers->>'Server-Timing', '[0-9]+\.[0-9]', 'N', 'g') AS timing
FROM pgrest.handle('GET', '/counters?id=eq.1') AS r;
SELECT r.status, regexp_replace(r.headers->>'Server-Timing', '[0-9]+\.[0-9]', 'N', 'g') AS timing
FROM pgrest.handle('OPTIONS', '/counters') AS r;
SELECT r.status, r.headers ? 'Server-Timing' AS timed
FROM pgrest.handle('GET', '/counters?id=nope.1') AS r;
RESET pgrest.server_timing;
SELECT r.status, r.headers ? 'Server-Timing' AS timed
FROM pgrest.handle('GET', '/counters?id=eq.1') AS r;
