// Streamed responses: a read larger than pgrest.stream_threshold goes out
// with chunked encoding as its rows are fetched.  A client that leaves,
// stops reading, or meets an error or a timeout in the middle: the body
// ends without its last chunk, the transaction is rolled back, and the
// worker serves the next request at once.  A write's large body, and an
// HTTP/1.0 client's, are spooled instead: written whole (into a temporary
// file) before the commit, then sent with Content-Length.  Runs its own
// cluster of one worker (so every request meets the same one): 16 kB
// threshold, pgrest.request_timeout 2 s.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { PostgrestClient } from '@supabase/postgrest-js';
import { startCluster, sleep, unexpectedExits } from './cluster.mjs';

let cluster;
before(async () => {
  cluster = await startCluster({
    settings: {
      'pgrest.workers': 1,
      'pgrest.stream_threshold': "'16kB'",
      'pgrest.request_timeout': "'2s'",
    },
    sql: `CREATE TABLE items (id int PRIMARY KEY, name text, tags text[], doc json);
          INSERT INTO items SELECT i, 'item "' || i || '"', ARRAY['t' || i % 10],
                 CASE WHEN i % 2 = 0 THEN E'{"a":\\n [1, 2]}'::json END
          FROM generate_series(1, 20000) AS i;
          -- 60 MB of JSON, made as it is read (no table's pages)
          CREATE VIEW long AS SELECT i AS id, repeat('x', 200) AS pad
          FROM generate_series(1, 250000) AS i;
          -- after its first 1,000 rows (25 kB), a row every 10 ms (40 minutes)
          CREATE VIEW slow AS SELECT i AS id, pg_sleep(CASE WHEN i > 1000 THEN 0.01 ELSE 0 END)::text AS slept
          FROM generate_series(1, 250000) AS i;
          -- fails at its 10,000th row
          CREATE VIEW failing AS SELECT i AS id, 1 / (i - 10000) AS inverse
          FROM generate_series(1, 20000) AS i;
          GRANT SELECT ON items, long, slow, failing TO hostile_anon;
          -- a write whose deferred foreign key fails at the commit
          CREATE TABLE parent (id int PRIMARY KEY);
          INSERT INTO parent VALUES (1);
          CREATE TABLE child (id int PRIMARY KEY,
                              parent_id int REFERENCES parent DEFERRABLE INITIALLY DEFERRED,
                              pad text);
          CREATE FUNCTION add_children(n int, parent int) RETURNS SETOF child
          LANGUAGE sql VOLATILE AS $$
            INSERT INTO child SELECT coalesce((SELECT max(id) FROM child), 0) + i, parent,
                                     repeat('c', 100)
            FROM generate_series(1, n) AS i RETURNING * $$;
          GRANT SELECT, INSERT ON child TO hostile_anon;
          GRANT SELECT ON parent TO hostile_anon;
          GRANT EXECUTE ON FUNCTION add_children(int, int) TO hostile_anon;`,
  });
});
after(() => {
  const log = cluster?.stop() ?? '';
  assert.deepEqual(unexpectedExits(log), [], 'a worker ended');
});

// GET path on a raw socket: resolves with the response head, the raw body
// (chunk framing included) and whether the server closed the connection,
// once it did, or the body's last chunk came.  With stopAfter, the client
// closes once it has that many bytes; with pause, it stops reading after
// the first bytes for that many ms; with http10, it speaks HTTP/1.0.
function rawGet(path, { headers = {}, stopAfter = null, pause = null, limit = 60000, http10 = false } = {}) {
  return new Promise((resolve) => {
    const socket = net.connect(cluster.port, '127.0.0.1');
    const chunks = [];
    let received = 0;
    let paused = false;
    const finish = (closedByServer) => {
      clearTimeout(timer);
      socket.destroy();
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      resolve({
        head: split < 0 ? all.toString('latin1') : all.subarray(0, split).toString('latin1'),
        body: split < 0 ? Buffer.alloc(0) : all.subarray(split + 4),
        received,
        closedByServer,
      });
    };
    const timer = setTimeout(() => finish(false), limit);
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      received += chunk.length;
      if (!http10 && complete(chunks.length > 1 ? Buffer.concat(chunks.slice(-2)) : chunk)) finish(false);
      else if (stopAfter !== null && received >= stopAfter) finish(false);
      else if (pause !== null && !paused) {
        paused = true;
        socket.pause();
        setTimeout(() => socket.resume(), pause);
      }
    });
    socket.on('end', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('connect', () => {
      const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      socket.write(http10 ? `GET ${path} HTTP/1.0\r\n${extra}\r\n` : `GET ${path} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`);
    });
  });
}

