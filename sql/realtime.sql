--
-- realtime: what the decoder writes to the ring (make installcheck-realtime,
-- an instance with wal_level = logical, pgrest.realtime = on, a 1MB ring
-- and pgrest.realtime_max_tx_changes = 20: realtime.conf).  Records are
-- shown without what differs between runs (epoch, LSNs, xids, times):
-- tx numbers the transactions of a step, seq is the record's place in its
-- transaction.
--
CREATE EXTENSION pgrest;
CREATE ROLE regress_pgrest_authenticator LOGIN NOINHERIT;
CREATE ROLE regress_pgrest_anon NOLOGIN;
GRANT regress_pgrest_anon TO regress_pgrest_authenticator;

-- the decoder started (it waits for this database to be created) and runs
SELECT pgrest._realtime_wait(60000) AS decoding;
SELECT state, reason, slot_name ~ '^pgrest_[0-9a-f]{8}$' AS slot_named,
       slot_name = 'pgrest_' || epoch AS epoch_in_name,
       ring_size, ring_records, capped, evicted, epochs
FROM pgrest.realtime_status();
SELECT slot_name ~ '^pgrest_', plugin, slot_type, database, active
FROM pg_replication_slots;

-- the id of the newest record (or the ring's position): a mark
CREATE FUNCTION rt_mark() RETURNS text LANGUAGE sql
AS $$ SELECT newest_id FROM pgrest.realtime_status() $$;
-- an id's order: its commit LSN (fixed-width hex), then its seq
CREATE FUNCTION rt_key(id text) RETURNS text LANGUAGE sql IMMUTABLE
AS $$ SELECT split_part(id, '-', 2) || lpad(split_part(id, '-', 3), 10, '0') $$;
-- the records after a mark, once the decoder has decoded every commit
CREATE FUNCTION rt_after(mark text)
RETURNS TABLE (tx bigint, seq int, op text, rel regclass, vals jsonb)
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT pgrest._realtime_wait() THEN
        RAISE EXCEPTION 'the decoder did not catch up';
    END IF;
    RETURN QUERY
        SELECT dense_rank() OVER (ORDER BY split_part(p.id, '-', 2)),
               split_part(p.id, '-', 3)::int, p.op, p.relid, p."values"
        FROM pgrest._realtime_peek() p
        WHERE rt_key(p.id) > rt_key(mark)
        ORDER BY rt_key(p.id);
END $$;

CREATE TABLE todos (id int PRIMARY KEY, task text, done bool, owner text);
CREATE TABLE unpublished (id int PRIMARY KEY);
CREATE PUBLICATION pgrest_realtime FOR TABLE todos;

-- each operation; two rows in one transaction; a key that changes
SELECT rt_mark() AS mark \gset
INSERT INTO todos VALUES (1, 'one', false, 'ann'), (2, 'two', true, 'bob');
UPDATE todos SET done = true WHERE id = 1;
UPDATE todos SET id = 20 WHERE id = 2;
DELETE FROM todos WHERE id = 1;
INSERT INTO unpublished VALUES (1);
TRUNCATE todos;
SELECT * FROM rt_after(:'mark');

-- a transaction that rolls back leaves nothing; savepoints rolled back
-- leave nothing of theirs
SELECT rt_mark() AS mark \gset
BEGIN;
INSERT INTO todos VALUES (3, 'three', false, 'ann');
ROLLBACK;
BEGIN;
INSERT INTO todos VALUES (4, 'four', false, 'ann');
SAVEPOINT s;
INSERT INTO todos VALUES (5, 'five', false, 'ann');
ROLLBACK TO SAVEPOINT s;
UPDATE todos SET task = 'FOUR' WHERE id = 4;
COMMIT;
SELECT * FROM rt_after(:'mark');

-- the publication's actions
ALTER PUBLICATION pgrest_realtime SET (publish = 'insert, delete');
SELECT rt_mark() AS mark \gset
INSERT INTO todos VALUES (6, 'six', false, 'cy');
UPDATE todos SET done = true WHERE id = 6;
DELETE FROM todos WHERE id = 6;
TRUNCATE todos;
SELECT * FROM rt_after(:'mark');
ALTER PUBLICATION pgrest_realtime SET (publish = 'insert, update, delete, truncate');

-- tables added to and dropped from the publication count from the commit
-- of the change on; in one transaction, from the command on
SELECT rt_mark() AS mark \gset
INSERT INTO unpublished VALUES (2);
ALTER PUBLICATION pgrest_realtime ADD TABLE unpublished;
INSERT INTO unpublished VALUES (3);
ALTER PUBLICATION pgrest_realtime DROP TABLE unpublished;
INSERT INTO unpublished VALUES (4);
BEGIN;
INSERT INTO unpublished VALUES (5);
ALTER PUBLICATION pgrest_realtime ADD TABLE unpublished;
INSERT INTO unpublished VALUES (6);
COMMIT;
ALTER PUBLICATION pgrest_realtime DROP TABLE unpublished;
SELECT * FROM rt_after(:'mark');

-- FOR TABLES IN SCHEMA, FOR ALL TABLES, no publication at all
CREATE SCHEMA rt;
CREATE TABLE rt.items (id int PRIMARY KEY);
SELECT rt_mark() AS mark \gset
INSERT INTO rt.items VALUES (1);
ALTER PUBLICATION pgrest_realtime ADD TABLES IN SCHEMA rt;
INSERT INTO rt.items VALUES (2);
DROP PUBLICATION pgrest_realtime;
INSERT INTO rt.items VALUES (3);
INSERT INTO todos VALUES (7, 'seven', false, 'dee');
CREATE PUBLICATION pgrest_realtime FOR ALL TABLES;
INSERT INTO rt.items VALUES (4);
INSERT INTO unpublished VALUES (7);
DROP PUBLICATION pgrest_realtime;
CREATE PUBLICATION pgrest_realtime FOR TABLE todos, rt.items;
INSERT INTO rt.items VALUES (5);
SELECT * FROM rt_after(:'mark');

-- partitions stream as their root, in the root's columns (a partition
-- whose columns are in another order, one attached from outside, one
-- with a dropped column); an update that moves a row across partitions
-- is a delete and an insert; a truncate of partitions is one of the root
CREATE TABLE rt.events (id int, day int, note text, PRIMARY KEY (id, day))
    PARTITION BY RANGE (day);
