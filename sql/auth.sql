--
-- auth: JWT authentication (HS256), through pgrest.handle() and, at the
-- end, over HTTP through the workers.  Tokens are minted here, relative to
-- now(), which is also the "now" pgrest.handle() checks them against.
--

-- HMAC-SHA256 (RFC 2104) from sha256(), so the test needs no pgcrypto
CREATE FUNCTION regress_xor_pad(key bytea, pad int) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
    SELECT string_agg(set_byte('\x00'::bytea, 0,
                               CASE WHEN i < length(key) THEN get_byte(key, i) ELSE 0 END # pad),
                      ''::bytea ORDER BY i)
    FROM generate_series(0, 63) AS i
$$;
CREATE FUNCTION regress_hmac_sha256(key bytea, message bytea) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
    SELECT sha256(regress_xor_pad(k, 92) || sha256(regress_xor_pad(k, 54) || message))
    FROM (SELECT CASE WHEN length(key) > 64 THEN sha256(key) ELSE key END AS k) AS t
$$;
-- base64url without padding, as JWS writes it
CREATE FUNCTION regress_b64url(data bytea) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT rtrim(translate(encode(data, 'base64'), E'+/\n', '-_'), '=')
$$;
CREATE FUNCTION regress_bytes(s text) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$ SELECT convert_to(s, getdatabaseencoding()) $$;
-- "header.payload" signed with HS256
CREATE FUNCTION regress_sign(signing_input text,
                             secret text DEFAULT current_setting('pgrest.jwt_secret'))
RETURNS text LANGUAGE sql AS $$
    SELECT signing_input || '.' ||
           regress_b64url(regress_hmac_sha256(regress_bytes(secret), regress_bytes(signing_input)))
$$;
-- a token from the header's and the payload's text
CREATE FUNCTION regress_jwt_raw(header text, payload text,
                                secret text DEFAULT current_setting('pgrest.jwt_secret'))
RETURNS text LANGUAGE sql AS $$
    SELECT regress_sign(regress_b64url(regress_bytes(header)) || '.' ||
                        regress_b64url(regress_bytes(payload)), secret)
$$;
CREATE FUNCTION regress_jwt(payload jsonb,
                            secret text DEFAULT current_setting('pgrest.jwt_secret'))
RETURNS text LANGUAGE sql AS $$
    SELECT regress_jwt_raw('{"alg":"HS256","typ":"JWT"}', payload::text, secret)
$$;
-- now() in whole seconds since the epoch
CREATE FUNCTION regress_now() RETURNS bigint
LANGUAGE sql STABLE AS $$ SELECT floor(extract(epoch FROM now()))::bigint $$;
-- GET path with this Authorization header: what the response says
CREATE FUNCTION regress_auth(path text, credentials text,
                             OUT status int, OUT code text, OUT message text,
                             OUT details text, OUT www_authenticate text)
LANGUAGE sql AS $$
    SELECT status, body::jsonb->>'code', body::jsonb->>'message',
           body::jsonb->>'details', headers->>'WWW-Authenticate'
    FROM pgrest.handle('GET', path, NULL, jsonb_build_object('Authorization', credentials))
$$;
-- the role and claims a request with this token sees
CREATE FUNCTION regress_whoami(token text,
                               OUT status int, OUT role text, OUT claims jsonb)
LANGUAGE sql AS $$
    SELECT status, body::jsonb->0->>'role', body::jsonb->0->'claims'
    FROM pgrest.handle('GET', '/whoami', 'select=role,claims',
                       jsonb_build_object('Authorization', 'Bearer ' || token))
$$;

-- the helpers compute the HMAC of RFC 4231's test case 2
SELECT encode(regress_hmac_sha256('Jefe', 'what do ya want for nothing?'), 'hex')
    = '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843' AS hmac_ok;

-- a role the authenticator may become, and one it may not
CREATE ROLE regress_pgrest_user NOLOGIN;
GRANT regress_pgrest_user TO regress_pgrest_authenticator;
CREATE ROLE regress_pgrest_outsider NOLOGIN;
GRANT SELECT ON whoami TO regress_pgrest_user, regress_pgrest_outsider;

SET pgrest.jwt_secret = 'regress-jwt-secret-of-at-least-32-bytes';

--
-- Valid tokens
--
-- the request runs as the token's role; request.jwt.claims is the payload
SELECT * FROM regress_whoami(regress_jwt('{"role": "regress_pgrest_user", "sub": "u1", "n": [1, {"x": null}]}'));
-- the scheme in any case, with any blanks before the token
SELECT replace(scheme, E'\t', '\t') AS scheme,
       (regress_auth('/whoami', scheme || regress_jwt('{"role": "regress_pgrest_user"}'))).status
FROM unnest(ARRAY['Bearer ', 'bearer ', 'BEARER ', E'Bearer \t ']) AS scheme;
-- no role claim: the anonymous role, and it joins the claims
SELECT * FROM regress_whoami(regress_jwt('{"sub": "u2"}'));
-- the same token again (now from the cache) gives the same answer
SELECT * FROM regress_whoami(regress_jwt('{"sub": "u2"}'));
-- a role claim that is not a string names the role by its JSON text
SELECT status, code, message FROM regress_auth('/whoami', 'Bearer ' || regress_jwt('{"role": 123}'));

-- pgrest.jwt_role_claim: a key (dots allowed), else a dotted path
SET pgrest.jwt_role_claim = 'app_metadata.role';
SELECT * FROM regress_whoami(regress_jwt('{"app_metadata": {"role": "regress_pgrest_user", "plan": "free"}}'));
SELECT role FROM regress_whoami(regress_jwt('{"app_metadata.role": "regress_pgrest_outsider", "app_metadata": {"role": "regress_pgrest_user"}}'));
SELECT role FROM regress_whoami(regress_jwt('{"app_metadata": "regress_pgrest_user"}'));
SELECT role FROM regress_whoami(regress_jwt('{"role": "regress_pgrest_user"}'));
SET pgrest.jwt_role_claim = 'https://example.com/role';
SELECT role FROM regress_whoami(regress_jwt('{"https://example.com/role": "regress_pgrest_user"}'));
-- or a JSON path in one of PostgREST's syntaxes: RFC 9535's ($.a.b, ['a-b'],
-- indexes, a filter last) and the older one (.a.b, ."a-b", [0], filters
-- ==, !=, ^==, ==^, *==); the first string a filter matches is the role
CREATE FUNCTION regress_role_at(path text, payload jsonb) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('pgrest.jwt_role_claim', path, false);
    RETURN (SELECT role FROM regress_whoami(regress_jwt(payload)));
END $$;
SELECT path, regress_role_at(path, payload) AS role FROM (VALUES
    ('$.role', '{"role": "regress_pgrest_user"}'::jsonb),
    ('$.app_metadata.role', '{"app_metadata": {"role": "regress_pgrest_user"}}'),
    ('$[''x-claims'']["role"]', '{"x-claims": {"role": "regress_pgrest_user"}}'),
    ('$.roles[1]', '{"roles": ["regress_pgrest_outsider", "regress_pgrest_user"]}'),
    ('$.roles[-1]', '{"roles": ["regress_pgrest_outsider", "regress_pgrest_user"]}'),
    ('$.roles[ ?@ == "regress_pgrest_user" ]', '{"roles": [1, "regress_pgrest_outsider", "regress_pgrest_user"]}'),
    ('$.roles[?(@ != "regress_pgrest_outsider")]', '{"roles": ["regress_pgrest_outsider", "regress_pgrest_user"]}'),
    ('.role', '{"role": "regress_pgrest_user"}'),
    ('."x-claims".role', '{"x-claims": {"role": "regress_pgrest_user"}}'),
    ('.roles[1]', '{"roles": ["regress_pgrest_outsider", "regress_pgrest_user"]}'),
    ('.roles[?(@ ^== "regress_pgrest_u")]', '{"roles": ["regress_pgrest_outsider", "regress_pgrest_user"]}'),
    ('.roles[?(@ ==^ "_user")]', '{"roles": ["regress_pgrest_outsider", "regress_pgrest_user"]}'),
    ('.roles[?(@ *== "st_us")]', '{"roles": ["regress_pgrest_outsider", "regress_pgrest_user"]}'),
    -- a path that names nothing in the token: the anonymous role
    ('$.roles[2]', '{"roles": ["regress_pgrest_outsider", "regress_pgrest_user"]}'),
    ('$.app_metadata.role', '{"app_metadata": "regress_pgrest_user"}'),
    ('.roles[?(@ == "nobody")]', '{"roles": ["regress_pgrest_user"]}')
) AS t(path, payload);
-- a path that does not parse is refused when set, so that no typo makes
-- every token anonymous; the last good value stays
SET pgrest.jwt_role_claim = '$.role';
SET pgrest.jwt_role_claim = '$.role.';
SET pgrest.jwt_role_claim = '$..role';
SET pgrest.jwt_role_claim = '$.roles[*]';
SET pgrest.jwt_role_claim = '$';
SET pgrest.jwt_role_claim = '.a-b';
SET pgrest.jwt_role_claim = '.roles[?(@ == "x")].name';
SET pgrest.jwt_role_claim = '.roles[?(@ = "x")]';
SET pgrest.jwt_role_claim = '."unclosed';
SHOW pgrest.jwt_role_claim;
DROP FUNCTION regress_role_at(text, jsonb);
RESET pgrest.jwt_role_claim;

-- pgrest.jwt_secret_is_base64: the secret is base64 (the URL-safe
-- alphabet too, "." padding included), as PostgREST's jwt-secret-is-base64
SET pgrest.jwt_secret_is_base64 = on;
SELECT set_config('pgrest.jwt_secret',
    encode(convert_to('~~~regress-jwt-secret-of-at-least-32-bytes~~~?', 'UTF8'), 'base64'), false) AS secret;
SELECT status, role FROM regress_whoami(regress_jwt('{"role": "regress_pgrest_user"}',
    '~~~regress-jwt-secret-of-at-least-32-bytes~~~?'));
SELECT set_config('pgrest.jwt_secret', translate(current_setting('pgrest.jwt_secret'), '+/=', '-_.'), false) AS secret;
SELECT status, role FROM regress_whoami(regress_jwt('{"role": "regress_pgrest_user"}',
    '~~~regress-jwt-secret-of-at-least-32-bytes~~~?'));
-- signed with the base64 text itself: not the secret
SELECT status, code FROM regress_auth('/whoami', 'Bearer ' || regress_jwt('{"role": "regress_pgrest_user"}'));
SET pgrest.jwt_secret = 'this text is long enough but not base64!';
SELECT status, code, message, details FROM regress_auth('/whoami', 'Bearer ' || regress_jwt('{"role": "regress_pgrest_user"}'));
RESET pgrest.jwt_secret_is_base64;
SET pgrest.jwt_secret = 'regress-jwt-secret-of-at-least-32-bytes';

--
-- exp, nbf and iat, with 30 seconds of clock skew
--
SELECT label, r.status, r.code, r.message, r.details, r.www_authenticate
FROM (VALUES
    (1, 'exp an hour ago', jsonb_build_object('exp', regress_now() - 3600)),
    (2, 'exp 31 s ago', jsonb_build_object('exp', regress_now() - 31)),
    (3, 'exp 40.5 s ago', jsonb_build_object('exp', regress_now() - 40.5)),
    (4, 'exp 30 s ago', jsonb_build_object('exp', regress_now() - 30)),
    (5, 'exp 20 s ago', jsonb_build_object('exp', regress_now() - 20)),
    (6, 'exp in an hour', jsonb_build_object('exp', regress_now() + 3600)),
    (7, 'exp far away', '{"exp": 1e300}'),
    (8, 'exp null', '{"exp": null}'),
    (9, 'exp a string', '{"exp": "tomorrow"}'),
    (10, 'nbf in an hour', jsonb_build_object('nbf', regress_now() + 3600)),
    (11, 'nbf in 31 s', jsonb_build_object('nbf', regress_now() + 31)),
    (12, 'nbf in 30 s', jsonb_build_object('nbf', regress_now() + 30)),
    (13, 'nbf a minute ago', jsonb_build_object('nbf', regress_now() - 60)),
    (14, 'nbf a string', '{"nbf": "now"}'),
    (15, 'iat in an hour', jsonb_build_object('iat', regress_now() + 3600)),
    (16, 'iat in 20 s', jsonb_build_object('iat', regress_now() + 20)),
    (17, 'iat now', jsonb_build_object('iat', regress_now())),
    (18, 'iat a boolean', '{"iat": true}'),
    (19, 'expired and not yet valid', jsonb_build_object('exp', regress_now() - 100, 'nbf', regress_now() + 100))
    ) AS t(n, label, claims),
    regress_auth('/whoami', 'Bearer ' || regress_jwt(claims || '{"role": "regress_pgrest_user"}')) AS r
ORDER BY n;

--
-- aud: a string or an array of strings; checked when pgrest.jwt_aud is set
--
SELECT label, r.status, r.code, r.message
FROM (VALUES
    (1, 'a string', '{"aud": "anyone"}'::jsonb),
    (2, 'an array', '{"aud": ["a", "b"]}'),
    (3, 'an object', '{"aud": {"a": 1}}'),
    (4, 'a number', '{"aud": 5}'),
    (5, 'an array with a number', '{"aud": ["a", 1]}')
    ) AS t(n, label, claims),
    regress_auth('/whoami', 'Bearer ' || regress_jwt(claims || '{"role": "regress_pgrest_user"}')) AS r
ORDER BY n;
-- accepted while no audience is configured, and cached
SELECT status FROM regress_auth('/whoami', 'Bearer ' || regress_jwt('{"role": "regress_pgrest_user", "aud": "other"}'));
SET pgrest.jwt_aud = 'regress-api';
SELECT label, r.status, r.code, r.message, r.www_authenticate
FROM (VALUES
    (1, 'the audience', '{"aud": "regress-api"}'::jsonb),
    (2, 'an array naming it', '{"aud": ["other", "regress-api"]}'),
    (3, 'another audience', '{"aud": "other"}'),
    (4, 'an array without it', '{"aud": ["other", "regress-api2"]}'),
    (5, 'an empty array', '{"aud": []}'),
    (6, 'no aud', '{}'),
    (7, 'aud null', '{"aud": null}'),
    (8, 'an array with a number', '{"aud": ["regress-api", 2]}')
    ) AS t(n, label, claims),
    regress_auth('/whoami', 'Bearer ' || regress_jwt(claims || '{"role": "regress_pgrest_user"}')) AS r
ORDER BY n;
RESET pgrest.jwt_aud;

--
-- Tokens that do not decode or verify: 401 PGRST301, or PGRST303 for a
-- payload that is not a JSON object
--
CREATE TEMP TABLE bad_tokens (n int, label text, credentials text);
INSERT INTO bad_tokens VALUES
    (1, 'empty bearer', 'Bearer'),
    (2, 'blank bearer', 'Bearer   '),
    (3, 'Basic scheme', 'Basic dXNlcjpwYXNz'),
    (4, 'no blank after the scheme', 'Bearer' || regress_jwt('{"role": "regress_pgrest_user"}')),
    (5, 'empty header', ''),
    (6, 'one part', 'Bearer abc'),
    (7, 'two parts', 'Bearer ' || substring(regress_jwt('{"role": "regress_pgrest_user"}') FROM '^[^.]*\.[^.]*')),
    (8, 'four parts', 'Bearer ' || regress_jwt('{"role": "regress_pgrest_user"}') || '.abc'),
    (9, 'three empty parts', 'Bearer ..'),
    (10, 'header not base64url', 'Bearer !!!.e30.abc'),
    (11, 'padded header', 'Bearer ' || regress_b64url(regress_bytes('{"alg":"HS256"}')) || '=.e30.abc'),
    (12, 'header not JSON', 'Bearer ' || regress_jwt_raw('hello', '{"role": "regress_pgrest_user"}')),
    (13, 'header an array', 'Bearer ' || regress_jwt_raw('["HS256"]', '{"role": "regress_pgrest_user"}')),
    (14, 'header without alg', 'Bearer ' || regress_jwt_raw('{"typ":"JWT"}', '{"role": "regress_pgrest_user"}')),
    (15, 'alg a number', 'Bearer ' || regress_jwt_raw('{"alg":256}', '{"role": "regress_pgrest_user"}')),
    (16, 'alg none, unsigned', 'Bearer ' || regress_b64url(regress_bytes('{"alg":"none"}')) || '.' || regress_b64url(regress_bytes('{"role": "regress_pgrest_user"}')) || '.'),
    (17, 'alg none, signed', 'Bearer ' || regress_jwt_raw('{"alg":"none"}', '{"role": "regress_pgrest_user"}')),
    (18, 'alg HS512', 'Bearer ' || regress_jwt_raw('{"alg":"HS512","typ":"JWT"}', '{"role": "regress_pgrest_user"}')),
    (19, 'alg hs256', 'Bearer ' || regress_jwt_raw('{"alg":"hs256"}', '{"role": "regress_pgrest_user"}')),
    (20, 'header 65 levels deep', 'Bearer ' || regress_jwt_raw('{"alg":"HS256","x":' || repeat('[', 64) || repeat(']', 64) || '}', '{"role": "regress_pgrest_user"}')),
    (21, 'header 64 levels deep', 'Bearer ' || regress_jwt_raw('{"alg":"HS256","x":' || repeat('[', 63) || repeat(']', 63) || '}', '{"role": "regress_pgrest_user"}')),
    (22, 'another secret', 'Bearer ' || regress_jwt('{"role": "regress_pgrest_user"}', 'another-secret-that-is-long-enough-too')),
    (23, 'payload swapped', 'Bearer ' || regexp_replace(regress_jwt('{"role": "regress_pgrest_anon"}'), '\.[^.]*\.', '.' || regress_b64url(regress_bytes('{"role": "regress_pgrest_user"}')) || '.')),
    (24, 'signature cut short', 'Bearer ' || left(regress_jwt('{"role": "regress_pgrest_user"}'), -1)),
    (25, 'signature longer', 'Bearer ' || regress_jwt('{"role": "regress_pgrest_user"}') || 'A'),
    (26, 'signature not base64url', 'Bearer ' || left(regress_jwt('{"role": "regress_pgrest_user"}'), -1) || '='),
    (27, 'payload not JSON', 'Bearer ' || regress_jwt_raw('{"alg":"HS256"}', 'role=admin')),
    (28, 'payload an array', 'Bearer ' || regress_jwt_raw('{"alg":"HS256"}', '[{"role": "regress_pgrest_user"}]')),
    (29, 'payload a string', 'Bearer ' || regress_jwt_raw('{"alg":"HS256"}', '"regress_pgrest_user"')),
    (30, 'payload 65 levels deep', 'Bearer ' || regress_jwt_raw('{"alg":"HS256"}', '{"x":' || repeat('[', 64) || repeat(']', 64) || '}')),
    (31, 'payload with \u0000', 'Bearer ' || regress_jwt_raw('{"alg":"HS256"}', '{"x": "\u0000"}')),
    (32, 'payload with 1e5000', 'Bearer ' || regress_jwt_raw('{"alg":"HS256"}', '{"x": 1e5000}')),
    (33, 'payload not base64url', 'Bearer ' || regress_sign(regress_b64url(regress_bytes('{"alg":"HS256"}')) || '.e30*')),
    (34, 'token over 8 kB', 'Bearer ' || regress_jwt(jsonb_build_object('role', 'regress_pgrest_user', 'pad', repeat('x', 8000)))),
    (35, 'token under 8 kB', 'Bearer ' || regress_jwt(jsonb_build_object('role', 'regress_pgrest_user', 'pad', repeat('x', 5900))));
SELECT n, label, length(credentials) > 8192 AS over_8kb, r.status, r.code, r.message, r.details, r.www_authenticate
FROM bad_tokens, regress_auth('/whoami', credentials) AS r
ORDER BY n;
-- every such error is 401 with invalid_token (and the message as description)
SELECT count(*) AS refused,
       count(*) FILTER (WHERE www_authenticate = format('Bearer error="invalid_token", error_description="%s"', message)) AS described
FROM bad_tokens, regress_auth('/whoami', credentials) AS r
WHERE r.status = 401;

--
-- The secret
--
-- a token verified (and cached) with one secret fails under another
SELECT status FROM regress_auth('/whoami', 'Bearer ' || regress_jwt('{"role": "regress_pgrest_user", "sub": "cached"}'));
SET pgrest.jwt_secret = 'another-secret-that-is-long-enough-too';
SELECT status, code, message FROM regress_auth('/whoami', 'Bearer ' || regress_jwt('{"role": "regress_pgrest_user", "sub": "cached"}', 'regress-jwt-secret-of-at-least-32-bytes'));
SET pgrest.jwt_secret = 'regress-jwt-secret-of-at-least-32-bytes';
SELECT status FROM regress_auth('/whoami', 'Bearer ' || regress_jwt('{"role": "regress_pgrest_user", "sub": "cached"}'));
-- no secret: a bearer token is a server error, another scheme still 401
SELECT regress_jwt('{"role": "regress_pgrest_user"}') AS token \gset
RESET pgrest.jwt_secret;
SELECT status, code, message, www_authenticate FROM regress_auth('/whoami', 'Bearer ' || :'token');
SELECT status, code, message, www_authenticate FROM regress_auth('/whoami', 'Bearer');
SELECT status, code FROM regress_auth('/whoami', 'Basic dXNlcjpwYXNz');
SET pgrest.jwt_secret = 'regress-jwt-secret-of-at-least-32-bytes';

--
-- Roles: PostgreSQL decides, when the request switches to the role
--
-- a role that does not exist: 401 (22023), never another role
SELECT status, code, message, www_authenticate
FROM regress_auth('/whoami', 'Bearer ' || regress_jwt('{"role": "regress_pgrest_nobody"}'));
-- "none" would be the session user itself; "" is no role either
SELECT status, code, message, www_authenticate
FROM regress_auth('/whoami', 'Bearer ' || regress_jwt('{"role": "none"}'));
SELECT status, code, message
FROM regress_auth('/whoami', 'Bearer ' || regress_jwt('{"role": ""}'));
-- statuses come from SQLSTATEs, never from a message's wording: the same
-- answers with PostgreSQL speaking German (a database error keeps its
-- translated message)
SET lc_messages = 'de_DE.UTF-8';
SELECT status, code, message
FROM regress_auth('/whoami', 'Bearer ' || regress_jwt('{"role": "regress_pgrest_nobody"}'));
SELECT status, code, message
FROM regress_auth('/secrets', 'Bearer ' || regress_jwt('{"role": "regress_pgrest_user"}'));
RESET lc_messages;
-- permission denied with a token naming a role: 403, without WWW-Authenticate
SELECT status, code, message, www_authenticate
FROM regress_auth('/secrets', 'Bearer ' || regress_jwt('{"role": "regress_pgrest_user"}'));
-- with a token naming no role, or the anonymous one, it stays 401
SELECT status, code, www_authenticate
FROM regress_auth('/secrets', 'Bearer ' || regress_jwt('{"sub": "u3"}'));
SELECT status, code, www_authenticate
FROM regress_auth('/secrets', 'Bearer ' || regress_jwt('{"role": "regress_pgrest_anon"}'));
-- in pgrest.handle() the session user is this superuser, who may become
-- any role; the workers log in as the authenticator (see the HTTP part)
SELECT role FROM regress_whoami(regress_jwt('{"role": "regress_pgrest_outsider"}'));
-- without an anonymous role, a token must name one
SET pgrest.anon_role = '';
SELECT status, code, message, www_authenticate
FROM regress_auth('/whoami', 'Bearer ' || regress_jwt('{"sub": "u4"}'));
SELECT role FROM regress_whoami(regress_jwt('{"role": "regress_pgrest_user"}'));
RESET pgrest.anon_role;

--
-- Over HTTP: the workers read the secret from the configuration file
--
ALTER SYSTEM SET pgrest.jwt_secret = 'regress-jwt-secret-of-at-least-32-bytes';
SELECT pg_reload_conf();
-- wait, bounded, until every worker has answered a token
DO $$
DECLARE
    workers int := (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pgrest');
    seen int[] := '{}';
    r record;
    pid int;
BEGIN
    FOR i IN 1..400 LOOP
        SELECT * INTO r FROM regress_http('GET', '/whoami?select=pid', format(
            '-H "Connection: close" -H "Authorization: Bearer %s"',
            regress_jwt('{"role": "regress_pgrest_user"}', 'regress-jwt-secret-of-at-least-32-bytes')));
        IF r.status = 200 THEN
            pid := (r.body::jsonb->0->>'pid')::int;
            IF NOT pid = ANY (seen) THEN
                seen := seen || pid;
            END IF;
        END IF;
        EXIT WHEN cardinality(seen) >= workers;
        PERFORM pg_sleep(0.05);
    END LOOP;
    IF cardinality(seen) < workers THEN
        RAISE EXCEPTION 'gave up waiting for every worker to take the JWT secret';
    END IF;
END
$$;
CREATE FUNCTION regress_bearer(claims jsonb) RETURNS text
LANGUAGE sql AS $$
    SELECT format('-H "Authorization: Bearer %s"',
                  regress_jwt(claims, 'regress-jwt-secret-of-at-least-32-bytes'))
$$;
-- a role the authenticator is a member of
SELECT status, body::jsonb->0->>'role' AS role
FROM regress_http('GET', '/whoami?select=role', regress_bearer('{"role": "regress_pgrest_user"}'));
-- one it is not a member of: an error, never another role
SELECT status, body::jsonb->>'code' AS code, body::jsonb->>'message' AS message
FROM regress_http('GET', '/whoami?select=role', regress_bearer('{"role": "regress_pgrest_outsider"}'));
-- one that does not exist
SELECT status, body::jsonb->>'code' AS code, body::jsonb->>'message' AS message
FROM regress_http('GET', '/whoami?select=role', regress_bearer('{"role": "regress_pgrest_nobody"}'));
-- no role claim: the anonymous role
SELECT status, body::jsonb->0->>'role' AS role
FROM regress_http('GET', '/whoami?select=role', regress_bearer('{"sub": "u5"}'));
-- an expired token, with its WWW-Authenticate header
SELECT status, body::jsonb->>'code' AS code, body::jsonb->>'message' AS message
FROM regress_http('GET', '/whoami', regress_bearer(jsonb_build_object('role', 'regress_pgrest_user', 'exp', regress_now() - 3600)));
SELECT line FROM regress_program(format(
    'curl -sS -i %s %s', regress_bearer(jsonb_build_object('exp', regress_now() - 3600)),
    regress_sh(regress_url('/whoami')))) AS line
WHERE lower(line) LIKE 'www-authenticate:%';
-- back to no secret; wait, bounded, until a worker refuses tokens again
ALTER SYSTEM RESET pgrest.jwt_secret;
SELECT pg_reload_conf();
SELECT regress_wait_for($$(SELECT status = 500 FROM regress_http('GET', '/whoami', '-H "Connection: close" ' || regress_bearer('{}')))$$,
                        'the workers to drop the JWT secret');

RESET pgrest.jwt_secret;
REVOKE SELECT ON whoami FROM regress_pgrest_user, regress_pgrest_outsider;
DROP ROLE regress_pgrest_user, regress_pgrest_outsider;