// a chunked body is complete only with its last chunk, "0\r\n\r\n"
const complete = (body) => body.subarray(-5).toString('latin1') === '0\r\n\r\n';

// the data of a chunked body, and whether it ended with its last chunk
function dechunk(raw) {
  const parts = [];
  let at = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    if (eol < 0) return { data: Buffer.concat(parts), whole: false };
    const size = parseInt(raw.subarray(at, eol).toString('latin1'), 16);
    if (size === 0) return { data: Buffer.concat(parts), whole: true };
    parts.push(raw.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

// a header's value in a raw response head, or null
const header = (head, name) => new RegExp(`\r\n${name}: *([^\r]*)`, 'i').exec(head)?.[1] ?? null;

// the server's temporary files (spooled bodies among them)
const tmpFiles = () => cluster.sql("SELECT count(*) FROM pg_ls_tmpdir()").trim();

// the worker's transaction: none (and no lock) once it is idle again
async function waitIdle() {
  for (let i = 0; i < 300; i++) {
    const state = cluster.sql(`SELECT state || ',' || (xact_start IS NULL) || ',' ||
      (SELECT count(*) FROM pg_locks l WHERE l.pid = a.pid)
      FROM pg_stat_activity a WHERE backend_type = 'pgrest'`).trim();
    if (state === 'idle,true,0') return;
    await sleep(100);
  }
  assert.fail('the worker kept its transaction');
}

async function setting(name, value) {
  cluster.sql(value === null ? `ALTER SYSTEM RESET ${name}; SELECT pg_reload_conf();`
    : `ALTER SYSTEM SET ${name} = '${value}'; SELECT pg_reload_conf();`);
  await sleep(500);
}

async function body(path, accept) {
  const res = await fetch(`${cluster.url}${path}`, { headers: { Accept: accept } });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

test('a streamed body is byte for byte the body sent whole: JSON, CSV, NDJSON', async () => {
  const types = ['application/json', 'text/csv', 'application/x-ndjson',
    'application/vnd.pgrst.array+json;nulls=stripped'];
  const streamed = {};
  for (const type of types) {
    const { res, bytes } = await body('/items?order=id', type);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('transfer-encoding'), 'chunked', type);
    assert.equal(res.headers.get('content-length'), null);
    streamed[type] = bytes;
  }
  await setting('pgrest.stream_threshold', '100MB');
  try {
    for (const type of types) {
      const { res, bytes } = await body('/items?order=id', type);
      assert.equal(res.headers.get('transfer-encoding'), null);
      assert.equal(Number(res.headers.get('content-length')), bytes.length);
      assert.ok(bytes.equals(streamed[type]), `${type}: the streamed body differs`);
    }
  } finally {
    await setting('pgrest.stream_threshold', null);
  }
  const lines = streamed['application/x-ndjson'].toString().split('\n');
  assert.equal(lines.length, 20001);
  assert.equal(lines.pop(), '');
  assert.deepEqual(JSON.parse(lines[1]), { id: 2, name: 'item "2"', tags: ['t2'], doc: { a: [1, 2] } });
});

test('postgrest-js reads a streamed response, with its exact count', async () => {
  const db = new PostgrestClient(cluster.url);
  const { data, count, error, status } = await db.from('items').select('id, name', { count: 'exact' }).gt('id', 100);
  assert.equal(error, null);
  assert.equal(status, 200);
  assert.equal(count, 19900);
  assert.equal(data.length, 19900);
  assert.deepEqual(data[0], { id: 101, name: 'item "101"' });
});

test('a client that leaves during a stream: rolled back, and the next request is served at once', async () => {
  // unabandoned, this read would hold the only worker for 40 minutes
  const left = await rawGet('/slow', { stopAfter: 20000 });
  assert.match(left.head, /^HTTP\/1\.1 200 /);
  assert.match(left.head, /\r\nTransfer-Encoding: chunked/i);
  const res = await fetch(`${cluster.url}/canary?order=id`, { signal: AbortSignal.timeout(30000) });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), [{ id: 1, note: 'alive' }, { id: 2, note: 'still alive' }]);
  await waitIdle();
  assert.match(cluster.logText(), /pgrest request "GET \/slow" ended: the client closed the connection during the response/);
});

