// Issue 16, replayed: every attack that once worked against the workers,
// in one run against one cluster (/sql on, timeouts short, 500
// connections per worker, the JWT secret in a file), bounded in count and
// time.  Afterwards: the workers that started are the workers that serve
// (none died), no process died of a signal, the log grew by less than
// 2 MB and holds no secret, and a plain request is answered at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startCluster, cpuSeconds, idleSockets, sleep, unexpectedExits } from './cluster.mjs';

const secretDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgrest-replay-'));
fs.chmodSync(secretDir, 0o755);
const secret = 'the-replay-secret-that-no-log-may-show-0123456789';
fs.writeFileSync(path.join(secretDir, 'secret'), `${secret}\n`, { mode: 0o644 });

let cluster;
let workers;
let logStart;
before(async () => {
  cluster = await startCluster({
    settings: {
      'pgrest.sql_endpoint': 'on',
      'pgrest.statement_timeout': "'2s'",
      'pgrest.request_timeout': "'3s'",
      'pgrest.connection_limit': 500,
      'pgrest.jwt_secret': `'@${secretDir}/secret'`,
    },
    sql: `
      CREATE ROLE web_user NOLOGIN;
      GRANT web_user TO hostile_authenticator;
      CREATE TABLE todos (id serial PRIMARY KEY,
                          owner text NOT NULL DEFAULT current_setting('request.jwt.claims')::jsonb->>'sub',
                          task text NOT NULL);
      GRANT SELECT, INSERT ON todos TO web_user, hostile_anon;
      GRANT USAGE ON SEQUENCE todos_id_seq TO web_user, hostile_anon;
      ALTER TABLE todos ENABLE ROW LEVEL SECURITY;
      CREATE POLICY own ON todos TO web_user
          USING (owner = current_setting('request.jwt.claims')::jsonb->>'sub');
      INSERT INTO todos (owner, task) VALUES ('alice', 'alice''s'), ('bob', 'bob''s');
      CREATE FUNCTION draw() RETURNS bigint LANGUAGE sql AS $$ SELECT nextval('todos_id_seq') $$;
      CREATE FUNCTION last_drawn() RETURNS text LANGUAGE plpgsql STABLE AS $$
      BEGIN RETURN lastval()::text;
      EXCEPTION WHEN object_not_in_prerequisite_state THEN RETURN 'none'; END $$;
      CREATE FUNCTION big(mb int) RETURNS text LANGUAGE sql STABLE AS $$ SELECT repeat('x', mb * 1024 * 1024) $$;
      CREATE ROLE settings_reader NOLOGIN IN ROLE pg_read_all_settings;`,
  });
  workers = cluster.workers();
  logStart = cluster.logSize();
});
after(() => {
  const log = cluster?.stop() ?? '';
  fs.rmSync(secretDir, { recursive: true, force: true });
  assert.deepEqual(unexpectedExits(log), [], 'a worker ended');
  assert.ok(!log.includes(secret), 'the JWT secret reached the server log');
});

