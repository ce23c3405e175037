--
-- explain: Accept: application/vnd.pgrst.plan[+text|+json] answers with
-- the EXPLAIN of the request's statement, behind pgrest.plan_enabled
-- (PostgREST's db-plan-enabled).  Plans vary with costs: the tests look at
-- their shape.
--
CREATE TABLE plans (id int PRIMARY KEY, note text);
INSERT INTO plans VALUES (1, 'one'), (2, 'two');
GRANT SELECT, INSERT, UPDATE ON plans TO regress_pgrest_anon;

-- off by default: none of the media types is available
SELECT status, body::jsonb
FROM pgrest.handle('GET', '/plans', NULL, '{"Accept": "application/vnd.pgrst.plan"}');

SET pgrest.plan_enabled = on;
-- text: lines of EXPLAIN, each ended by a newline
SELECT status, headers->>'Content-Type' AS content_type,
       split_part(body, E'\n', 1) LIKE '%Scan%on plans%' AS scans_plans,
       right(body, 1) = E'\n' AS ends_with_newline
FROM pgrest.handle('GET', '/plans?id=eq.1', NULL, '{"Accept": "application/vnd.pgrst.plan"}');
-- json, for CSV, with options
SELECT status, headers->>'Content-Type' AS content_type,
       body::jsonb->0->'Plan'->>'Node Type' AS top,
       body::jsonb->0 ? 'Execution Time' AS analyzed,
       body::jsonb->0->'Plan' ? 'Output' AS verbose
FROM pgrest.handle('GET', '/plans', NULL,
    '{"Accept": "application/vnd.pgrst.plan+json; for=\"text/csv\"; options=analyze|verbose"}');
-- analyze runs a write, which is then rolled back
SELECT status, body LIKE '%Insert on plans%' AS inserts, body LIKE '%actual time%' AS analyzed
FROM pgrest.handle('POST', '/plans', NULL,
    '{"Accept": "application/vnd.pgrst.plan+text; options=analyze"}', '{"id": 3, "note": "three"}');
SELECT count(*) AS rows_after FROM plans;
-- a call, and a singular request (no row-count check for a plan)
SELECT status, body::jsonb->0->'Plan'->>'Node Type' AS top
FROM pgrest.handle('GET', '/plans?id=eq.99', NULL,
    '{"Accept": "application/vnd.pgrst.plan+json; for=\"application/vnd.pgrst.object+json\""}');
-- a plan for a media type the route cannot produce is refused
SELECT status, body::jsonb->>'code' AS code
FROM pgrest.handle('GET', '/plans', NULL,
    '{"Accept": "application/vnd.pgrst.plan; for=\"text/html\""}');
RESET pgrest.plan_enabled;
DROP TABLE plans;