CREATE TABLE rt.events_1 PARTITION OF rt.events FOR VALUES FROM (0) TO (10);
CREATE TABLE rt.events_2 (note text, gone int, day int, id int NOT NULL,
                          PRIMARY KEY (id, day));
ALTER TABLE rt.events_2 DROP COLUMN gone;
ALTER TABLE rt.events ATTACH PARTITION rt.events_2 FOR VALUES FROM (10) TO (20);
CREATE TABLE rt.events_3 PARTITION OF rt.events FOR VALUES FROM (20) TO (30)
    PARTITION BY RANGE (day);
CREATE TABLE rt.events_3a PARTITION OF rt.events_3 FOR VALUES FROM (20) TO (30);
ALTER PUBLICATION pgrest_realtime ADD TABLE rt.events;
SELECT rt_mark() AS mark \gset
INSERT INTO rt.events VALUES (1, 5, 'a'), (2, 15, 'b'), (3, 25, 'c');
UPDATE rt.events SET day = 16 WHERE id = 1;
UPDATE rt.events SET note = 'B' WHERE id = 2;
TRUNCATE rt.events_1, rt.events_2;
SELECT * FROM rt_after(:'mark');
-- only a partition in the publication: it streams as itself
ALTER PUBLICATION pgrest_realtime DROP TABLE rt.events;
ALTER PUBLICATION pgrest_realtime ADD TABLE rt.events_2;
SELECT rt_mark() AS mark \gset
INSERT INTO rt.events VALUES (4, 6, 'd'), (5, 16, 'e');
SELECT * FROM rt_after(:'mark');
ALTER PUBLICATION pgrest_realtime DROP TABLE rt.events_2;
ALTER PUBLICATION pgrest_realtime ADD TABLE rt.events;