const token = (claims) => {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ exp: Math.floor(Date.now() / 1000) + 600, ...claims })}`;
  return `${input}.${crypto.createHmac('sha256', secret).update(input).digest('base64url')}`;
};
const alice = token({ role: 'web_user', sub: 'alice' });

async function sql(query, jwt) {
  const res = await fetch(`${cluster.url}/sql`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(jwt ? { Authorization: `Bearer ${jwt}` } : {}) },
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(20000),
  });
  return { status: res.status, body: await res.json() };
}

// raw bytes on one connection; everything the server sends until it closes
function raw(bytes, timeout = 5000) {
  return new Promise((resolve) => {
    const socket = net.connect(cluster.port, '127.0.0.1');
    let data = '';
    const done = () => { socket.destroy(); resolve(data); };
    const timer = setTimeout(done, timeout);
    socket.on('data', (c) => { data += c.toString('latin1'); });
    socket.on('close', () => { clearTimeout(timer); done(); });
    socket.on('error', () => {});
    socket.on('connect', () => socket.write(bytes));
  });
}

test('/sql writes: DO blocks, large objects, NOTIFY, transaction ids', async () => {
  for (const query of [
    "DO $$BEGIN RESET transaction_read_only; INSERT INTO todos (task) VALUES ('x'); END$$",
    "DO $$BEGIN SET LOCAL transaction_read_only TO DEFAULT; CREATE TABLE pwned (x int); END$$",
    "DO $$BEGIN RESET transaction_read_only; PERFORM nextval('todos_id_seq'); END$$",
    "SELECT lo_from_bytea(0, 'x')", 'SELECT lo_create(0)', "SELECT lo_put(0, 0, 'x')", 'SELECT lo_truncate(0, 0)',
    "SELECT pg_notify('c', 'x')", 'NOTIFY c', 'SELECT txid_current()',
  ]) {
    for (const jwt of [undefined, alice]) {
      const { status, body } = await sql(query, jwt);
      assert.equal(status, 400, `${query}: ${JSON.stringify(body)}`);
      assert.equal(body.code, 'PGRST510', query);
    }
  }
  assert.equal(cluster.sql("SELECT count(*) FROM todos").trim(), '2');
  assert.equal(cluster.sql("SELECT count(*) FROM pg_largeobject_metadata").trim(), '0');
  assert.equal(cluster.sql("SELECT to_regclass('pwned') IS NULL").trim(), 't');
});

test('/sql forges no identity', async () => {
  const forged = await sql(`SELECT set_config('request.jwt.claims', '{"sub":"bob"}', true), (SELECT json_agg(t) FROM todos t)`, alice);
  assert.equal(forged.status, 400);
  const own = await sql('SELECT task FROM todos', alice);
  assert.deepEqual(own.body, [{ task: "alice's" }]);
});

test('escaping the timeout: a cancel-swallowing DO loop, a result built past the timeout', async () => {
  const started = Date.now();
  const loop = await sql('DO $$BEGIN LOOP BEGIN PERFORM pg_sleep(1); EXCEPTION WHEN query_canceled THEN NULL; END; END LOOP; END$$');
  assert.equal(loop.body.code, 'PGRST510');
  const huge = await sql('SELECT repeat(\'x\', 1000) AS x FROM generate_series(1, 80000)');
  assert.equal(huge.status, 400);
  assert.equal(huge.body.code, 'PGRST511');
  assert.ok(Date.now() - started < 15000, 'the requests held their worker');
  // the next, innocent request on the same workers
  for (let i = 0; i < 4; i++) assert.equal((await fetch(`${cluster.url}/canary`)).status, 200);
});

test('quadratic body scan, anonymous: 150,000 distinct keys', async () => {
  const body = JSON.stringify(Object.fromEntries(Array.from({ length: 150000 }, (_, i) => [`k${i}`, i])));
  const started = Date.now();
  const res = await fetch(`${cluster.url}/canary`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body, signal: AbortSignal.timeout(20000) });
  await res.arrayBuffer();
  assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
  assert.ok(Date.now() - started < 15000, `held a worker for ${Date.now() - started} ms`);
});

test('file descriptors: 1,200 idle connections, no spin, the API answers', async () => {
  const sockets = await idleSockets(cluster.port, 1200);
  const before = workers.map(cpuSeconds);
  await sleep(2000);
  workers.forEach((pid, i) => {
    const used = cpuSeconds(pid) - before[i];
    assert.ok(used < 1, `worker ${pid} used ${used} s of CPU in 2 s`);
  });
  const res = await fetch(`${cluster.url}/canary`, { signal: AbortSignal.timeout(10000) });
  assert.equal(res.status, 200);
  for (const s of sockets) s.destroy();
});

test('slowloris: 600 connections trickling headers, the API answers', async () => {
  const sockets = [];
  for (let i = 0; i < 600; i++) {
    const socket = net.connect(cluster.port, '127.0.0.1');
    socket.on('error', () => {});
    socket.on('connect', () => socket.write('GET /canary HTTP/1.1\r\nX-Slow: '));
    sockets.push(socket);
  }
  const drip = setInterval(() => { for (const s of sockets) if (!s.destroyed) s.write('a'); }, 500);
  try {
    await sleep(1500);
    const res = await fetch(`${cluster.url}/canary`, { signal: AbortSignal.timeout(10000) });
    assert.equal(res.status, 200);
    await sleep(3000);	// past pgrest.request_timeout: the tricklers are gone
    const open = sockets.filter((s) => !s.destroyed && s.readyState === 'open').length;
    assert.ok(open < 100, `${open} trickling connections still open`);
  } finally {
    clearInterval(drip);
    for (const s of sockets) s.destroy();
  }
});

test('memory: unread responses and unfinished bodies are let go', async () => {
  // the server ends what pins its memory: watch for the connections to end
  const watch = (socket) => {
    const state = { socket, ended: false, received: 0, data: '' };
    socket.on('error', () => {});
    socket.on('close', () => { state.ended = true; });
    socket.on('end', () => { state.ended = true; });
    socket.on('data', (c) => { state.received += c.length; if (state.data.length < 200) state.data += c.toString('latin1'); });
    return state;
  };
  const readers = [];
  for (let i = 0; i < 10; i++) {
    const state = watch(net.connect(cluster.port, '127.0.0.1'));
    state.socket.on('connect', () => { state.socket.write('GET /rpc/big?mb=16 HTTP/1.1\r\nHost: x\r\n\r\n'); state.socket.pause(); });
    readers.push(state);
  }
  const uploads = [];
  for (let i = 0; i < 20; i++) {
    const state = watch(net.connect(cluster.port, '127.0.0.1'));
    state.socket.on('connect', () => state.socket.write(`POST /canary HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 8000000\r\n\r\n${' '.repeat(100000)}`));
    uploads.push(state);
  }
  await sleep(10000);	// past the request timeout and the send timeout
  const waiting = uploads.filter((u) => !u.ended).length;
  assert.equal(waiting, 0, `${waiting} unfinished bodies still held`);
  assert.match(uploads[0].data, /^HTTP\/1\.1 (408|503) /);
  // the readers: what the kernel buffered arrives, then the end, short of 16 MB
  for (const r of readers) r.socket.resume();
  await sleep(2000);
  for (const r of readers) {
    assert.ok(r.ended, 'a response nobody read is still being sent');
    assert.ok(r.received < 16 * 1024 * 1024, `a reader received ${r.received} bytes`);
  }
  for (const s of [...readers, ...uploads]) s.socket.destroy();
});

test('HTTP framing and long query strings', async () => {
  const smuggled = 'GET /canary HTTP/1.1\r\nHost: x\r\n\r\n';
  for (const head of [
    `POST /canary HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: ${2 + smuggled.length}\r\n\r\n{}${smuggled}`,
    `POST /canary HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`,
  ]) {
    const data = await raw(head);
    assert.match(data, /^HTTP\/1\.1 400 /);
    assert.equal(data.split('HTTP/1.1 ').length - 1, 1, 'the smuggled request was answered');
  }
  const q = Array.from({ length: 600 }, (_, i) => `a${i}=eq.1`).join('&');
  const res = await fetch(`${cluster.url}/canary?${q}`, { signal: AbortSignal.timeout(10000) });
  assert.equal(res.status, 400);
  assert.equal((await res.json()).code, '42703');
});

test('session state: lastval() after another request drew a number', async () => {
  const data = await raw(
    'POST /rpc/draw HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}' +
    'GET /rpc/last_drawn HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  const bodies = data.split('\r\n\r\n').slice(1).map((b) => b.split('HTTP/1.1')[0]);
  assert.equal(bodies.length, 2, JSON.stringify(data));
  assert.equal(bodies[1], '"none"');
});

test('secrets: SHOW gives members of pg_read_all_settings the path only', async () => {
  const shown = cluster.sql('SET ROLE settings_reader; SHOW pgrest.jwt_secret;').trim();
  assert.equal(shown, `@${secretDir}/secret`);
  assert.equal((await fetch(`${cluster.url}/todos`, { headers: { Authorization: `Bearer ${alice}` } })).status, 200);
});

test('afterwards: no worker died, the log stayed small, a request is answered at once', async () => {
  assert.deepEqual(cluster.workers(), workers);
  const grown = cluster.logSize() - logStart;
  assert.ok(grown < 2 * 1024 * 1024, `the log grew by ${grown} bytes`);
  const started = Date.now();
  const res = await fetch(`${cluster.url}/canary?id=eq.1`, { signal: AbortSignal.timeout(5000) });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), [{ id: 1, note: 'alive' }]);
  assert.ok(Date.now() - started < 5000);
});
