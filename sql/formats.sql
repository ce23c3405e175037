--
-- formats: Accept (JSON array, single object, CSV, stripped nulls), HEAD,
-- profiles.
--
CREATE FUNCTION respond(path text, headers jsonb DEFAULT NULL, method text DEFAULT 'GET')
RETURNS TABLE (status int, content_type text, body text)
LANGUAGE sql AS $$
    SELECT r.status, r.headers->>'Content-Type', r.body
    FROM pgrest.handle(method, path, NULL, headers) AS r
$$;

-- JSON for no Accept, */*, application/json, and q-values
SELECT status, content_type FROM respond('/films?id=eq.1');
SELECT status, content_type FROM respond('/films?id=eq.1', '{"Accept": "*/*"}');
SELECT status, content_type FROM respond('/films?id=eq.1', '{"Accept": "text/html, application/json;q=0.5"}');
SELECT status, content_type FROM respond('/films?id=eq.1', '{"Accept": "text/csv;q=0.5, application/json"}');
SELECT status, content_type FROM respond('/films?id=eq.1', '{"Accept": "application/json;q=0, text/csv"}');
-- a single object
SELECT status, content_type, body::jsonb
FROM respond('/films?select=id,title&id=eq.1', '{"Accept": "application/vnd.pgrst.object+json"}');
SELECT status, content_type, body::jsonb
FROM respond('/films?select=id&id=gt.1', '{"Accept": "application/vnd.pgrst.object+json"}');
SELECT status, content_type, body::jsonb
FROM respond('/films?id=eq.99', '{"Accept": "application/vnd.pgrst.object"}');
-- stripped nulls
SELECT status, content_type, body::jsonb
FROM respond('/films?select=id,year,rating&id=eq.4', '{"Accept": "application/vnd.pgrst.object+json;nulls=stripped"}');
SELECT status, content_type, body::jsonb
FROM respond('/films?select=id,year&id=in.(3,4)&order=id', '{"Accept": "application/vnd.pgrst.array+json;nulls=stripped"}');
-- CSV as PostgREST writes it: the keys, then each row as PostgreSQL prints
-- a record: a value is quoted when it is empty or holds a quote, backslash,
-- comma, parenthesis or white space; NULL is nothing; no rows, no header
SELECT status, content_type, body
FROM respond('/films?select=id,title,year,genres,"with,comma"&order=id', '{"Accept": "text/csv"}');
SELECT status, body FROM respond('/films?select=id&id=eq.99', '{"Accept": "text/csv"}');
CREATE TABLE csv_values (id int, t text, b boolean);
INSERT INTO csv_values VALUES (1, '', true), (2, NULL, false), (3, 'a b', NULL),
    (4, 'back\slash', true), (5, '(p)', true), (6, E'tab\there', false), (7, 'plain', true);
GRANT SELECT ON csv_values TO regress_pgrest_anon;
SELECT status, body FROM respond('/csv_values?order=id', '{"Accept": "text/csv"}');
DROP TABLE csv_values;
SELECT status, body FROM respond('/films?select=t:title,m:meta->director&id=eq.1', '{"Accept": "text/csv"}');
-- nothing acceptable
SELECT status, content_type, body::jsonb FROM respond('/films', '{"Accept": "text/html"}');
SELECT status, body::jsonb->>'code' AS code FROM respond('/films', '{"Accept": "application/xml, image/png"}');

-- HEAD: no body, the same headers
SELECT status, content_type, body IS NULL AS no_body
FROM respond('/films?id=lt.3', '{"Prefer": "count=exact"}', 'HEAD');
SELECT r.status, r.headers
FROM pgrest.handle('HEAD', '/films?id=lt.3', NULL, '{"Prefer": "count=exact"}') AS r;

-- Prefer: unknown preferences are ignored, or refused with handling=strict
SELECT status FROM respond('/films?id=eq.1', '{"Prefer": "count=none, whatever"}');
SELECT status, body::jsonb
FROM respond('/films?id=eq.1', '{"Prefer": "handling=strict, whatever, return=nothing"}');
SELECT status FROM respond('/films?id=eq.1', '{"Prefer": "handling=strict, count=exact"}');

-- profiles: Accept-Profile picks one of pgrest.schemas
CREATE SCHEMA v2;
CREATE TABLE v2.films (id int, title text);
INSERT INTO v2.films VALUES (1, 'Alien (director''s cut)');
GRANT USAGE ON SCHEMA v2 TO regress_pgrest_anon;
GRANT SELECT ON v2.films TO regress_pgrest_anon;
SET pgrest.schemas = 'public, v2';
SELECT r.status, r.headers->>'Content-Profile' AS profile, r.body::jsonb
FROM pgrest.handle('GET', '/films?select=title&id=eq.1', NULL, '{"Accept-Profile": "v2"}') AS r;
SELECT r.status, r.headers->>'Content-Profile' AS profile, r.body::jsonb
FROM pgrest.handle('GET', '/films?select=title&id=eq.1', NULL, '{"Accept-Profile": "public"}') AS r;
SELECT status, body::jsonb FROM respond('/films', '{"Accept-Profile": "secret"}');
-- with several schemas, a response with a body names its schema even when
-- no profile chose it (the root's too); one without a body does not
SELECT r.status, r.headers->>'Content-Profile' AS profile
FROM pgrest.handle('GET', '/films?select=title&id=eq.1') AS r;
SELECT r.status, r.headers->>'Content-Profile' AS profile
FROM pgrest.handle('HEAD', '/') AS r;
GRANT UPDATE ON v2.films TO regress_pgrest_anon;
SELECT r.status, r.headers->>'Content-Profile' AS profile
FROM pgrest.handle('PATCH', '/films?id=eq.0', NULL,
                   '{"Content-Type": "application/json", "Content-Profile": "v2"}', '{"title": "x"}') AS r;
SELECT r.status, r.headers->>'Content-Profile' AS profile
FROM pgrest.handle('PATCH', '/films?id=eq.0', NULL,
                   '{"Content-Type": "application/json", "Content-Profile": "v2", "Prefer": "return=representation"}',
                   '{"title": "x"}') AS r;
-- the hint lists the schemas by name, as they were given
SET pgrest.schemas = 'public, "v2", "Odd ""one"""';
SELECT status, body::jsonb->>'hint' AS hint FROM respond('/films', '{"Accept-Profile": "secret"}');
SET pgrest.schemas = 'public';
SELECT r.status, r.headers->>'Content-Profile' AS profile
FROM pgrest.handle('GET', '/films?select=title&id=eq.1') AS r;
RESET pgrest.schemas;
DROP SCHEMA v2 CASCADE;

-- Vary and Content-Location, as PostgREST sends them: Content-Location is
-- the read's path with its parameters sorted by name (a repeated one's
-- values joined); errors carry Proxy-Status instead
SELECT r.status, r.headers->>'Vary' AS vary, r.headers->>'Content-Location' AS location
FROM pgrest.handle('GET', '/films?year=gt.2000&select=id,title&id=lt.9&id=gt.1') AS r;
SELECT r.status, r.headers->>'Vary' AS vary, r.headers->>'Content-Location' AS location
FROM pgrest.handle('HEAD', '/films') AS r;
-- (left out when a long query would make it take too much of the headers)
SELECT r.status, r.headers ? 'Content-Location' AS has_location
FROM pgrest.handle('GET', '/films?select=id&id=in.(' || repeat('1,', 400) || '1)') AS r;
SELECT r.status, r.headers->>'Vary' AS vary, r.headers->>'Proxy-Status' AS proxy_status
FROM pgrest.handle('GET', '/films?id=nope.1') AS r;
