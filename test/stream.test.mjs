// Streamed responses: a read larger than pgrest.stream_threshold goes out
// with chunked encoding as its rows are fetched.  A client that leaves,
// stops reading, or meets an error or a timeout in the middle: the body
// ends without its last chunk, the transaction is rolled back, and the
// worker serves the next request at once.  Runs its own cluster of one
// worker (so every request meets the same one): 16 kB threshold,
// pgrest.request_timeout 2 s.
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
          GRANT SELECT ON items, long, slow, failing TO hostile_anon;`,
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
// the first bytes for that many ms.
function rawGet(path, { headers = {}, stopAfter = null, pause = null, limit = 60000 } = {}) {
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
      if (complete(chunks.length > 1 ? Buffer.concat(chunks.slice(-2)) : chunk)) finish(false);
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
      socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`);
    });
  });
}

// a chunked body is complete only with its last chunk, "0\r\n\r\n"
const complete = (body) => body.subarray(-5).toString('latin1') === '0\r\n\r\n';

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

test('a worker streaming 60 MB holds less than 16 MB more at its peak', async (t) => {
  const [worker] = cluster.workers();
  if (fs.readlinkSync(`/proc/${worker}/exe`).includes('valgrind') ||
      fs.readFileSync(`/proc/${worker}/cmdline`, 'latin1').includes('valgrind')) {
    t.skip('under valgrind');
    return;
  }
  const peak = () => Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${worker}/status`, 'utf8'))[1]);
  const before = peak();
  const { res, bytes } = await body('/long', 'application/json');
  assert.equal(res.headers.get('transfer-encoding'), 'chunked');
  assert.ok(bytes.length > 50 * 1000 * 1000, `${bytes.length} bytes`);
  const grown = (peak() - before) / 1024;
  assert.ok(grown < 16, `the worker's peak grew by ${grown.toFixed(1)} MB`);
});
