--
-- aggregates: count(), col.sum(), avg, min, max in select=, behind
-- pgrest.aggregates_enabled (PostgREST's db-aggregates-enabled).  Uses the
-- fixture of the embed test.
--
-- off by default: 400 PGRST123
SHOW pgrest.aggregates_enabled;
SELECT * FROM raw('/movies?select=count()');
SELECT * FROM raw('/movies?select=year.sum()');
SELECT * FROM raw('/directors?select=name,movies(count())');

SET pgrest.aggregates_enabled = on;
-- alone, the whole table is one group
SELECT * FROM raw('/movies?select=count()');
SELECT * FROM raw('/movies?select=count()&year=gt.1980');
-- every aggregate, aliases and casts (inside and after the aggregate)
SELECT * FROM raw('/movies?select=year.sum(),year.avg()::int,first:year.min(),year.max(),n:count()');
SELECT * FROM raw('/movies?select=year::text.max(),year.sum()::text');
SELECT * FROM raw('/movies?select=title.count()');
-- grouped by the other selected columns
SELECT * FROM raw('/movies?select=director_id,count(),year.max()&order=director_id');
-- inside an embedded resource: per parent row
SELECT * FROM raw('/directors?select=name,movies(count())&order=id');
SELECT * FROM raw('/directors?select=name,movies(year.min(),year.max())&order=id');
-- grouped by an embedded resource, and by a spread column
SELECT * FROM raw('/movies?select=directors(name),count()&director_id=eq.1');
SELECT * FROM raw('/movies?select=...directors(name),count()&order=directors(name)');
-- a to-one spread's aggregates are computed in its parent
SELECT * FROM raw('/movies?select=director_id,...posters(movie_id.count())&order=director_id');
SELECT * FROM raw('/movies?select=...directors(director:name,n:id.count())&order=directors(director)');
-- not in a to-many spread (PGRST127, as PostgREST)
SELECT * FROM raw('/directors?select=name,...movies(count())');
SELECT * FROM raw('/directors?select=name,...movies(year.sum())');
-- with a filter, a range and a count
SELECT status, headers->>'Content-Range' AS range, body
FROM pgrest.handle('GET', '/movies?select=director_id,count()&director_id=not.is.null&order=director_id&limit=1',
                   NULL, '{"Prefer": "count=exact"}');
-- over a call's result
SELECT * FROM raw('/rpc/movies_of?d=1&select=count(),year.avg()');
-- parse errors
SELECT * FROM raw('/movies?select=year.total()');
SELECT * FROM raw('/movies?select=count(*)');
SELECT * FROM raw('/movies?select=year.sum()::');
RESET pgrest.aggregates_enabled;
