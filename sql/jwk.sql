--
-- jwk: pgrest.jwt_secret as @file, JWK and JWK Set; HS256, HS384, HS512
-- (RS*, ES*, EdDSA are in test/jwk.test.mjs, with keys from openssl).
--
-- HMAC with any of PostgreSQL's SHA-2 functions
CREATE FUNCTION regress_digest(alg text, data bytea) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE alg WHEN 'HS256' THEN sha256(data) WHEN 'HS384' THEN sha384(data)
                    ELSE sha512(data) END
$$;
CREATE FUNCTION regress_hmac(alg text, key bytea, message bytea) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    block int := CASE alg WHEN 'HS256' THEN 64 ELSE 128 END;
    k bytea := CASE WHEN length(key) > block THEN regress_digest(alg, key) ELSE key END;
    ipad bytea := '';
    opad bytea := '';
BEGIN
    FOR i IN 0 .. block - 1 LOOP
        ipad := ipad || set_byte('\x00'::bytea, 0, (CASE WHEN i < length(k) THEN get_byte(k, i) ELSE 0 END) # 54);
        opad := opad || set_byte('\x00'::bytea, 0, (CASE WHEN i < length(k) THEN get_byte(k, i) ELSE 0 END) # 92);
    END LOOP;
    RETURN regress_digest(alg, opad || regress_digest(alg, ipad || message));
END $$;
CREATE FUNCTION regress_token(alg text, secret text, payload jsonb, kid text DEFAULT NULL)
RETURNS text LANGUAGE sql AS $$
    SELECT input || '.' || regress_b64url(regress_hmac(alg, regress_bytes(secret), regress_bytes(input)))
    FROM (SELECT regress_b64url(regress_bytes((jsonb_build_object('alg', alg, 'typ', 'JWT')
                                  || CASE WHEN kid IS NULL THEN '{}'::jsonb
                                          ELSE jsonb_build_object('kid', kid) END)::text))
                 || '.' || regress_b64url(regress_bytes(payload::text)) AS input) AS t
$$;
-- who a token makes the request: status, role or error
CREATE FUNCTION regress_who(token text, OUT status int, OUT who text) LANGUAGE sql AS $$
    SELECT r.status, CASE WHEN r.status = 200 THEN r.body::jsonb->0->>'role'
                          ELSE concat_ws(': ', r.body::jsonb->>'code', r.body::jsonb->>'message') END
    FROM pgrest.handle('GET', '/whoami?select=role', NULL,
                       jsonb_build_object('Authorization', 'Bearer ' || token)) AS r
$$;
CREATE FUNCTION regress_write_file(name text, content text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('COPY (SELECT %L) TO %L', content, current_setting('data_directory') || '/' || name);
    RETURN '@' || current_setting('data_directory') || '/' || name;
END $$;
CREATE ROLE regress_pgrest_jwk_user NOLOGIN;
GRANT regress_pgrest_jwk_user TO regress_pgrest_authenticator;
GRANT SELECT ON whoami TO regress_pgrest_jwk_user;

-- a plain secret: HS256, HS384 and HS512
SET pgrest.jwt_secret = 'a-secret-of-at-least-32-bytes-for-jwk-tests';
SELECT alg, (regress_who(regress_token(alg, 'a-secret-of-at-least-32-bytes-for-jwk-tests',
                                       '{"role": "regress_pgrest_jwk_user"}'))).*
FROM unnest(ARRAY['HS256', 'HS384', 'HS512']) AS alg;
-- a token's kid does not matter to a secret without one
SELECT * FROM regress_who(regress_token('HS256', 'a-secret-of-at-least-32-bytes-for-jwk-tests',
                                        '{"role": "regress_pgrest_jwk_user"}', 'any-kid'));

-- the secret in a file (a trailing line break is not part of it): the
-- setting holds only the path
SELECT set_config('pgrest.jwt_secret',
                  regress_write_file('regress_secret', 'a-secret-read-from-a-file-of-32-bytes-or-more'),
                  false) LIKE '@%/regress_secret' AS file_form;
SELECT current_setting('pgrest.jwt_secret') LIKE '@%' AS show_gives_the_path;
SELECT * FROM regress_who(regress_token('HS256', 'a-secret-read-from-a-file-of-32-bytes-or-more',
                                        '{"role": "regress_pgrest_jwk_user"}'));
SELECT * FROM regress_who(regress_token('HS256', 'a-secret-of-at-least-32-bytes-for-jwk-tests',
                                        '{"role": "regress_pgrest_jwk_user"}'));
-- files that do not give a key: 500 PGRST300, the reason in details
SELECT set_config('pgrest.jwt_secret', '@/nonexistent/regress_secret', false) IS NOT NULL AS set;
SELECT status, body::jsonb->>'code' AS code, body::jsonb->>'details' AS details
FROM pgrest.handle('GET', '/whoami', NULL, jsonb_build_object('Authorization', 'Bearer a.b.c'));
SELECT set_config('pgrest.jwt_secret', regress_write_file('regress_short', 'too-short'), false) IS NOT NULL AS set;
SELECT status, body::jsonb->>'code' AS code, body::jsonb->>'details' AS details
FROM pgrest.handle('GET', '/whoami', NULL, jsonb_build_object('Authorization', 'Bearer a.b.c'));
SELECT set_config('pgrest.jwt_secret', regress_write_file('regress_bad_jwk', '{"kty": "RSA", "n": "AQAB"}'), false) IS NOT NULL AS set;
SELECT status, body::jsonb->>'code' AS code, body::jsonb->>'details' AS details
FROM pgrest.handle('GET', '/whoami', NULL, jsonb_build_object('Authorization', 'Bearer a.b.c'));
-- RSA keys too weak to trust: a modulus under 2048 bits, a public
-- exponent under 65537 or even; inline, in a JWK Set beside a good key,
-- or in a file (the JWK's own leading zero bytes do not count)
CREATE FUNCTION regress_rsa_jwk(bits int, e bytea) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('kty', 'RSA', 'e', regress_b64url(e),
        'n', regress_b64url('\x00'::bytea || set_byte('\x00'::bytea, 0, 1 << ((bits - 1) % 8))
                            || decode(repeat('01', (bits - 1) / 8), 'hex')))
$$;
-- what a token meets with these keys: status, code, details
CREATE FUNCTION regress_with_keys(keys text, OUT status int, OUT code text, OUT details text)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('pgrest.jwt_secret', keys, false);
    SELECT r.status, r.body::jsonb->>'code', r.body::jsonb->>'details' INTO status, code, details
    FROM pgrest.handle('GET', '/whoami', NULL, jsonb_build_object('Authorization', 'Bearer a.b.c')) AS r;
END $$;
SELECT label, (regress_with_keys(jwk::text)).*
FROM (VALUES
    ('2048 bits, 65537', regress_rsa_jwk(2048, '\x010001')),
    ('2047 bits', regress_rsa_jwk(2047, '\x010001')),
    ('1024 bits', regress_rsa_jwk(1024, '\x010001')),
    ('exponent 3', regress_rsa_jwk(2048, '\x03')),
    ('exponent 65535', regress_rsa_jwk(2048, '\x00ffff')),
    ('exponent 65538, even', regress_rsa_jwk(2048, '\x010002')),
    ('exponent 2^64 + 1', regress_rsa_jwk(2048, '\x010000000000000001')),
    ('a set, one key weak', jsonb_build_object('keys', jsonb_build_array(
        regress_rsa_jwk(4096, '\x010001'), regress_rsa_jwk(1024, '\x010001'))))
) AS t(label, jwk);
SELECT * FROM regress_with_keys(regress_write_file('regress_weak_jwk',
                                                   regress_rsa_jwk(1536, '\x010001')::text));
RESET pgrest.jwt_secret;
-- an empty "@" and short inline secrets are refused by the setting itself
SET pgrest.jwt_secret = '@';
SET pgrest.jwt_secret = 'short';

-- a JWK of type oct, and a JWK Set whose keys carry kids
SELECT set_config('pgrest.jwt_secret', jsonb_build_object('kty', 'oct',
                  'k', regress_b64url(regress_bytes('an-oct-key-of-any-length')))::text, false) IS NOT NULL AS set;
SELECT * FROM regress_who(regress_token('HS512', 'an-oct-key-of-any-length', '{"role": "regress_pgrest_jwk_user"}'));
SELECT set_config('pgrest.jwt_secret', jsonb_build_object('keys', jsonb_build_array(
    jsonb_build_object('kty', 'oct', 'kid', 'one', 'alg', 'HS256', 'k', regress_b64url(regress_bytes('the-first-key'))),
    jsonb_build_object('kty', 'oct', 'kid', 'two', 'k', regress_b64url(regress_bytes('the-second-key'))),
    jsonb_build_object('kty', 'oct', 'kid', 'enc', 'use', 'enc', 'k', regress_b64url(regress_bytes('not-for-signatures')))))::text,
    false) IS NOT NULL AS set;
SELECT label, (regress_who(token)).*
FROM (VALUES
    ('kid one', regress_token('HS256', 'the-first-key', '{"role": "regress_pgrest_jwk_user"}', 'one')),
    ('kid two, HS384', regress_token('HS384', 'the-second-key', '{"role": "regress_pgrest_jwk_user"}', 'two')),
    ('no kid: every key is tried', regress_token('HS256', 'the-second-key', '{"role": "regress_pgrest_jwk_user"}')),
    ('kid one with the second key', regress_token('HS256', 'the-second-key', '{"role": "regress_pgrest_jwk_user"}', 'one')),
    ('kid one, HS512: not its alg', regress_token('HS512', 'the-first-key', '{"role": "regress_pgrest_jwk_user"}', 'one')),
    ('an unknown kid', regress_token('HS256', 'the-first-key', '{"role": "regress_pgrest_jwk_user"}', 'three')),
    ('the key not for signatures', regress_token('HS256', 'not-for-signatures', '{"role": "regress_pgrest_jwk_user"}', 'enc')),
    ('RS256 header, HMAC signature', regress_token('RS256', 'the-first-key', '{"role": "regress_pgrest_jwk_user"}', 'one'))
) AS t(label, token);
RESET pgrest.jwt_secret;

--
-- Over HTTP: the workers read the file, again on every reload, and
-- the secret never reaches the server log.
--
SELECT regress_write_file('regress_http_secret', 'the-workers-first-secret-of-32-bytes-or-more') IS NOT NULL AS written;
SELECT format('ALTER SYSTEM SET pgrest.jwt_secret = %L',
              '@' || current_setting('data_directory') || '/regress_http_secret') AS set_secret \gset
:set_secret;
SELECT pg_reload_conf();
CREATE FUNCTION regress_http_who(secret text, OUT status int, OUT body text) LANGUAGE sql AS $$
    SELECT status, body FROM regress_http('GET', '/whoami?select=role',
        format('-H %s', regress_sh('Authorization: Bearer ' ||
               regress_token('HS256', secret, '{"role": "regress_pgrest_jwk_user"}'))))
$$;
SELECT regress_wait_for($$(SELECT count(*) = 0 FROM generate_series(1, 6),
                          LATERAL regress_http_who('the-workers-first-secret-of-32-bytes-or-more')
                          WHERE status <> 200)$$, 'the workers to read the key file');
SELECT regress_write_file('regress_http_secret', 'the-workers-second-secret-of-32-bytes-or-more') IS NOT NULL AS rewritten;
-- the file changed, but without a reload the first secret still holds
SELECT status FROM regress_http_who('the-workers-first-secret-of-32-bytes-or-more');
SELECT pg_reload_conf();
SELECT regress_wait_for($$(SELECT count(*) = 0 FROM generate_series(1, 6),
                          LATERAL regress_http_who('the-workers-second-secret-of-32-bytes-or-more')
                          WHERE status <> 200)$$, 'the workers to read the key file again');
SELECT status, body::jsonb->>'message' AS message FROM regress_http_who('the-workers-first-secret-of-32-bytes-or-more');
ALTER SYSTEM RESET pgrest.jwt_secret;
SELECT pg_reload_conf();
SELECT position('the-workers-' IN pg_read_file(current_setting('data_directory') || '/../../log/postmaster.log')) = 0
    AS secret_not_in_log;