test('a client that stops reading: dropped after pgrest.request_timeout, rolled back', async () => {
  // 60 MB: more than the sockets' buffers hold
  const stalled = await rawGet('/long', { pause: 10000, limit: 30000 });
  assert.ok(stalled.closedByServer, 'the server kept the connection');
  assert.ok(stalled.received < 60 * 1000 * 1000, `${stalled.received} bytes received`);
  assert.ok(!complete(stalled.body));
  await waitIdle();
  const res = await fetch(`${cluster.url}/canary?id=eq.1`);
  assert.equal(res.status, 200);
});

test('an error after the first byte: the body ends without its last chunk, and is logged', async () => {
  const failed = await rawGet('/failing');
  assert.match(failed.head, /^HTTP\/1\.1 200 /);
  assert.ok(failed.closedByServer);
  assert.ok(failed.body.length > 16 * 1024);
  assert.ok(!complete(failed.body), 'the body looks complete');
  assert.match(cluster.logText(), /pgrest request "GET \/failing" failed after its response began: division by zero/);
  // the next request on the worker meets no trace of it
  const res = await fetch(`${cluster.url}/items?id=eq.7&select=id`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), [{ id: 7 }]);
  await waitIdle();
  // a complete stream ends with its last chunk
  const whole = await rawGet('/failing?id=lt.10000');
  assert.ok(complete(whole.body));
});

test('pgrest.statement_timeout covers the whole stream', async () => {
  await setting('pgrest.statement_timeout', '5s');
  try {
    const cut = await rawGet('/slow');
    assert.match(cut.head, /^HTTP\/1\.1 200 /);
    assert.ok(cut.closedByServer);
    assert.ok(!complete(cut.body));
    assert.match(cluster.logText(), /pgrest request "GET \/slow" failed after its response began: canceling statement due to statement timeout/);
  } finally {
    await setting('pgrest.statement_timeout', null);
  }
  await waitIdle();
  const res = await fetch(`${cluster.url}/canary?id=eq.2`);
  assert.deepEqual(await res.json(), [{ id: 2, note: 'still alive' }]);
});

// whether a process runs under valgrind (scripts/memcheck), whose memory
// says nothing of pgrest's
const underValgrind = (pid) => fs.readlinkSync(`/proc/${pid}/exe`).includes('valgrind') ||
  fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('valgrind');

// a process's peak resident memory, in kB
const peakKb = (pid) => Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

// how much the worker's peak memory grew (MB) while fn ran (the kernel
// resets the peak to the resident memory first); under valgrind, null
// without running fn
async function peakGrowth(fn) {
  const [worker] = cluster.workers();
  if (underValgrind(worker)) return null;
  fs.writeFileSync(`/proc/${worker}/clear_refs`, '5');
  const before = peakKb(worker);
  await fn();
  return (peakKb(worker) - before) / 1024;
}

test('a worker streaming 60 MB holds less than 16 MB more at its peak', async (t) => {
  let bytes;
  const grown = await peakGrowth(async () => {
    const streamed = await body('/long', 'application/json');
    assert.equal(streamed.res.headers.get('transfer-encoding'), 'chunked');
    bytes = streamed.bytes;
    assert.ok(bytes.length > 50 * 1000 * 1000, `${bytes.length} bytes`);
  });
  if (grown === null) {
    t.skip('under valgrind');
    return;
  }
  t.diagnostic(`the worker's peak grew by ${grown.toFixed(1)} MB streaming ${(bytes.length / 1e6).toFixed(0)} MB`);
  assert.ok(grown < 16, `the worker's peak grew by ${grown.toFixed(1)} MB`);
});

