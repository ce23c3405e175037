--
-- filters: col=[not.]op[(any|all)].value on columns and JSON paths.
--
CREATE FUNCTION ids(path text, headers jsonb DEFAULT NULL)
RETURNS TABLE (status int, ids text)
LANGUAGE sql AS $$
    SELECT r.status,
           CASE WHEN r.status = 200
                THEN (SELECT string_agg(e->>'id', ',' ORDER BY (e->>'id')::int)
                      FROM jsonb_array_elements(r.body::jsonb) AS e)
                ELSE r.body END
    FROM pgrest.handle('GET', path, NULL, headers) AS r
$$;

-- comparison
SELECT * FROM ids('/films?select=id&year=eq.1979');
SELECT * FROM ids('/films?select=id&year=neq.1979');
SELECT * FROM ids('/films?select=id&year=gt.2000');
SELECT * FROM ids('/films?select=id&year=gte.2001');
SELECT * FROM ids('/films?select=id&rating=lt.8.2');
SELECT * FROM ids('/films?select=id&rating=lte.8.2');
SELECT * FROM ids('/films?select=id&released=gt.2000-01-01T00:00:00Z');
SELECT * FROM ids('/films?select=id&title=eq.Am%C3%A9lie');
SELECT * FROM ids('/films?select=id&title=eq.東京物語');
-- a value may hold dots, commas, parentheses and quotes
SELECT * FROM ids('/films?select=id&title=eq.Crash,%20the%20%22Movie%22');
SELECT * FROM ids('/films?select=id&synopsis=eq.A%20noble%20family%20fights%20for%20a%20desert%20planet.');
-- several filters, also on one column, are ANDed
SELECT * FROM ids('/films?select=id&year=gt.1980&year=lt.2010');
-- like / ilike with * for %, match / imatch
SELECT * FROM ids('/films?select=id&title=like.A*');
SELECT * FROM ids('/films?select=id&title=ilike.*a*');
SELECT * FROM ids('/films?select=id&title=match.^[AB]');
SELECT * FROM ids('/films?select=id&title=imatch.^d');
-- in, with quoted elements holding commas and parentheses
SELECT * FROM ids('/films?select=id&id=in.(1,3,5)');
SELECT * FROM ids('/films?select=id&title=in.("Crash, the \"Movie\"",Dune)');
SELECT * FROM ids('/films?select=id&id=in.()');
SELECT * FROM ids('/films?select=id&id=not.in.(1,2,3)');
-- is
SELECT * FROM ids('/films?select=id&year=is.null');
SELECT * FROM ids('/films?select=id&year=not.is.null');
SELECT * FROM ids('/films?select=id&year=is.not_null');
SELECT * FROM ids('/films?select=id&meta->budget=is.null');
CREATE TABLE flags (id int, ok boolean);
INSERT INTO flags VALUES (1, true), (2, false), (3, NULL);
GRANT SELECT ON flags TO regress_pgrest_anon;
SELECT * FROM ids('/flags?ok=is.true');
SELECT * FROM ids('/flags?ok=is.FALSE');
SELECT * FROM ids('/flags?ok=is.unknown');
SELECT * FROM ids('/flags?ok=isdistinct.true');
-- not.
SELECT * FROM ids('/films?select=id&year=not.eq.1979&year=not.is.null');
-- any / all
SELECT * FROM ids('/films?select=id&title=like(any).{A*,D*}');
SELECT * FROM ids('/films?select=id&title=ilike(all).{*a*,*e*}');
-- a '%' not followed by two hex digits is itself: LIKE's own wildcard
SELECT * FROM ids('/films?select=id&title=like(any).{%ie,D%}');
-- a lone '"' in a list is a value, as PostgREST's parser takes it
SELECT * FROM ids('/films?select=id&title=in.(")');
SELECT * FROM ids('/films?select=id&year=eq(any).{1979,2021}');
SELECT * FROM ids('/films?select=id&year=gt(all).{1980,2000}');
-- arrays, jsonb and ranges
SELECT * FROM ids('/films?select=id&genres=cs.{sci-fi}');
SELECT * FROM ids('/films?select=id&genres=cd.{sci-fi,horror,comedy}');
SELECT * FROM ids('/films?select=id&genres=ov.{drama,horror}');
SELECT * FROM ids('/films?select=id&meta=cs.{"tags":["space"]}');
SELECT * FROM ids('/films?select=id&seats=ov.[90,210)');
SELECT * FROM ids('/films?select=id&seats=sl.[150,160)');
SELECT * FROM ids('/films?select=id&seats=sr.[20,30)');
SELECT * FROM ids('/films?select=id&seats=nxr.[0,100)');
SELECT * FROM ids('/films?select=id&seats=nxl.[60,70)');
SELECT * FROM ids('/films?select=id&seats=adj.[100,200)');
-- JSON paths
SELECT * FROM ids('/films?select=id&meta->director->>name=eq.Ridley%20Scott');
SELECT * FROM ids('/films?select=id&meta->>budget=gt.12');
SELECT * FROM ids('/films?select=id&meta->budget=gt.12');
SELECT * FROM ids('/films?select=id&meta->tags->>0=eq.space');
SELECT * FROM ids('/films?select=id&doc->>lang=eq.en');
-- full-text search: tsvector columns, other columns through to_tsvector
SELECT * FROM ids('/films?select=id&tsv=fts.crew%20%26%20space');
SELECT * FROM ids('/films?select=id&tsv=fts(english).creatures');
SELECT * FROM ids('/films?select=id&tsv=plfts.deadly%20creature');
SELECT * FROM ids('/films?select=id&tsv=phfts(english).desert%20planet');
SELECT * FROM ids('/films?select=id&tsv=wfts(english).family%20-noble');
SELECT * FROM ids('/films?select=id&synopsis=fts(english).dreams');
SELECT * FROM ids('/films?select=id&synopsis=not.plfts.space');
-- a filter on a column that is not selected
SELECT * FROM get('/films?select=title&id=eq.2');

-- bad input: 4xx, never 500
SELECT * FROM ids('/films?year=noop.1');
SELECT * FROM ids('/films?year=eq');
SELECT * FROM ids('/films?year=1979');
SELECT * FROM ids('/films?year=');
SELECT * FROM ids('/films?year=eq.nineteen');
SELECT * FROM ids('/films?nope=eq.1');
SELECT * FROM ids('/films?year=is.maybe');
SELECT * FROM ids('/films?year=in.1,2');
SELECT * FROM ids('/films?year=in.(1,2');
SELECT * FROM ids('/films?year=in.(1,2)x');
SELECT * FROM ids('/films?year=eq(some).1');
SELECT * FROM ids('/films?year=neq(any).{1}');
SELECT * FROM ids('/films?tsv=fts(nolanguage).x');
SELECT * FROM ids('/films?tsv=fts(english.x');
SELECT * FROM ids('/films?year=like.19*');
SELECT * FROM ids('/films?genres=cs.notanarray');
SELECT * FROM ids('/films?meta=cs.{broken');
SELECT * FROM ids('/films?directors.name=eq.x');
SELECT * FROM ids('/films?year->x->=eq.1');
-- a ?name without a value is ignored, as in PostgREST
SELECT * FROM ids('/films?select=id&year&id=lt.3');
