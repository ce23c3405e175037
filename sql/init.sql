--
-- init: the extension, the roles requests run as, the fixture schema, and
-- helpers that talk HTTP to the workers of this temporary instance.
--
CREATE EXTENSION pgrest;

-- the workers log in as the authenticator (regress.conf) and switch to anon
CREATE ROLE regress_pgrest_authenticator LOGIN NOINHERIT;
CREATE ROLE regress_pgrest_anon NOLOGIN;
GRANT regress_pgrest_anon TO regress_pgrest_authenticator;

CREATE TABLE users (
    id int PRIMARY KEY,
    name text NOT NULL,
    age int,
    joined timestamptz,
    tags text[],
    profile jsonb
);
INSERT INTO users VALUES
    (1, 'Alice', 31, '2024-01-02 03:04:05+00', '{admin,staff}', '{"city": "Oslo"}'),
    (2, 'Bob', 27, NULL, '{}', NULL),
    (3, 'Zoë "Z" Ünal', NULL, '2025-06-07 08:09:10.5+00', NULL, '{"emoji": "😀"}');
CREATE TABLE posts (
    id int PRIMARY KEY,
    user_id int NOT NULL REFERENCES users(id),
    title text NOT NULL
);
INSERT INTO posts VALUES (1, 1, 'Hello'), (2, 1, 'Again'), (3, 2, 'Bob''s post');
CREATE TABLE empty (id int);
CREATE TABLE secrets (id int, secret text);
INSERT INTO secrets VALUES (1, 'hidden');
CREATE VIEW adults AS SELECT id, name FROM users WHERE age >= 18;
CREATE MATERIALIZED VIEW user_count AS SELECT count(*) AS n FROM users;
CREATE SEQUENCE not_a_table;
GRANT SELECT ON users, posts, empty, adults, user_count TO regress_pgrest_anon;

-- what a request sees of itself
CREATE VIEW whoami AS
    SELECT current_user AS role,
           current_setting('request.method') AS method,
           current_setting('request.path') AS path,
           current_setting('request.headers')::jsonb AS headers,
           current_setting('request.jwt.claims')::jsonb AS claims,
           current_setting('search_path') AS search_path,
           current_setting('transaction_read_only') AS read_only,
           pg_backend_pid() AS pid;
GRANT SELECT ON whoami TO regress_pgrest_anon;

-- a relation whose read raises the SQLSTATE named in the X-Sqlstate header
CREATE FUNCTION raise_from_header() RETURNS SETOF int
LANGUAGE plpgsql AS $$
DECLARE
    headers jsonb := current_setting('request.headers')::jsonb;
BEGIN
    IF headers ? 'x-sqlstate' THEN
        RAISE EXCEPTION USING
            ERRCODE = headers->>'x-sqlstate',
            MESSAGE = coalesce(headers->>'x-message', 'raised ' || (headers->>'x-sqlstate'));
    END IF;
END
$$;
CREATE VIEW raiser AS SELECT * FROM raise_from_header() AS x;
GRANT SELECT ON raiser TO regress_pgrest_anon;

-- a read that waits while the test session holds advisory lock 4242
CREATE VIEW gate AS
    SELECT pg_backend_pid() AS pid
    FROM (SELECT pg_advisory_xact_lock_shared(4242)) AS wait;
GRANT SELECT ON gate TO regress_pgrest_anon;

--
-- HTTP helpers (curl and bash run by COPY ... FROM PROGRAM as the server)
--
CREATE TABLE regress_program_output (n serial, line text);

-- s as one single-quoted bash word
CREATE FUNCTION regress_sh(s text) RETURNS text
LANGUAGE sql AS $$ SELECT '''' || replace(s, '''', '''"''"''') || '''' $$;

-- the lines a shell command prints, in order
CREATE FUNCTION regress_program(command text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE regress_program_output RESTART IDENTITY;
    -- CSV with quote and delimiter nobody uses: every line arrives verbatim
    EXECUTE format('COPY regress_program_output (line) FROM PROGRAM %L '
                   'WITH (FORMAT csv, DELIMITER E''\x02'', QUOTE E''\x01'')',
                   'bash -c ' || regress_sh(command) || ' 2>&1 | tr -d ''\r''');
    RETURN QUERY SELECT coalesce(line, '') FROM regress_program_output ORDER BY n;
END
$$;

CREATE FUNCTION regress_url(path text) RETURNS text
LANGUAGE sql AS $$
    SELECT 'http://127.0.0.1:' || current_setting('pgrest.port') || path
$$;

-- one HTTP request with curl; options are extra curl arguments
CREATE FUNCTION regress_http(method text, path text, options text DEFAULT '',
                             OUT status int, OUT content_type text, OUT body text)
LANGUAGE plpgsql AS $$
DECLARE
    lines text[];
    i int := 2;
BEGIN
    lines := ARRAY(SELECT regress_program(format(
        'curl -sS -i --max-time 20 -X %s %s %s',
        method, options, regress_sh(regress_url(path)))));
    status := split_part(lines[1], ' ', 2)::int;
    WHILE i <= cardinality(lines) AND lines[i] <> '' LOOP
        IF lower(lines[i]) LIKE 'content-type:%' THEN
            content_type := trim(substr(lines[i], 14));
        END IF;
        i := i + 1;
    END LOOP;
    body := array_to_string(lines[i + 1:], E'\n');
END
$$;

-- raw bytes to the HTTP port; returns the status line, or (closed)
CREATE FUNCTION regress_raw(request text) RETURNS text
LANGUAGE sql AS $$
    SELECT coalesce(nullif(string_agg(l, ''), ''), '(closed)')
    FROM (SELECT l FROM regress_program(format(
        'exec 3<>/dev/tcp/127.0.0.1/%s; printf %s >&3; timeout 10 head -n 1 <&3',
        current_setting('pgrest.port'), regress_sh(request))) AS l
        LIMIT 1) AS first;
$$;

-- wait, bounded (30 s), until a query returns true; fail loudly if never
CREATE FUNCTION regress_wait_for(condition text, what text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    ok boolean;
BEGIN
    FOR i IN 1..600 LOOP
        PERFORM pg_stat_clear_snapshot();
        EXECUTE 'SELECT ' || condition INTO ok;
        IF ok THEN
            RETURN;
        END IF;
        PERFORM pg_sleep(0.05);
    END LOOP;
    RAISE EXCEPTION 'gave up waiting for %', what;
END
$$;

-- wait, bounded, until every worker serves
SELECT pgrest.wait_ready(60000);
