--
-- logic: or=(...), and=(...), not.or, not.and, nested trees.
--
SELECT * FROM ids('/films?select=id&or=(year.lt.1980,year.gt.2010)');
SELECT * FROM ids('/films?select=id&and=(year.gt.1980,year.lt.2010)');
SELECT * FROM ids('/films?select=id&not.or=(year.lt.1980,year.gt.2010)');
SELECT * FROM ids('/films?select=id&not.and=(year.gt.1980,year.lt.2010)');
-- nested, negated inside, with in, is and quoted values
SELECT * FROM ids('/films?select=id&or=(id.eq.4,and(year.gt.2000,title.not.like.D*))');
SELECT * FROM ids('/films?select=id&or=(id.in.(1,2),year.is.null)');
SELECT * FROM ids('/films?select=id&or=(title.eq."Crash, the \"Movie\"",title.eq.Dune)');
SELECT * FROM ids('/films?select=id&or=(genres.cs.{comedy,romance},genres.cs.{drama})');
SELECT * FROM ids('/films?select=id&or=(meta->director->>name.eq.Terry%20Gilliam,id.eq.6)');
SELECT * FROM ids('/films?select=id&or=(not.or(id.gt.1,id.lt.1),id.eq.6)');
SELECT * FROM ids('/films?select=id&or=(tsv.fts(english).crew,synopsis.plfts.desert)');
-- logic trees AND with plain filters
SELECT * FROM ids('/films?select=id&or=(year.lt.1980,year.gt.2010)&rating=gt.8.1');
SELECT * FROM ids('/films?select=id&or=( year.lt.1980 , year.gt.2010 )');
-- white space around nested trees and lists, and anything after the
-- closing ')', as PostgREST takes them
SELECT * FROM ids('/films?select=id&or=(year.lt.1980))');
SELECT * FROM ids('/films?select=id&or=( and ( id.in.( 1, 2, 6 ) , year.lt.1990 ) , or ( id.eq.4 , id.eq.5 ) )');

-- bad input
SELECT * FROM ids('/films?or=year.lt.1980');
SELECT * FROM ids('/films?or=()');
SELECT * FROM ids('/films?or=(year.lt.1980');
SELECT * FROM ids('/films?or=(year.lt.1980,)');
SELECT * FROM ids('/films?or=(year.1980)');
SELECT * FROM ids('/films?or=(xor(id.eq.1))');
SELECT * FROM ids('/films?or=(id.eq.1,not.xor(id.eq.2))');
-- nesting is bounded, however deep the client goes
SELECT status, body::jsonb->>'code' AS code, body::jsonb->>'details' AS details
FROM pgrest.handle('GET', '/films?or=(' || repeat('or(', 200) || 'id.eq.1' || repeat(')', 200) || ')');
SELECT status, body::jsonb->>'code' AS code
FROM pgrest.handle('GET', '/films?or=(' || repeat('or(', 100000) || 'id.eq.1' || repeat(')', 100000) || ')');
SELECT status, body::jsonb->>'code' AS code
FROM pgrest.handle('GET', '/films?select=' || repeat('a(', 100000));
SELECT status FROM pgrest.handle('GET', '/films?id=in.(' || repeat('1,', 10000) || '1)');
-- thousands of parameters in one statement (a 3000-step JSON path)
SELECT status, body::jsonb FROM pgrest.handle('GET', '/films?select=' || repeat('meta->', 3000) || 'x&id=eq.1');
SELECT status FROM pgrest.handle('GET', '/films?or=(' || repeat('id.eq.1,', 3000) || 'id.eq.2)&select=id');