-- composite keys, text keys with any character, NULL and long values
CREATE TABLE rt.pairs (a text, b date, c int, PRIMARY KEY (a, b));
ALTER PUBLICATION pgrest_realtime ADD TABLE rt.pairs;
SELECT rt_mark() AS mark \gset
INSERT INTO rt.pairs VALUES (E'x"y\\z\nzoë', '2026-12-04', NULL);
UPDATE rt.pairs SET b = '2026-12-05';
DELETE FROM rt.pairs;
SELECT * FROM rt_after(:'mark');

-- a table without a primary key: records without values
CREATE TABLE rt.nokey (a int);
ALTER PUBLICATION pgrest_realtime ADD TABLE rt.nokey;
SELECT rt_mark() AS mark \gset
INSERT INTO rt.nokey VALUES (1);
SELECT * FROM rt_after(:'mark');

-- prefilter columns: a process that listens to a table and compares
-- columns with eq/in gets them in the records written from then on: of
-- the new row; of the old one for a DELETE when the replica identity is
-- FULL; long values and TOAST values the WAL does not carry are unknown
CREATE TABLE rt.rooms (id int PRIMARY KEY, room int, owner text, big text);
ALTER TABLE rt.rooms ALTER COLUMN big SET STORAGE EXTERNAL;
ALTER PUBLICATION pgrest_realtime ADD TABLE rt.rooms;
SELECT pgrest._realtime_listen('rt.rooms', '{2,3,1,4,99}');
SELECT rt_mark() AS mark \gset
INSERT INTO rt.rooms VALUES (1, 7, 'ann', 'small'), (2, NULL, repeat('x', 300), repeat('y', 5000));
UPDATE rt.rooms SET room = 8 WHERE id = 2;
DELETE FROM rt.rooms WHERE id = 1;
ALTER TABLE rt.rooms REPLICA IDENTITY FULL;
DELETE FROM rt.rooms WHERE id = 2;
SELECT * FROM rt_after(:'mark');
-- it stops listening: keys only again
SELECT pgrest._realtime_listen('rt.rooms', NULL);
SELECT rt_mark() AS mark \gset
INSERT INTO rt.rooms VALUES (3, 9, 'cy', 'z');
SELECT * FROM rt_after(:'mark');

-- the cap: past pgrest.realtime_max_tx_changes (20) changes of a table in
-- one transaction, its records are one TOO_MANY record, after the
-- transaction's other records; a transaction whose records pass a quarter
-- of the ring (256kB here) gives TOO_MANY for every table it changed; so
-- does a key too long for a record (64kB: such keys compress well enough
-- for an index)
CREATE TABLE rt.bulk (id int PRIMARY KEY);
CREATE TABLE rt.wide (k text PRIMARY KEY);
ALTER PUBLICATION pgrest_realtime ADD TABLE rt.bulk, rt.wide;
SELECT rt_mark() AS mark \gset
INSERT INTO rt.bulk SELECT generate_series(1, 20);
BEGIN;
INSERT INTO todos VALUES (8, 'eight', false, 'eve');
INSERT INTO rt.bulk SELECT generate_series(21, 41);
INSERT INTO todos VALUES (9, 'nine', false, 'eve');
COMMIT;
SELECT tx, seq, op, rel, jsonb_array_length(vals) AS nvals
FROM rt_after(:'mark') ORDER BY tx, seq;
SELECT rt_mark() AS mark \gset
BEGIN;
INSERT INTO todos VALUES (10, 'ten', false, 'eve');
INSERT INTO rt.wide SELECT i || repeat('w', 14000) FROM generate_series(1, 20) i;
COMMIT;
BEGIN;
INSERT INTO todos VALUES (11, 'eleven', false, 'eve');
INSERT INTO rt.wide VALUES ('x' || repeat('w', 70000)), ('short');
COMMIT;
SELECT tx, seq, op, rel, jsonb_array_length(vals) AS nvals
FROM rt_after(:'mark') ORDER BY tx, seq;
SELECT capped FROM pgrest.realtime_status();

