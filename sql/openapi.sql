--
-- openapi: GET / describes what the request's role may use, as OpenAPI
-- 3.1 built by PostgreSQL from the catalogs, or as a page for people.
--
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE DOMAIN positive AS int CHECK (VALUE > 0);
CREATE TABLE gadgets (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    owner int REFERENCES users (id),
    name varchar(40) NOT NULL,
    price numeric(8, 2),
    feeling mood DEFAULT 'happy',
    bought date,
    seen timestamptz NOT NULL DEFAULT now(),
    count positive NOT NULL DEFAULT 1,
    flags bool[],
    extra jsonb,
    code text GENERATED ALWAYS AS (upper(name)) STORED
);
COMMENT ON TABLE gadgets IS 'Gadgets we own
Every gadget, with <b>its</b> owner.';
COMMENT ON COLUMN gadgets.name IS 'The name <script>alert(1)</script>';
GRANT SELECT, INSERT ON gadgets TO regress_pgrest_anon;
GRANT UPDATE (name) ON gadgets TO regress_pgrest_anon;
CREATE FUNCTION gadget_count(min_price numeric DEFAULT 0) RETURNS bigint
LANGUAGE sql STABLE AS $$ SELECT count(*) FROM gadgets WHERE price >= min_price $$;
COMMENT ON FUNCTION gadget_count(numeric) IS 'How many gadgets cost at least this';
CREATE FUNCTION buy(name text, price numeric) RETURNS SETOF gadgets
LANGUAGE sql AS $$ INSERT INTO gadgets (name, price) VALUES (name, price) RETURNING * $$;
CREATE FUNCTION hidden_function() RETURNS int LANGUAGE sql AS 'SELECT 1';
REVOKE EXECUTE ON FUNCTION hidden_function() FROM PUBLIC;
CREATE FUNCTION a_trigger() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE TABLE "odd name+x" (v text);
GRANT SELECT ON "odd name+x" TO regress_pgrest_anon;

CREATE FUNCTION doc(headers jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE sql AS $$ SELECT body::jsonb FROM pgrest.handle('GET', '/', NULL, headers) $$;

-- status and media type: OpenAPI for no Accept, */* and application/openapi+json
SELECT accept, status, headers->>'Content-Type' AS type, (body::jsonb)->>'openapi' AS openapi
FROM (VALUES (NULL), ('*/*'), ('application/openapi+json'), ('application/json'),
             ('text/csv'), ('text/html;q=0.5, application/openapi+json')) AS a(accept),
     LATERAL pgrest.handle('GET', '/', NULL,
                           CASE WHEN accept IS NULL THEN '{}'
                           ELSE jsonb_build_object('Accept', accept) END) AS r;
SELECT status, headers->>'Content-Type' AS type, body IS NULL AS no_body
FROM pgrest.handle('HEAD', '/');
SELECT status, body::jsonb->>'code' AS code FROM pgrest.handle('DELETE', '/');

-- the document: info, paths and what each relation allows this role
SELECT jsonb_pretty(doc()->'info');
SELECT jsonb_object_keys(doc()->'paths') AS path ORDER BY 1;
SELECT path, jsonb_object_keys(doc()->'paths'->path) AS method
FROM (VALUES ('/gadgets'), ('/users'), ('/users/{key}'), ('/rpc/buy'),
             ('/rpc/gadget_count')) AS p(path)
ORDER BY 1, 2;

-- columns as JSON Schema: formats, precision, enums, arrays, nullability,
-- defaults, keys, comments
SELECT jsonb_pretty(doc()->'components'->'schemas'->'gadgets');
-- what an insert needs, and what a patch may change
SELECT jsonb_pretty(doc()->'paths'->'/gadgets'->'post'->'requestBody'->'content'
                    ->'application/json'->'schema'->'oneOf'->0->'required');
SELECT jsonb_object_keys(doc()->'paths'->'/gadgets'->'patch'->'requestBody'->'content'
                         ->'application/json'->'schema'->'properties') AS patchable;
-- filters on every column, and the shared parameters
SELECT p->>'name' AS name, p->>'$ref' AS ref
FROM jsonb_array_elements(doc()->'paths'->'/users'->'get'->'parameters') AS p;

-- functions: arguments as query parameters (GET) and as the body (POST)
SELECT jsonb_pretty(doc()->'paths'->'/rpc/gadget_count');
SELECT jsonb_pretty(doc()->'paths'->'/rpc/buy'->'post'->'responses'->'200');

-- names that are no valid component names or URL paths
SELECT doc()->'paths'->'/odd%20name%2Bx'->'get'->'tags' AS tags,
       doc()->'components'->'schemas'->'odd_name_x'->'x-pgrest-relation' AS relation;

-- follow-privileges (the default) hides what the role may not use;
-- ignore-privileges shows it; disabled answers 404
SELECT doc()->'paths' ? '/secrets' AS secrets, doc()->'paths' ? '/rpc/hidden_function' AS hidden;
SET pgrest.openapi_mode = 'ignore-privileges';
SELECT doc()->'paths' ? '/secrets' AS secrets, doc()->'paths' ? '/rpc/hidden_function' AS hidden,
       doc()->'paths' ? '/rpc/a_trigger' AS trigger;
SET pgrest.openapi_mode = 'disabled';
SELECT status, body::jsonb FROM pgrest.handle('GET', '/');
RESET pgrest.openapi_mode;
-- without USAGE on the schema, nothing but the root
CREATE SCHEMA closed;
CREATE TABLE closed.t (id int);
GRANT SELECT ON closed.t TO regress_pgrest_anon;
SET pgrest.schemas = 'public, closed';
SELECT jsonb_object_keys(doc('{"Accept-Profile": "closed"}')->'paths') AS path;
SELECT status, body::jsonb->>'code' AS code
FROM pgrest.handle('GET', '/', NULL, '{"Accept-Profile": "nope"}');
RESET pgrest.schemas;
DROP SCHEMA closed CASCADE;

