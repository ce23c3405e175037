--
-- geojson: Accept: application/geo+json answers a FeatureCollection built
-- by PostGIS's ST_AsGeoJSON, as PostgREST does; without PostGIS, 406.
-- (scripts/deps installs PostGIS, so this test is real wherever it runs.)
--
CREATE TABLE places (id int PRIMARY KEY, name text, visited boolean);
INSERT INTO places VALUES (1, 'Oslo', true), (2, 'Lima', false);
GRANT SELECT ON places TO regress_pgrest_anon;

-- no PostGIS: nothing to build GeoJSON with
SELECT status, body::jsonb
FROM pgrest.handle('GET', '/places', NULL, '{"Accept": "application/geo+json"}');

CREATE EXTENSION postgis;
ALTER TABLE places ADD COLUMN location geometry(Point, 4326);
UPDATE places SET location = CASE id WHEN 1 THEN 'SRID=4326;POINT(10.75 59.91)'::geometry
                                     ELSE 'SRID=4326;POINT(-77.04 -12.05)'::geometry END;
SELECT status, headers->>'Content-Type' AS content_type, body::jsonb
FROM pgrest.handle('GET', '/places?order=id', NULL, '{"Accept": "application/geo+json"}');
-- select=, filters and embedding shape the features' properties
SELECT status, body::jsonb
FROM pgrest.handle('GET', '/places?select=name,location&visited=is.true', NULL,
                   '{"Accept": "application/geo+json"}');
-- no rows: an empty collection
SELECT status, body::jsonb
FROM pgrest.handle('GET', '/places?id=eq.99', NULL, '{"Accept": "application/geo+json"}');
-- a call's result too
CREATE FUNCTION places_named(n text) RETURNS SETOF places
LANGUAGE sql STABLE AS $$ SELECT * FROM places WHERE name = n $$;
SELECT status, body::jsonb
FROM pgrest.handle('GET', '/rpc/places_named?n=Lima&select=id,location', NULL,
                   '{"Accept": "application/geo+json"}');

DROP FUNCTION places_named;
DROP TABLE places;
DROP EXTENSION postgis;
