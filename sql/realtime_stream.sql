--
-- realtime_stream: a stream of a table's changes (Accept: text/event-stream)
-- through pgrest.handle(): what is refused before the first byte, and the
-- frames a stream starts with.  In pgrest.handle() nothing subscribes: the
-- body is those first frames.  Event ids (<epoch>-<commit LSN>-<seq>)
-- differ between runs and are shown as <id>.  Runs after realtime.sql, in
-- its instance (realtime.conf).
--
CREATE TABLE rs_items (id int PRIMARY KEY, note text, done bool NOT NULL DEFAULT false);
CREATE TABLE rs_nokey (id int, note text);
CREATE TABLE rs_unpublished (id int PRIMARY KEY);
CREATE VIEW rs_view AS SELECT * FROM rs_items;
GRANT SELECT ON rs_items, rs_nokey, rs_unpublished, rs_view TO regress_pgrest_anon;
ALTER PUBLICATION pgrest_realtime ADD TABLE rs_items, rs_nokey;
INSERT INTO rs_items VALUES (1, 'one', false), (2, 'two', true);

CREATE FUNCTION rs_get(path text, headers jsonb DEFAULT '{}')
RETURNS TABLE (status int, type text, body text) LANGUAGE sql AS $$
    SELECT h.status, h.headers->>'Content-Type',
           regexp_replace(h.body, '[0-9a-f]{8}-[0-9A-F]{16}-[0-9]+', '<id>', 'g')
    FROM pgrest.handle('GET', path, NULL,
                       '{"Accept": "text/event-stream"}'::jsonb || headers, NULL) AS h
$$;

-- a stream: text/event-stream, no-store; it starts with the reconnection
-- delay and "ready", whose id is where the stream starts
SELECT status, type, body FROM rs_get('/rs_items?select=id,note');
SELECT h.headers->>'Cache-Control' AS cache_control
FROM pgrest.handle('GET', '/rs_items', NULL, '{"Accept": "text/event-stream"}', NULL) AS h;

-- Prefer: snapshot=include: the rows it matches now, then ready
SELECT body FROM rs_get('/rs_items?select=id,note&done=is.false', '{"Prefer": "snapshot=include"}');
SELECT body FROM rs_get('/rs_items/2?select=note', '{"Prefer": "snapshot=include"}');

-- Prefer: realtime= takes event names, with the header's commas or quoted
SELECT status FROM rs_get('/rs_items', '{"Prefer": "realtime=insert,delete"}');
SELECT status FROM rs_get('/rs_items', '{"Prefer": "realtime=\"update, truncate\", handling=strict"}');
SELECT status, body FROM rs_get('/rs_items', '{"Prefer": "handling=strict, realtime=upsert"}');

-- Last-Event-ID that cannot be resumed from: ready, then a reset
SELECT body FROM rs_get('/rs_items', '{"Last-Event-ID": "not an id"}');
SELECT body FROM rs_get('/rs_items', jsonb_build_object('Last-Event-ID',
    CASE WHEN (SELECT epoch FROM pgrest.realtime_status()) = '00000001'
         THEN '00000002' ELSE '00000001' END || '-0000000001000000-0'));
SELECT body FROM rs_get('/rs_items', jsonb_build_object('Last-Event-ID',
    (SELECT epoch FROM pgrest.realtime_status()) || '-0000000000000010-0'));
-- ... one that can (the newest change): ready from there
SELECT body FROM rs_get('/rs_items', jsonb_build_object('Last-Event-ID',
    (SELECT newest_id FROM pgrest.realtime_status())));

-- refused before the first byte: the query
SELECT status, body FROM rs_get('/rs_items?order=id');
SELECT status, body FROM rs_get('/rs_items?limit=1');
SELECT status, body FROM rs_get('/rs_items?offset=1');
SELECT status, body FROM rs_get('/rs_items', '{"Range": "0-1"}');
-- ... the relation
SELECT status, body FROM rs_get('/rs_nokey');
SELECT status, body FROM rs_get('/rs_unpublished');
SELECT status, body FROM rs_get('/rs_view');
SELECT status, body FROM rs_get('/rs_nothere');
-- ... what PostgreSQL says of the same GET (the dry run)
SELECT status, body FROM rs_get('/rs_items?nope=eq.1');
SELECT status, body FROM rs_get('/rs_items?id=eq.one');
SELECT status, body FROM rs_get('/rs_items?select=id,nope');
SET pgrest.aggregates_enabled = on;
SELECT status, body FROM rs_get('/rs_items?select=count()');
RESET pgrest.aggregates_enabled;
-- ... the method: a stream is read with GET
SELECT status, body FROM pgrest.handle('POST', '/rs_items', NULL,
    '{"Accept": "text/event-stream", "Content-Type": "application/json"}', '{"id": 3}');
SELECT status, body FROM pgrest.handle('HEAD', '/rs_items', NULL,
    '{"Accept": "text/event-stream"}', NULL);
-- ... a function's result does not stream
CREATE FUNCTION rs_answer() RETURNS int LANGUAGE sql STABLE AS 'SELECT 42';
SELECT status, body FROM rs_get('/rpc/rs_answer');
DROP FUNCTION rs_answer();
-- an Accept that prefers JSON gets JSON
SELECT status, headers->>'Content-Type' AS type FROM pgrest.handle('GET', '/rs_items?select=id', NULL,
    '{"Accept": "text/event-stream;q=0.5, application/json"}', NULL);

DROP FUNCTION rs_get(text, jsonb);
ALTER PUBLICATION pgrest_realtime DROP TABLE rs_items, rs_nokey;
DROP VIEW rs_view;
DROP TABLE rs_items, rs_nokey, rs_unpublished;
