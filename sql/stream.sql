--
-- stream: reads whose body is written row by row as their portal yields
-- the rows, and streamed with chunked encoding once it passes
-- pgrest.stream_threshold; the bytes are the aggregate's (json_agg,
-- string_agg), streamed or not.  What an error, a timeout and a client
-- that goes away do in the middle of a stream.
--
SELECT pgrest.wait_ready(60000);
-- the workers' timezone and date style (CSV prints timestamps as records do)
SET timezone = 'UTC';
SET datestyle = 'ISO, MDY';

CREATE TYPE stream_pair AS (a int, b text);
CREATE TABLE stream_rows (
    id int PRIMARY KEY,
    note text,
    doc json,
    tags text[],
    pair stream_pair,
    amount numeric,
    at timestamptz
);
-- text with quotes, commas, backslashes and line breaks; json that keeps
-- its input's line breaks; arrays, records, nulls
INSERT INTO stream_rows
SELECT i,
       CASE WHEN i % 7 = 0 THEN NULL
            WHEN i % 5 = 0 THEN E'two\nlines, "quoted" \\ ü ' || i
            ELSE 'row ' || i END,
       CASE WHEN i % 3 = 0 THEN E'{"k":\n 1, "n": null}'::json
            WHEN i % 3 = 1 THEN '[1, 2]'::json END,
       CASE WHEN i % 2 = 0 THEN ARRAY['a' || i, 'b c'] END,
       CASE WHEN i % 6 = 0 THEN ROW(i, 'x,y')::stream_pair END,
       i * 1.25,
       '2024-01-01 00:00:00+00'::timestamptz + i * interval '1 minute'
FROM generate_series(1, 3000) AS i;
CREATE TABLE stream_children (
    id int PRIMARY KEY,
    row_id int NOT NULL REFERENCES stream_rows,
    label text
);
INSERT INTO stream_children SELECT i, i % 3000 + 1, 'child ' || i FROM generate_series(1, 6000) AS i;
-- sets of arrays (json_agg puts a line break before each but the first,
-- not before a null), of text, of records; a single record
CREATE FUNCTION stream_arrays(n int) RETURNS SETOF int[] LANGUAGE sql STABLE
AS $$ SELECT CASE WHEN i % 3 = 0 THEN NULL ELSE ARRAY[i, -i] END FROM generate_series(1, n) AS i $$;
CREATE FUNCTION stream_words(n int) RETURNS SETOF text LANGUAGE sql STABLE
AS $$ SELECT 'word "' || i || '"' FROM generate_series(1, n) AS i $$;
CREATE FUNCTION stream_pairs(n int) RETURNS SETOF stream_pair LANGUAGE sql STABLE
AS $$ SELECT ROW(i, 'p' || i)::stream_pair FROM generate_series(1, n) AS i $$;
CREATE FUNCTION stream_one() RETURNS stream_pair LANGUAGE sql STABLE
AS $$ SELECT ROW(1, E'one\nline')::stream_pair $$;
-- a read that fails at its 2,500th row; one whose rows after the 200th
-- come slowly (an hour in all); a long one (22 MB of JSON)
CREATE VIEW stream_failing AS
    SELECT i AS id, 1 / (i - 2500) AS inverse FROM generate_series(1, 3000) AS i;
CREATE VIEW stream_slow AS
    SELECT i AS id, pg_sleep(CASE WHEN i > 200 THEN 0.02 ELSE 0 END)::text AS slept
    FROM generate_series(1, 200000) AS i;
CREATE VIEW stream_long AS
    SELECT i AS id, repeat('x', 200) AS pad FROM generate_series(1, 100000) AS i;
GRANT SELECT ON stream_rows, stream_children, stream_failing, stream_slow, stream_long
    TO regress_pgrest_anon;
CREATE VIEW stream_settings AS
    SELECT current_setting('pgrest.stream_threshold') AS stream_threshold,
           current_setting('pgrest.statement_timeout') AS statement_timeout,
           current_setting('pgrest.max_rows') AS max_rows;
GRANT SELECT ON stream_settings TO regress_pgrest_anon;