-- servers: from pgrest.openapi_server_url, else from Host
SELECT doc('{"Host": "api.example.com:8080"}')->'servers' AS from_host,
       doc('{"Host": "bad host\"<>"}')->'servers' AS bad_host;
-- (one kept document serves every Host)
SELECT doc('{"Host": "one.example"}')->'servers' AS one,
       doc('{"Host": "two.example:81"}')->'servers' AS two;
SET pgrest.openapi_server_url = 'https://api.example.com/v1';
SELECT doc('{"Host": "ignored"}')->'servers' AS configured;
RESET pgrest.openapi_server_url;

-- a bearer JWT, once a secret is set: required, or optional with an
-- anonymous role
SELECT doc() ? 'security' AS security;
SET pgrest.jwt_secret = 'openapi-regression-secret-of-32-bytes!';
SELECT doc()->'security' AS security, doc()->'components'->'securitySchemes' AS schemes;
-- (without an anonymous role, the document too needs a token)
SET pgrest.anon_role = '';
SELECT status FROM pgrest.handle('GET', '/');
RESET pgrest.anon_role;
RESET pgrest.jwt_secret;

-- the page for people: self-contained, every name and comment escaped
SELECT status, headers->>'Content-Type' AS type,
       body LIKE '<!DOCTYPE html>%' AS html,
       body LIKE '%<script%' AS has_script,
       body LIKE '%The name &lt;script&gt;alert(1)&lt;/script&gt;%' AS escaped,
       body LIKE '%with &lt;b&gt;its&lt;/b&gt; owner%' AS escaped_table,
       body ~ '(src|href)=.(https?:)?//' AS external,
       body LIKE '%curl -X POST &#39;http://localhost:3000/gadgets&#39;%' AS curl
FROM pgrest.handle('GET', '/', NULL, '{"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}');
SELECT line FROM pgrest.handle('GET', '/', NULL, '{"Accept": "text/html", "Host": "h"}') AS r,
     regexp_split_to_table(r.body, E'\n') AS line
WHERE line LIKE 'curl%gadget%' OR line LIKE '%<h3>gadget%' OR line LIKE '%<td><code>owner%';

-- each worker keeps the documents it built; every change a document
-- shows is seen by the next request: privileges, memberships, comments,
-- enum labels, and the settings a pre-request function leaves
SELECT doc()->'paths' ? '/secrets' AS granted;
GRANT SELECT ON secrets TO regress_pgrest_anon;
SELECT doc()->'paths' ? '/secrets' AS granted;
REVOKE SELECT ON secrets FROM regress_pgrest_anon;
CREATE ROLE regress_pgrest_reader;
GRANT SELECT ON secrets TO regress_pgrest_reader;
GRANT regress_pgrest_reader TO regress_pgrest_anon;
SELECT doc()->'paths' ? '/secrets' AS member;
REVOKE regress_pgrest_reader FROM regress_pgrest_anon;
SELECT doc()->'paths' ? '/secrets' AS member;
COMMENT ON TABLE gadgets IS 'Gadgets, described again';
SELECT doc()->'components'->'schemas'->'gadgets'->>'description' AS description;
ALTER TYPE mood ADD VALUE 'calm';
SELECT doc()->'components'->'schemas'->'gadgets'->'properties'->'feeling'->'enum' AS labels;
CREATE FUNCTION narrow_path() RETURNS void
LANGUAGE sql AS $$ SELECT set_config('search_path', 'pg_catalog', true) $$;
SELECT doc()->'components'->'schemas'->'gadgets'->'properties'->'feeling'->>'x-pgrest-type' AS type;
SET pgrest.pre_request = 'narrow_path';
SELECT doc()->'components'->'schemas'->'gadgets'->'properties'->'feeling'->>'x-pgrest-type' AS type;
RESET pgrest.pre_request;
DROP FUNCTION narrow_path();
REVOKE SELECT ON secrets FROM regress_pgrest_reader;
DROP ROLE regress_pgrest_reader;

DROP FUNCTION doc(jsonb), gadget_count(numeric), buy(text, numeric), hidden_function(), a_trigger();
DROP TABLE gadgets, "odd name+x";
DROP DOMAIN positive;
DROP TYPE mood;

-- pgrest.root_spec: GET / calls that function of the request's schema
-- instead (PostgREST's db-root-spec); its result is negotiated as a call's
CREATE DOMAIN "application/openapi+json" AS json;
CREATE FUNCTION my_root() RETURNS "application/openapi+json" LANGUAGE sql
    AS $$ SELECT '{"swagger": "2.0", "info": {"title": "mine"}}'::json $$;
SET pgrest.root_spec = 'my_root';
SELECT status, headers->>'Content-Type' AS type, body::jsonb
FROM pgrest.handle('GET', '/', NULL, '{"Accept": "application/openapi+json"}');
SELECT status, headers->>'Content-Type' AS type, body::jsonb
FROM pgrest.handle('GET', '/', NULL, '{"Accept": "application/json"}');
SET pgrest.root_spec = 'public.my_root';
SET pgrest.root_spec = 'no_such_root';
SELECT status, body::jsonb->>'code' AS code FROM pgrest.handle('GET', '/');
RESET pgrest.root_spec;
SELECT status, body::jsonb->>'openapi' AS openapi FROM pgrest.handle('GET', '/');
DROP FUNCTION my_root();
DROP DOMAIN "application/openapi+json";
