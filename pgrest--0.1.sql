/* pgrest--0.1.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION pgrest" to load this file. \quit

-- Public API

CREATE FUNCTION handle(
    method text,
    path text,
    query text DEFAULT NULL,
    headers jsonb DEFAULT NULL,
    body text DEFAULT NULL,
    OUT status int,
    OUT headers jsonb,
    OUT body text)
RETURNS record
LANGUAGE C
AS 'MODULE_PATHNAME', 'pgrest_handle';

COMMENT ON FUNCTION handle(text, text, text, jsonb, text) IS
'Run one HTTP request through the pgrest pipeline in this session, nested in the current transaction';

REVOKE ALL ON FUNCTION handle(text, text, text, jsonb, text) FROM PUBLIC;

CREATE FUNCTION wait_ready(timeout_ms int DEFAULT 10000)
RETURNS boolean
LANGUAGE C STRICT
AS 'MODULE_PATHNAME', 'pgrest_wait_ready';

COMMENT ON FUNCTION wait_ready(int) IS
'Wait until every pgrest HTTP worker serves, for at most timeout_ms; returns whether they all do';

CREATE FUNCTION reload()
RETURNS void
LANGUAGE C
AS 'MODULE_PATHNAME', 'pgrest_reload';

COMMENT ON FUNCTION reload() IS
'Make every pgrest worker rebuild its schema cache before its next request';

REVOKE ALL ON FUNCTION reload() FROM PUBLIC;

CREATE FUNCTION stats(OUT name text, OUT labels jsonb, OUT value double precision)
RETURNS SETOF record
LANGUAGE C STRICT
AS 'MODULE_PATHNAME', 'pgrest_stats';

COMMENT ON FUNCTION stats() IS
'The counters of the pgrest HTTP workers, summed over all of them: the samples of /metrics on the admin port';

REVOKE ALL ON FUNCTION stats() FROM PUBLIC;
GRANT USAGE ON SCHEMA @extschema@ TO pg_monitor;
GRANT EXECUTE ON FUNCTION stats() TO pg_monitor;

CREATE FUNCTION realtime_status(
    OUT state text,
    OUT reason text,
    OUT slot_name text,
    OUT epoch text,
    OUT newest_id text,
    OUT floor_id text,
    OUT ring_size bigint,
    OUT ring_used bigint,
    OUT ring_records bigint,
    OUT oldest_lsn pg_lsn,
    OUT oldest_time timestamptz,
    OUT decoded_lsn pg_lsn,
    OUT confirmed_lsn pg_lsn,
    OUT lag_bytes bigint,
    OUT lag_seconds double precision,
    OUT retained_wal_bytes bigint,
    OUT transactions bigint,
    OUT changes bigint,
    OUT capped bigint,
    OUT evicted bigint,
    OUT epochs bigint,
    OUT decoder_restarts bigint,
    OUT wakeups bigint)
RETURNS record
LANGUAGE C STRICT
AS 'MODULE_PATHNAME', 'pgrest_realtime_status';

COMMENT ON FUNCTION realtime_status() IS
'Realtime''s state: the decoder, its replication slot and epoch, the shared ring of changes, lag and counters';

REVOKE ALL ON FUNCTION realtime_status() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION realtime_status() TO pg_monitor;

-- API: Private

CREATE FUNCTION _preloaded()
RETURNS boolean
LANGUAGE C STRICT
AS 'MODULE_PATHNAME', 'pgrest_preloaded';

COMMENT ON FUNCTION _preloaded() IS
'Private: whether pgrest is in shared_preload_libraries';

CREATE FUNCTION _realtime_peek(
    OUT id text,
    OUT op text,
    OUT relid regclass,
    OUT xid xid,
    OUT commit_time timestamptz,
    OUT "values" jsonb)
RETURNS SETOF record
LANGUAGE C STRICT
AS 'MODULE_PATHNAME', 'pgrest_realtime_peek';

COMMENT ON FUNCTION _realtime_peek() IS
'Private, for tests: the change records in the realtime ring now, oldest first';

REVOKE ALL ON FUNCTION _realtime_peek() FROM PUBLIC;

CREATE FUNCTION _realtime_wait(timeout_ms int DEFAULT 10000)
RETURNS boolean
LANGUAGE C STRICT
AS 'MODULE_PATHNAME', 'pgrest_realtime_wait';

COMMENT ON FUNCTION _realtime_wait(int) IS
'Private, for tests: wait until the realtime decoder has decoded the commits made so far, for at most timeout_ms';

REVOKE ALL ON FUNCTION _realtime_wait(int) FROM PUBLIC;

CREATE FUNCTION _realtime_listen(relid regclass, attnums int2[])
RETURNS boolean
LANGUAGE C
AS 'MODULE_PATHNAME', 'pgrest_realtime_listen';

COMMENT ON FUNCTION _realtime_listen(regclass, int2[]) IS
'Private, for tests: this session listens to a table and prefilters on columns, as an HTTP worker with subscribers does';

REVOKE ALL ON FUNCTION _realtime_listen(regclass, int2[]) FROM PUBLIC;

-- Said once, where the extension is created.  (A database the workers do
-- not serve is said by pgrest.c after CREATE EXTENSION: a NOTICE from this
-- script would not reach the client.)
DO $$
BEGIN
    IF NOT pgrest._preloaded() THEN
        RAISE WARNING 'pgrest is not loaded via "shared_preload_libraries", so it serves no HTTP'
            USING HINT = 'Add pgrest to "shared_preload_libraries" in postgresql.conf and restart the server; pgrest.handle() works without it.';
    END IF;
END
$$;
