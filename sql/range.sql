--
-- range: order=, limit/offset, the Range header, Content-Range, counts.
--
CREATE FUNCTION page(path text, headers jsonb DEFAULT NULL)
RETURNS TABLE (status int, content_range text, applied text, ids text)
LANGUAGE sql AS $$
    SELECT r.status, r.headers->>'Content-Range', r.headers->>'Preference-Applied',
           CASE WHEN r.status IN (200, 206)
                THEN (SELECT string_agg(e->>'id', ',')
                      FROM jsonb_array_elements(r.body::jsonb) AS e)
                ELSE r.body END
    FROM pgrest.handle('GET', path, NULL, headers) AS r
$$;

-- order
SELECT * FROM page('/films?select=id&order=year');
SELECT * FROM page('/films?select=id&order=year.desc');
SELECT * FROM page('/films?select=id&order=year.desc.nullslast');
SELECT * FROM page('/films?select=id&order=year.asc.nullsfirst');
SELECT * FROM page('/films?select=id&order=year.nullsfirst');
SELECT * FROM page('/films?select=id&order=rating.desc,id.asc');
SELECT * FROM page('/films?select=id&order=meta->>budget.desc.nullslast,id');
SELECT * FROM page('/films?select=id&order=meta->budget.asc.nullsfirst,id');
SELECT * FROM page('/films?select=id&order=genres->0,id');
SELECT * FROM page('/films?select=id&order=%22Mixed%20Case%22.desc,id');

-- limit and offset
SELECT * FROM page('/films?select=id&order=id&limit=2');
SELECT * FROM page('/films?select=id&order=id&limit=2&offset=2');
SELECT * FROM page('/films?select=id&order=id&offset=4');
SELECT * FROM page('/films?select=id&order=id&limit=0');
SELECT * FROM page('/films?select=id&order=id&offset=10');
-- the Range header, alone and with limit/offset
SELECT * FROM page('/films?select=id&order=id', '{"Range": "1-3", "Range-Unit": "items"}');
SELECT * FROM page('/films?select=id&order=id', '{"Range": "4-"}');
SELECT * FROM page('/films?select=id&order=id', '{"Range": "items=0-0"}');
SELECT * FROM page('/films?select=id&order=id&limit=2', '{"Range": "1-4"}');
SELECT * FROM page('/films?select=id&order=id', '{"Range": "garbage"}');
-- as RFC 9110 says, Range is ignored but on GET: HEAD, a call by POST
SELECT r.status, r.headers->>'Content-Range' AS content_range
FROM pgrest.handle('HEAD', '/films', NULL, '{"Range": "1-2", "Prefer": "count=exact"}') AS r;
SELECT r.status, r.headers->>'Content-Range' AS content_range
FROM pgrest.handle('HEAD', '/films', NULL, '{"Range": "5-2"}') AS r;

-- counts: 206 when the page is partial
SELECT * FROM page('/films?select=id&order=id', '{"Prefer": "count=exact"}');
SELECT * FROM page('/films?select=id&order=id&limit=2', '{"Prefer": "count=exact"}');
SELECT * FROM page('/films?select=id&order=id&year=gt.2000&offset=1', '{"Prefer": "count=exact"}');
SELECT * FROM page('/films?select=id&id=gt.100', '{"Prefer": "count=exact"}');
SELECT * FROM page('/films?select=id&order=id&offset=6', '{"Prefer": "count=exact"}');
SELECT * FROM page('/films?select=id&order=id&offset=7', '{"Prefer": "count=exact"}');
-- planned and estimated counts are the planner's: check they are numbers
ANALYZE films;
SELECT status, content_range ~ '^0-1/[0-9]+$' AS has_total, applied
FROM page('/films?select=id&order=id&limit=2', '{"Prefer": "count=planned"}');
SELECT * FROM page('/films?select=id&order=id&limit=2', '{"Prefer": "count=estimated"}');

-- pgrest.max_rows caps every read
SET pgrest.max_rows = 2;
SELECT * FROM page('/films?select=id&order=id');
SELECT * FROM page('/films?select=id&order=id&limit=5', '{"Prefer": "count=exact"}');
SELECT * FROM page('/films?select=id&order=id&limit=1');
SELECT status, content_range ~ '^0-1/[0-9]+$' AS has_total, applied
FROM page('/films?select=id&order=id', '{"Prefer": "count=estimated"}');
-- past pgrest.max_rows, estimated is never below what it counted: here the
-- planner guesses one row (ROWS 1) of five, and the total is max_rows + 1
CREATE FUNCTION five_ids() RETURNS SETOF int LANGUAGE plpgsql ROWS 1
    AS $$ BEGIN RETURN QUERY SELECT generate_series(1, 5); END $$;
CREATE VIEW underestimated AS SELECT i AS id FROM five_ids() AS i;
GRANT SELECT ON underestimated TO regress_pgrest_anon;
SELECT * FROM page('/underestimated', '{"Prefer": "count=estimated"}');
RESET pgrest.max_rows;
SELECT * FROM page('/underestimated', '{"Prefer": "count=estimated"}');
DROP VIEW underestimated;
DROP FUNCTION five_ids;
-- without pgrest.max_rows, estimated is the larger of the count and the
-- planner's guess, as PostgREST reports it: here 100 guessed, 5 counted
CREATE FUNCTION five_ids_of_many() RETURNS SETOF int LANGUAGE plpgsql ROWS 100
    AS $$ BEGIN RETURN QUERY SELECT generate_series(1, 5); END $$;
CREATE VIEW overestimated AS SELECT i AS id FROM five_ids_of_many() AS i;
GRANT SELECT ON overestimated TO regress_pgrest_anon;
SELECT * FROM page('/overestimated', '{"Prefer": "count=estimated"}');
SELECT * FROM page('/overestimated?limit=2', '{"Prefer": "count=estimated"}');
SELECT * FROM page('/overestimated', '{"Prefer": "count=exact"}');
DROP VIEW overestimated;
DROP FUNCTION five_ids_of_many;

-- bad input
SELECT * FROM page('/films?order=year.up');
SELECT * FROM page('/films?order=year.desc.nullssomewhere');
SELECT * FROM page('/films?order=');
SELECT * FROM page('/films?order=nope');
SELECT * FROM page('/films?order=directors(name)');
SELECT * FROM page('/films?limit=ten');
SELECT * FROM page('/films?limit=-1');
-- (a negative offset is none, as in PostgREST)
SELECT * FROM page('/films?offset=-1');
SELECT * FROM page('/films?limit=99999999999999999999');
SELECT * FROM page('/films', '{"Range": "5-2"}');
SELECT * FROM page('/films?offset=5', '{"Range": "0-1"}');
SELECT * FROM page('/films?directors.order=name');
SELECT * FROM page('/films?directors.limit=1');