test('an HTTP/1.0 client gets the streamed body whole, with Content-Length, never delimited by a close', async () => {
  const chunked = await rawGet('/items?order=id');
  assert.match(chunked.head, /\r\nTransfer-Encoding: chunked/i);
  const { data, whole } = dechunk(chunked.body);
  assert.ok(whole);
  const old = await rawGet('/items?order=id', { http10: true });
  assert.match(old.head, /^HTTP\/1\.1 200 /);
  assert.equal(header(old.head, 'transfer-encoding'), null);
  assert.equal(Number(header(old.head, 'content-length')), data.length);
  assert.equal(header(old.head, 'content-range'), '0-19999/*');
  assert.ok(old.body.equals(data), 'the bodies differ');
  // an error before the last row is an error response, not a body cut short
  const failed = await rawGet('/failing', { http10: true });
  assert.match(failed.head, /^HTTP\/1\.1 400 /);
  assert.equal(JSON.parse(failed.body.toString()).message, 'division by zero');
  await waitIdle();
  assert.equal(tmpFiles(), '0');
});

test('a write whose deferred constraint fails at the commit answers 409 however large its body', async () => {
  const post = (n, parent) => fetch(`${cluster.url}/rpc/add_children`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ n, parent }),
  });
  for (const n of [2000, 1]) {
    const res = await post(n, 99);
    assert.equal(res.status, 409, `${n} rows`);
    assert.equal(res.headers.get('transfer-encoding'), null);
    const error = await res.json();
    assert.equal(error.code, '23503');
    assert.equal(error.details, 'Key (parent_id)=(99) is not present in table "parent".');
  }
  assert.equal(cluster.sql('SELECT count(*) FROM child').trim(), '0');
  // with a parent: 250 kB, past the threshold, sent with its length once committed
  const res = await post(2000, 1);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('transfer-encoding'), null);
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.equal(Number(res.headers.get('content-length')), bytes.length);
  assert.ok(bytes.length > 200 * 1000);
  assert.equal(JSON.parse(bytes.toString()).length, 2000);
  assert.equal(res.headers.get('content-range'), '0-1999/*');
  assert.equal(cluster.sql('SELECT count(*) FROM child').trim(), '2000');
  await waitIdle();
  assert.equal(tmpFiles(), '0');
});

test('a client that leaves during a spooled body: its file goes, and the worker serves on', async () => {
  // 60 MB, spooled for an HTTP/1.0 client
  const left = await rawGet('/long', { http10: true, stopAfter: 100000 });
  assert.match(left.head, /^HTTP\/1\.1 200 /);
  assert.ok(Number(header(left.head, 'content-length')) > 50 * 1000 * 1000);
  const res = await fetch(`${cluster.url}/canary?id=eq.1`, { signal: AbortSignal.timeout(30000) });
  assert.equal(res.status, 200);
  await res.arrayBuffer();
  await waitIdle();
  assert.equal(tmpFiles(), '0');
});

test('a worker spooling 60 MB for an HTTP/1.0 client holds less than 16 MB more at its peak', async (t) => {
  let length;
  const grown = await peakGrowth(async () => {
    const whole = await rawGet('/long', { http10: true });
    length = Number(header(whole.head, 'content-length'));
    assert.equal(whole.body.length, length);
    assert.ok(length > 50 * 1000 * 1000, `${length} bytes`);
  });
  if (grown === null) {
    t.skip('under valgrind');
    return;
  }
  t.diagnostic(`the worker's peak grew by ${grown.toFixed(1)} MB spooling ${(length / 1e6).toFixed(0)} MB`);
  assert.ok(grown < 16, `the worker's peak grew by ${grown.toFixed(1)} MB`);
});