-- ids strictly increase in the ring; seq counts from 0 in each transaction
SELECT bool_and(rt_key(id) > prev) AS increasing,
       bool_and(split_part(id, '-', 3)::int = 0 OR split_part(id, '-', 2) = split_part(previd, '-', 2)) AS seq_in_tx
FROM (SELECT id, lag(rt_key(id), 1, '') OVER (ORDER BY rt_key(id)) AS prev,
             lag(id, 1, '') OVER (ORDER BY rt_key(id)) AS previd
      FROM pgrest._realtime_peek()) r;

-- the ring wraps: 20,000 one-row transactions (about 1.1MB of records,
-- with synchronous_commit off, so that the decoder finds commits not yet
-- flushed) evict the oldest; the floor moves to the newest evicted, and
-- what is left is whole, in order, and ends with the last row
CREATE PROCEDURE rt_many(n int) LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1..n LOOP
        INSERT INTO rt.bulk VALUES (1000 + i);
        COMMIT;
    END LOOP;
END $$;
SELECT floor_id AS floor_before FROM pgrest.realtime_status() \gset
SET synchronous_commit = off;
CALL rt_many(20000);
RESET synchronous_commit;
SELECT pgrest._realtime_wait() AS decoded;
SELECT evicted > 0 AS evicted, floor_id <> :'floor_before' AS floor_moved,
       ring_used <= ring_size AS fits, transactions >= 20000 AS transactions
FROM pgrest.realtime_status();
SELECT count(*) = (SELECT ring_records FROM pgrest.realtime_status()) AS all_records,
       min(rt_key(id)) > rt_key((SELECT floor_id FROM pgrest.realtime_status())) AS above_floor,
       bool_and(op = 'I' AND relid = 'rt.bulk'::regclass) AS only_bulk,
       max(("values"->0->>'value')::int) AS last_row
FROM pgrest._realtime_peek();

-- what the decoder shows: /metrics' samples in pgrest.stats()
SELECT name, labels, value FROM pgrest.stats()
WHERE name LIKE 'pgrest_realtime_%'
  AND name NOT LIKE 'pgrest_realtime_commit_to_ring_seconds%'
  AND name NOT IN ('pgrest_realtime_decoder_lag_seconds', 'pgrest_realtime_decoder_lag_bytes',
                   'pgrest_realtime_retained_wal_bytes', 'pgrest_realtime_ring_used_bytes',
                   'pgrest_realtime_ring_records', 'pgrest_realtime_transactions_total',
                   'pgrest_realtime_changes_total', 'pgrest_realtime_evicted_total',
                   'pgrest_realtime_decoder_restarts_total')
ORDER BY name, labels::text;

-- the output plugin serves the decoder only: the ring has one writer
DO $$
BEGIN
    -- builds of PostgreSQL 15 that list trusted output plugins
    IF EXISTS (SELECT FROM pg_settings WHERE name = 'output_plugin_libraries') THEN
        PERFORM set_config('output_plugin_libraries', 'pgrest', false);
    END IF;
END $$;
SELECT pg_create_logical_replication_slot('regress_mine', 'pgrest');

-- the decoder is one process, with the slot active
SELECT backend_type, count(*) FROM pg_stat_activity
WHERE backend_type = 'pgrest realtime decoder' GROUP BY 1;
SELECT count(*) AS slots, bool_and(active) AS active FROM pg_replication_slots;

-- no process of this instance died of a signal
SELECT count(*) AS processes_killed_by_signals
FROM regexp_split_to_table(
        pg_read_file(current_setting('data_directory') || '/../../log/postmaster.log'),
        E'\n') AS line
WHERE line ~ 'terminated by signal|was terminated by exception';