-- one GET (or, with curl's options, another request): its status,
-- whether the body came chunked, Content-Range, the body's md5 and size,
-- and curl's exit code (18: the body stopped short)
CREATE FUNCTION stream_get(path text, accept text DEFAULT 'application/json',
                           options text DEFAULT '',
                           OUT status int, OUT chunked boolean, OUT content_range text,
                           OUT md5 text, OUT bytes int, OUT curl_exit int)
LANGUAGE plpgsql AS $$
DECLARE
    lines text[];
BEGIN
    lines := ARRAY(SELECT regress_program(format(
        'd=$(mktemp -d); curl -s --max-time 60 -D $d/h -o $d/b -H %s %s %s 2> /dev/null; echo $?; '
        'md5sum < $d/b | cut -c1-32; wc -c < $d/b; head -n 1 $d/h | cut -d" " -f2; '
        'grep -ci "^transfer-encoding: chunked" $d/h; grep -i "^content-range:" $d/h | cut -d" " -f2; '
        'rm -rf $d',
        regress_sh('Accept: ' || accept), options, regress_sh(regress_url(path)))));
    curl_exit := lines[1]::int;
    md5 := lines[2];
    bytes := lines[3]::int;
    status := lines[4]::int;
    chunked := lines[5]::int > 0;
    content_range := nullif(lines[6], '');
END
$$;

-- the body pgrest.handle() makes in this session (it never streams)
CREATE FUNCTION stream_handled(path text, accept text DEFAULT 'application/json')
RETURNS text LANGUAGE sql AS $$
    SELECT md5(body) FROM pgrest.handle('GET', path, NULL,
                                        jsonb_build_object('Accept', accept), NULL)
$$;

-- after ALTER SYSTEM and a reload: wait until both workers show the
-- setting so
CREATE FUNCTION stream_wait(name text, shown text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM regress_wait_for(format(
        $q$(SELECT count(*) = 0 FROM generate_series(1, 6),
           LATERAL regress_http('GET', '/stream_settings', '-H "Connection: close"')
           WHERE body::jsonb->0->>%L IS DISTINCT FROM %L)$q$,
        split_part(name, '.', 2), shown), 'the workers to apply ' || name);
END
$$;

-- what the aggregates make of the same rows (query.c's statement for a
-- body that is not written row by row)
CREATE FUNCTION stream_json(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
    EXECUTE format('SELECT md5(coalesce(json_agg(_t.*), ''[]'')::text) FROM (%s) _t', q) INTO r;
    RETURN r;
END
$$;
CREATE FUNCTION stream_csv(q text, header text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
    EXECUTE format('SELECT md5(CASE WHEN count(*) = 0 THEN '''' ELSE %L END || E''\n'' || '
                   'coalesce(string_agg(substr((_t.*)::text, 2, length((_t.*)::text) - 2), E''\n''), ''''))'
                   ' FROM (%s) _t', header, q) INTO r;
    RETURN r;
END
$$;

CREATE TABLE stream_cases (n serial, path text, accept text, aggregate text);
INSERT INTO stream_cases (path, accept, aggregate) VALUES
    ('/stream_rows?order=id', 'application/json',
     stream_json('SELECT * FROM stream_rows ORDER BY id')),
    ('/stream_rows?order=id', 'application/vnd.pgrst.array+json;nulls=stripped',
     (SELECT md5(json_strip_nulls(json_agg(r ORDER BY id))::text) FROM stream_rows r)),
    ('/stream_rows?order=id', 'text/csv',
     stream_csv('SELECT * FROM stream_rows ORDER BY id', 'id,note,doc,tags,pair,amount,at')),
    ('/stream_rows?select=id,note,stream_children(label)&order=id', 'application/json', NULL),
    ('/stream_rows?select=id,label:note,pair->>b&order=id.desc&id=gt.100', 'application/json',
     stream_json('SELECT id, note AS label, to_jsonb(pair)->>''b'' AS b FROM stream_rows WHERE id > 100 ORDER BY id DESC')),
    ('/rpc/stream_arrays?n=2000', 'application/json',
     (SELECT md5(json_agg(x)::text) FROM stream_arrays(2000) AS x)),
    ('/rpc/stream_arrays?n=2000', 'text/csv',
     stream_csv('SELECT x AS stream_arrays FROM stream_arrays(2000) AS x', 'stream_arrays')),
    ('/rpc/stream_words?n=2000', 'application/json',
     (SELECT md5(json_agg(w)::text) FROM stream_words(2000) AS w)),
    ('/rpc/stream_pairs?n=2000&order=a.desc', 'application/json',
     stream_json('SELECT * FROM stream_pairs(2000) ORDER BY a DESC')),
    ('/stream_rows?order=id&limit=3', 'application/json',
     stream_json('SELECT * FROM stream_rows ORDER BY id LIMIT 3')),
    ('/stream_rows?order=id&limit=3', 'text/csv',
     stream_csv('SELECT * FROM stream_rows ORDER BY id LIMIT 3', 'id,note,doc,tags,pair,amount,at')),
    ('/stream_rows?id=lt.0', 'application/json', md5('[]')),
    ('/stream_rows?id=lt.0', 'text/csv', md5(E'\n'));

-- past 1 kB bodies stream; each is the aggregate's, byte for byte, and
-- what pgrest.handle() makes whole
ALTER SYSTEM SET pgrest.stream_threshold = '1kB';
SELECT pg_reload_conf();
SELECT stream_wait('pgrest.stream_threshold', '1kB');
SELECT c.n, c.path, c.accept, g.status, g.chunked, g.curl_exit,
       g.md5 = stream_handled(c.path, c.accept) AS same_as_handle,
       coalesce(g.md5 = c.aggregate, true) AS same_as_aggregate
FROM stream_cases c, LATERAL stream_get(c.path, c.accept) g ORDER BY c.n;
-- the same requests under the default threshold: whole bodies, the same bytes
ALTER SYSTEM RESET pgrest.stream_threshold;
SELECT pg_reload_conf();
SELECT stream_wait('pgrest.stream_threshold', '1MB');
SELECT c.n, g.status, g.chunked, g.curl_exit,
       g.md5 = stream_handled(c.path, c.accept) AS same_as_handle,
       coalesce(g.md5 = c.aggregate, true) AS same_as_aggregate
FROM stream_cases c, LATERAL stream_get(c.path, c.accept) g ORDER BY c.n;

-- Content-Range goes out before the rows are all read: the last row is
-- known only when the rows were counted first
ALTER SYSTEM SET pgrest.stream_threshold = '1kB';
SELECT pg_reload_conf();
SELECT stream_wait('pgrest.stream_threshold', '1kB');
CREATE FUNCTION stream_head(path text, prefer text DEFAULT '') RETURNS SETOF text
LANGUAGE sql AS $$
    SELECT regress_program(format(
        'curl -s -D - -o /dev/null -H %s %s | grep -i -e "^HTTP/" -e "^content-range" -e "^content-length" -e "^transfer-encoding"',
        regress_sh('Prefer: ' || prefer), regress_sh(regress_url(path))))
$$;
SELECT stream_head('/stream_rows');
SELECT stream_head('/stream_rows', 'count=exact');
SELECT stream_head('/stream_rows?order=id&limit=1000&offset=10', 'count=exact');
SELECT stream_head('/stream_rows?order=id&limit=3&offset=10', 'count=exact');
SELECT stream_head('/stream_rows?offset=5000', 'count=exact');
-- pgrest.max_rows caps a streamed read
ALTER SYSTEM SET pgrest.max_rows = '1000';
SELECT pg_reload_conf();
SELECT stream_wait('pgrest.max_rows', '1000');
SELECT status, chunked, content_range,
       md5 = stream_json('SELECT * FROM stream_rows ORDER BY id LIMIT 1000') AS first_1000
FROM stream_get('/stream_rows?order=id');
ALTER SYSTEM RESET pgrest.max_rows;
SELECT pg_reload_conf();
SELECT stream_wait('pgrest.max_rows', '0');

-- NDJSON: one JSON value a line, streamed alike; json's own line breaks
-- become spaces
SELECT status, content_type,
       (SELECT count(*) FROM regexp_split_to_table(body, E'\n')) AS lines,
       (SELECT bool_and(l.line::jsonb = to_jsonb(r))
        FROM regexp_split_to_table(body, E'\n') WITH ORDINALITY AS l(line, n)
        JOIN stream_rows r ON r.id = l.n) AS each_line_its_row
FROM regress_http('GET', '/stream_rows?order=id', '-H "Accept: application/x-ndjson"');
SELECT status, chunked, md5 = stream_handled('/stream_rows?order=id', 'application/x-ndjson') AS same_as_handle
FROM stream_get('/stream_rows?order=id', 'application/x-ndjson');
SELECT body FROM pgrest.handle('GET', '/stream_rows', 'order=id&limit=3&select=id,doc,pair',
                               '{"Accept": "application/x-ndjson"}', NULL);
SELECT body FROM pgrest.handle('GET', '/rpc/stream_arrays', 'n=4', '{"Accept": "application/x-ndjson"}', NULL);
SELECT body FROM pgrest.handle('GET', '/rpc/stream_one', NULL, '{"Accept": "application/x-ndjson"}', NULL);
SELECT body FROM pgrest.handle('GET', '/stream_rows', 'id=lt.0', '{"Accept": "application/x-ndjson"}', NULL);
SELECT status, headers FROM pgrest.handle('HEAD', '/stream_rows', NULL, '{"Accept": "application/x-ndjson"}', NULL);
-- writes do not answer in NDJSON
SELECT status, body::jsonb FROM pgrest.handle('POST', '/stream_rows', NULL,
    '{"Accept": "application/x-ndjson", "Prefer": "return=representation"}', '{"id": 9001}');
SELECT count(*) FROM stream_rows WHERE id = 9001;

-- an error after the first byte ends the body without its last chunk
-- (curl: 18), and the worker serves on
SELECT status, chunked, curl_exit FROM stream_get('/stream_failing');
SELECT status, chunked, curl_exit FROM stream_get('/stream_failing?id=lt.2500');
-- the statement timeout covers the whole stream
ALTER SYSTEM SET pgrest.statement_timeout = '2500ms';
SELECT pg_reload_conf();
SELECT stream_wait('pgrest.statement_timeout', '2500ms');
SELECT status, chunked, curl_exit FROM stream_get('/stream_slow');
ALTER SYSTEM RESET pgrest.statement_timeout;
SELECT pg_reload_conf();
SELECT stream_wait('pgrest.statement_timeout', '10s');
SELECT status, chunked, curl_exit FROM stream_get('/stream_rows?order=id');

-- a client that goes away during the stream: its transaction is rolled
-- back at once, and the next requests are served
SELECT regress_program(format('curl -s %s | head -c 1000 > /dev/null', regress_sh(regress_url('/stream_long'))));
SELECT regress_program(format('curl -s %s | head -c 1000 > /dev/null', regress_sh(regress_url('/stream_slow'))));
SELECT regress_wait_for($$(SELECT count(*) = 0 FROM pg_stat_activity
                          WHERE backend_type = 'pgrest' AND xact_start IS NOT NULL)$$,
                        'the workers to end the abandoned transactions');
SELECT count(*) AS pgrest_locks FROM pg_locks l JOIN pg_stat_activity a USING (pid)
WHERE a.backend_type = 'pgrest';
SELECT status, chunked, curl_exit, md5 = stream_handled('/stream_rows?order=id') AS same
FROM stream_get('/stream_rows?order=id');
-- a status sent before the commit cannot tell a failing commit: a request
-- that writes is answered after it, its large body written whole first
-- (into a temporary file), and sent with Content-Length; deferred
-- constraints that fail at the commit answer 409 however large the body
CREATE TABLE stream_parent (id int PRIMARY KEY);
INSERT INTO stream_parent VALUES (1);
CREATE TABLE stream_child (
    id int,
    parent_id int REFERENCES stream_parent DEFERRABLE INITIALLY DEFERRED,
    pad text,
    CONSTRAINT stream_child_id UNIQUE (id) DEFERRABLE INITIALLY DEFERRED
);
GRANT SELECT, INSERT ON stream_child TO regress_pgrest_anon;
GRANT SELECT ON stream_parent TO regress_pgrest_anon;
-- n rows of ids 1 to distinct_ids (so ids repeat past it), each with
-- 100 bytes of padding
CREATE FUNCTION stream_add(n int, parent int, distinct_ids int DEFAULT NULL)
RETURNS SETOF stream_child LANGUAGE sql VOLATILE AS $$
    INSERT INTO stream_child
    SELECT 1 + (i - 1) % coalesce(distinct_ids, n), parent, repeat('p', 100)
    FROM generate_series(1, n) AS i
    RETURNING *
$$;
-- the same for GET, through a function that says it is STABLE and calls
-- one that leaves read-only mode
CREATE FUNCTION stream_add_rw(n int, parent int) RETURNS SETOF stream_child
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RESET transaction_read_only;
    RETURN QUERY SELECT * FROM stream_add(n, parent);
END
$$;
CREATE FUNCTION stream_add_anyway(n int, parent int) RETURNS SETOF stream_child
LANGUAGE sql STABLE AS $$ SELECT * FROM stream_add_rw(n, parent) $$;
GRANT EXECUTE ON FUNCTION stream_add(int, int, int), stream_add_rw(int, int),
    stream_add_anyway(int, int) TO regress_pgrest_anon;
-- one POST of a JSON body: status, whether chunked, whether with a
-- Content-Length, and the error's body if any
CREATE FUNCTION stream_post(path text, body text, prefer text DEFAULT '',
                            OUT status int, OUT chunked boolean, OUT length_given boolean,
                            OUT error jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    lines text[];
BEGIN
    lines := ARRAY(SELECT regress_program(format(
        'd=$(mktemp -d); curl -s --max-time 60 -D $d/h -o $d/b -H "Content-Type: application/json" '
        '-H %s --data-binary %s %s; head -n 1 $d/h | cut -d" " -f2; '
        'grep -ci "^transfer-encoding: chunked" $d/h; grep -ci "^content-length:" $d/h; '
        'head -c 1000 $d/b | grep "^{\"code\""; rm -rf $d',
        regress_sh('Prefer: ' || prefer), regress_sh(body), regress_sh(regress_url(path)))));
    status := lines[1]::int;
    chunked := lines[2]::int > 0;
    length_given := lines[3]::int > 0;
    error := CASE WHEN coalesce(lines[4], '') <> '' THEN lines[4]::jsonb END;
END
$$;
-- a missing parent: 500 rows (60 kB of body), and one row
SELECT n, p.status, p.chunked, p.length_given, p.error->>'code' AS code,
       p.error->>'message' AS message, p.error->>'details' AS details
FROM (VALUES (500), (1)) AS t(n),
     LATERAL stream_post('/rpc/stream_add', format('{"n": %s, "parent": 99}', n)) AS p;
-- an id twice, which the deferred unique constraint finds at the commit
SELECT n, p.status, p.chunked, p.length_given, p.error->>'code' AS code,
       p.error->>'details' AS details
FROM (VALUES (500), (2)) AS t(n),
     LATERAL stream_post('/rpc/stream_add',
                         format('{"n": %s, "parent": 1, "distinct_ids": %s}', n, n - 1)) AS p;
-- the same through INSERT with return=representation
SELECT n, p.status, p.chunked, p.length_given, p.error->>'code' AS code
FROM (VALUES (500), (1)) AS t(n),
     LATERAL stream_post('/stream_child',
                         (SELECT json_agg(json_build_object('id', i, 'parent_id', 99,
                                                            'pad', repeat('p', 100)))::text
                          FROM generate_series(1, n) AS i),
                         'return=representation') AS p;
-- a GET whose function writes anyway: answered after its commit too
SELECT status, chunked, curl_exit FROM stream_get('/rpc/stream_add_anyway?n=500&parent=99');
SELECT count(*) AS nothing_written FROM stream_child;
-- when the commit succeeds, the body comes whole with its length: the
-- rows' bytes, and an exact Content-Range
SELECT s.status, s.chunked, s.content_range, s.curl_exit,
       s.md5 = stream_json('SELECT * FROM stream_child ORDER BY id') AS same_as_aggregate
FROM stream_get('/rpc/stream_add', 'application/json',
                '-H "Content-Type: application/json" -d ''{"n": 500, "parent": 1}''') AS s;
SELECT count(*) AS written FROM stream_child;
-- its temporary file is gone
SELECT regress_wait_for($$(SELECT count(*) = 0 FROM pg_ls_tmpdir())$$,
                        'the spooled body''s file to go');

-- HTTP/1.0 knows no chunks: a chunked body would end with the connection,
-- and a cut one would look whole; such a client gets the body with its
-- length, byte for byte the streamed one, once the rows are all read
SELECT s.status, s.chunked, s.content_range, s.curl_exit,
       s.md5 = stream_handled('/stream_rows?order=id') AS same
FROM stream_get('/stream_rows?order=id', 'application/json', '--http1.0') AS s;
SELECT s.status, s.chunked, s.curl_exit,
       s.md5 = stream_handled('/stream_rows?order=id', 'text/csv') AS same
FROM stream_get('/stream_rows?order=id', 'text/csv', '--http1.0') AS s;
-- an error before the last row answers with the error, not a body that stops
SELECT s.status, s.chunked, s.curl_exit
FROM stream_get('/stream_failing', 'application/json', '--http1.0') AS s;
ALTER SYSTEM RESET pgrest.stream_threshold;
SELECT pg_reload_conf();
SELECT stream_wait('pgrest.stream_threshold', '1MB');
