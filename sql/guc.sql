--
-- guc: every pgrest.* setting, its default or regress.conf value, units,
-- and the values the check hooks refuse.
--
SELECT name,
       CASE WHEN name IN ('pgrest.port', 'pgrest.admin_port') THEN '(picked per run)' ELSE setting END AS setting,
       unit, context, vartype
FROM pg_settings
WHERE name LIKE 'pgrest.%'
ORDER BY name;

-- units parse as PostgreSQL's own settings do
SET pgrest.max_body_size = '1MB';
SHOW pgrest.max_body_size;
SET pgrest.statement_timeout = '1s';
SHOW pgrest.statement_timeout;
SET pgrest.statement_timeout = 250;
SHOW pgrest.statement_timeout;
SET pgrest.idle_timeout = '2min';
SHOW pgrest.idle_timeout;
RESET pgrest.max_body_size;
RESET pgrest.statement_timeout;
RESET pgrest.idle_timeout;

-- rejected values
SET pgrest.jwt_secret = 'too short';
SET pgrest.jwt_secret = 'a-secret-that-is-long-enough-for-hs256';
RESET pgrest.jwt_secret;
SET pgrest.schemas = '';
SET pgrest.schemas = 'api, , v1';
SET pgrest.schemas = 'api, "Mixed Case"';
SHOW pgrest.schemas;
RESET pgrest.schemas;
SET pgrest.jwt_role_claim = '';
SET pgrest.tx_end = 'sometimes';
SET pgrest.max_rows = -1;
SET pgrest.max_body_size = '2GB';
SET pgrest.statement_timeout = 'soon';
SET pgrest.pre_request = 'a.b.c';
SET pgrest.pre_request = 'api.check_request';
RESET pgrest.pre_request;
SET pgrest.cors_allowed_origins = E'https://a.example\nX-Injected: 1';
SET pgrest.sql_endpoint = 'maybe';

-- restart-only settings cannot change in a session
SET pgrest.port = 3001;
SET pgrest.workers = 4;

-- the prefix is reserved: typos in SET (and ALTER SYSTEM) are errors, not
-- silent placeholders; in postgresql.conf they are warnings at start
-- (test/setup.test.mjs)
SET pgrest.prot = 3001;

-- the JWT secret is hidden from SHOW ALL and from non-superusers
SELECT count(*) FROM pg_settings WHERE name = 'pgrest.jwt_secret';
SET ROLE regress_pgrest_anon;
SHOW pgrest.jwt_secret;
RESET ROLE;

-- CREATE EXTENSION in a database the workers do not serve says which one
-- they serve
CREATE DATABASE regress_pgrest_elsewhere;
\c regress_pgrest_elsewhere
CREATE EXTENSION pgrest;
\c contrib_regression
DROP DATABASE regress_pgrest_elsewhere;
