--
-- compat: smaller behaviours as PostgREST has them: a domain's default
-- with missing=default, writes that read back only the columns they
-- return (column privileges), overloaded computed fields of written rows
-- and of a function's rows, full-text search on a computed tsvector,
-- aggregates of a spread grouped by an embedded resource.
--
CREATE FUNCTION ask(method text, path text, body text DEFAULT NULL, prefer text DEFAULT NULL)
RETURNS TABLE (status int, body jsonb)
LANGUAGE sql AS $$
    SELECT r.status, r.body::jsonb
    FROM pgrest.handle(method, path, NULL,
                       jsonb_strip_nulls(jsonb_build_object('Prefer', prefer)), body) AS r
$$;

-- a domain's default, when the column has none
CREATE DOMAIN lucky AS int DEFAULT 7;
CREATE TABLE tickets (id lucky, holder text, drawn lucky DEFAULT 3);
GRANT SELECT, INSERT ON tickets TO regress_pgrest_anon;
SELECT * FROM ask('POST', '/tickets?columns=id,holder,drawn', '{"holder": "Ann"}',
                  'return=representation, missing=default');
SELECT * FROM ask('POST', '/tickets?columns=id,holder', '{"holder": "Bo"}', 'return=representation');

-- a role that may read some columns only reads back those
CREATE TABLE accounts (id int PRIMARY KEY, login text, secret text);
INSERT INTO accounts VALUES (1, 'ann', 'x'), (2, 'bo', 'y');
GRANT SELECT (id, login), INSERT, UPDATE, DELETE ON accounts TO regress_pgrest_anon;
SELECT * FROM ask('POST', '/accounts?select=id,login', '{"id": 3, "login": "cy", "secret": "z"}',
                  'return=representation');
SELECT * FROM ask('PATCH', '/accounts?id=eq.3&select=login', '{"secret": "w"}', 'return=representation');
SELECT * FROM ask('DELETE', '/accounts?id=eq.3&select=id,login', NULL, 'return=representation');
SELECT * FROM ask('DELETE', '/accounts?id=eq.2', NULL, 'return=representation');
SELECT * FROM ask('PATCH', '/accounts?select=id', '{}', 'return=representation');

-- computed fields, overloaded for two tables, on written rows and on a
-- function's rows
CREATE TABLE lamps (id int PRIMARY KEY, watts int);
CREATE TABLE fans (id int PRIMARY KEY, watts int);
INSERT INTO lamps VALUES (1, 40), (2, 60);
INSERT INTO fans VALUES (1, 30);
GRANT SELECT, UPDATE ON lamps, fans TO regress_pgrest_anon;
CREATE FUNCTION strong(lamps) RETURNS boolean STABLE LANGUAGE sql AS 'SELECT $1.watts > 50';
CREATE FUNCTION strong(fans) RETURNS boolean STABLE LANGUAGE sql AS 'SELECT $1.watts > 20';
CREATE FUNCTION bright_lamps() RETURNS SETOF lamps STABLE LANGUAGE sql AS 'SELECT * FROM lamps';
SELECT * FROM ask('PATCH', '/lamps?id=eq.1&select=id,strong', '{"watts": 75}', 'return=representation');
SELECT * FROM ask('PATCH', '/fans?id=eq.1&select=id,strong', '{"watts": 10}', 'return=representation');
SELECT * FROM ask('PATCH', '/lamps?select=id,strong', '{}', 'return=representation');
SELECT * FROM ask('GET', '/rpc/bright_lamps?select=id,strong&order=id');
SELECT * FROM ask('GET', '/rpc/bright_lamps?select=id&strong=is.true&order=strong,id');

-- full-text search on a computed tsvector takes it as it is
CREATE TABLE notes2 (id int, body text);
INSERT INTO notes2 VALUES (1, 'the quick brown fox'), (2, 'lazy dogs');
GRANT SELECT ON notes2 TO regress_pgrest_anon;
CREATE FUNCTION words(notes2) RETURNS tsvector STABLE LANGUAGE sql AS
    $$ SELECT to_tsvector('simple', $1.body) $$;
SELECT * FROM ask('GET', '/notes2?select=id,words&words=fts(simple).quick');
SELECT * FROM ask('GET', '/notes2?select=id&words=plfts(simple).lazy%20dogs');

-- aggregates of a spread resource, grouped by an embedded one
CREATE TABLE sites (id int PRIMARY KEY, name text);
CREATE TABLE jobs (id int PRIMARY KEY, site_id int REFERENCES sites(id));
CREATE TABLE crews (id int PRIMARY KEY, job_id int REFERENCES jobs(id));
CREATE TABLE costs (id int PRIMARY KEY, job_id int UNIQUE REFERENCES jobs(id), amount int);
INSERT INTO sites VALUES (1, 'north'), (2, 'south');
INSERT INTO jobs VALUES (1, 1), (2, 1), (3, 2);
INSERT INTO crews VALUES (1, 1), (2, 2), (3, 3), (4, 3);
INSERT INTO costs VALUES (1, 1, 10), (2, 2, 5), (3, 3, 7);
GRANT SELECT ON sites, jobs, crews, costs TO regress_pgrest_anon;
SET pgrest.aggregates_enabled = on;
-- (the groups in no particular order: sorted here)
SELECT status, (SELECT jsonb_agg(e ORDER BY e::text) FROM jsonb_array_elements(body) AS e) AS groups
FROM ask('GET', '/crews?select=...jobs(sites(name),...costs(amount.sum()))');
SELECT status, (SELECT jsonb_agg(e ORDER BY e::text) FROM jsonb_array_elements(body) AS e) AS groups
FROM ask('GET', '/crews?select=...jobs(site:sites(name),...costs(total:amount.sum()))');
RESET pgrest.aggregates_enabled;

SET client_min_messages = warning;
DROP TABLE tickets, accounts, lamps, fans, notes2, costs, crews, jobs, sites CASCADE;
DROP DOMAIN lucky;
DROP FUNCTION ask(text, text, text, text);
RESET client_min_messages;
