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
