--
-- settings: what a request's session holds besides pgrest's own: the
-- search_path (the request's schema, then pgrest.extra_search_path) and
-- the settings of the request's role (ALTER ROLE ... SET), as PostgREST
-- applies them; pgrest.statement_timeout stays the most a request takes.
--
CREATE VIEW role_view AS
    SELECT current_setting('search_path') AS search_path,
           current_setting('work_mem') AS work_mem,
           current_setting('statement_timeout') AS statement_timeout;
GRANT SELECT ON role_view TO regress_pgrest_anon;
SELECT body::jsonb FROM pgrest.handle('GET', '/role_view');

-- pgrest.extra_search_path follows the request's schema (once each)
SET pgrest.extra_search_path = 'extensions, public';
SELECT body::jsonb->0->>'search_path' AS search_path FROM pgrest.handle('GET', '/role_view');
SET pgrest.extra_search_path = '';
SELECT body::jsonb->0->>'search_path' AS search_path FROM pgrest.handle('GET', '/role_view');
SET pgrest.extra_search_path = ' , x';
RESET pgrest.extra_search_path;

-- the role's settings, seen as soon as ALTER ROLE commits (PostgREST
-- needs a NOTIFY pgrst): settings any role may set; others (superuser
-- ones, the isolation level) are left out
ALTER ROLE regress_pgrest_anon SET work_mem = '2MB';
ALTER ROLE regress_pgrest_anon SET log_min_duration_statement = '1s';
ALTER ROLE regress_pgrest_anon SET default_transaction_isolation = 'serializable';
SELECT body::jsonb->0->>'work_mem' AS work_mem FROM pgrest.handle('GET', '/role_view');
-- settings for this database come after the role's own
ALTER ROLE regress_pgrest_anon IN DATABASE contrib_regression SET work_mem = '3MB';
SELECT body::jsonb->0->>'work_mem' AS work_mem FROM pgrest.handle('GET', '/role_view');
-- other roles are not affected
CREATE ROLE regress_pgrest_plain NOLOGIN;
GRANT regress_pgrest_plain TO regress_pgrest_authenticator;
GRANT SELECT ON role_view TO regress_pgrest_plain;
SET pgrest.jwt_secret = 'regress-jwt-secret-of-at-least-32-bytes';
SELECT body::jsonb->0->>'work_mem' AS work_mem
FROM pgrest.handle('GET', '/role_view', NULL,
                   jsonb_build_object('Authorization',
                       'Bearer ' || regress_jwt('{"role": "regress_pgrest_plain"}',
                                                'regress-jwt-secret-of-at-least-32-bytes')));
RESET pgrest.jwt_secret;

-- over HTTP: the role's statement_timeout cuts the request short, and
-- pgrest.statement_timeout caps a longer one
ALTER ROLE regress_pgrest_anon SET statement_timeout = '200ms';
SELECT regress_wait_for($$(SELECT body::jsonb->0->>'statement_timeout' = '200ms'
                          FROM regress_http('GET', '/role_view', '-H "Connection: close"'))$$,
                        'the workers to see the role''s settings');
SELECT pg_advisory_lock(4242);
SELECT status, body::jsonb->>'code' AS code FROM regress_http('GET', '/gate');
SELECT pg_advisory_unlock(4242);
ALTER ROLE regress_pgrest_anon SET statement_timeout = '1h';
ALTER SYSTEM SET pgrest.statement_timeout = '250ms';
SELECT pg_reload_conf();
SELECT regress_wait_for($$(SELECT body::jsonb->0->>'statement_timeout' = '250ms'
                          FROM regress_http('GET', '/role_view', '-H "Connection: close"'))$$,
                        'the workers to apply the cap');
ALTER SYSTEM RESET pgrest.statement_timeout;
SELECT pg_reload_conf();

ALTER ROLE regress_pgrest_anon RESET ALL;
ALTER ROLE regress_pgrest_anon IN DATABASE contrib_regression RESET ALL;
SELECT body::jsonb->0->>'work_mem' AS work_mem FROM pgrest.handle('GET', '/role_view');
REVOKE regress_pgrest_plain FROM regress_pgrest_authenticator;
DROP VIEW role_view;
DROP ROLE regress_pgrest_plain;
