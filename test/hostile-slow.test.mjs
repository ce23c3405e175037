// Slow clients: headers trickled a byte at a time, bodies trickled (after
// a burst, too), a response never read, and 2,000 trickling connections
// against a well-behaved client.  Runs its own cluster: pgrest.request_timeout
// 2 s (10 s for the crowd), 500 connections per worker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startCluster, sleep, unexpectedExits } from './cluster.mjs';

let cluster;
before(async () => {
  cluster = await startCluster({
    settings: { 'pgrest.request_timeout': "'2s'", 'pgrest.connection_limit': 500 },
    sql: `CREATE FUNCTION big(mb int) RETURNS text LANGUAGE sql STABLE
            AS $$ SELECT repeat('x', mb * 1024 * 1024) $$;
          GRANT EXECUTE ON FUNCTION big(int) TO hostile_anon;`,
  });
});
after(() => {
  const log = cluster?.stop() ?? '';
  assert.deepEqual(unexpectedExits(log), [], 'a worker ended');
});

// send head, then one byte of drip every interval ms; resolves with what
// the server sent and when, once it closes (or after limit ms)
function trickle(head, drip, interval, limit = 15000) {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(cluster.port, '127.0.0.1');
    let data = '';
    let i = 0;
    let timer;
    const done = () => {
      clearInterval(timer);
      socket.destroy();
      resolve({ data, seconds: (Date.now() - started) / 1000 });
    };
    const limitTimer = setTimeout(done, limit);
    socket.on('data', (chunk) => { data += chunk.toString('latin1'); });
    socket.on('close', () => { clearTimeout(limitTimer); done(); });
    socket.on('error', () => {});
    socket.on('connect', () => {
      socket.write(head);
      timer = setInterval(() => { if (!socket.destroyed) socket.write(drip[i++ % drip.length]); }, interval);
    });
  });
}

function assert408(result) {
  assert.match(result.data, /^HTTP\/1\.1 408 /, JSON.stringify(result.data.slice(0, 100)));
  assert.equal(JSON.parse(result.data.slice(result.data.indexOf('\r\n\r\n') + 4)).code, 'PGRST508');
}

test('headers trickled a byte at a time: 408 once pgrest.request_timeout passes', async () => {
  const result = await trickle('GET /canary HTTP/1.1\r\n', 'X-Slow: abcdefghijklmnop\r\n', 300);
  assert408(result);
  assert.ok(result.seconds < 10, `closed after ${result.seconds} s`);
});

test('a body trickled a byte at a time: 408', async () => {
  const result = await trickle(
    'POST /canary HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n[',
    '{}', 300);
  assert408(result);
  assert.ok(result.seconds < 10, `closed after ${result.seconds} s`);
});

test('a body that comes in a burst, then trickles: 408 after pgrest.request_timeout, the burst earns no more', async () => {
  // 600 kB at once would have earned 9 s more at 64 kB/s
  const result = await trickle(
    `POST /canary HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n${' '.repeat(600000)}`,
    ' ', 300);
  assert408(result);
  assert.ok(result.seconds < 6, `closed after ${result.seconds} s`);
});

test('a body at a fair rate is received whole', async () => {
  const body = JSON.stringify(Array.from({ length: 20000 }, (_, i) => ({ id: i, note: 'n' })));
  const res = await fetch(`${cluster.url}/canary`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
  await res.arrayBuffer();
  assert.equal(res.status, 401);	// no INSERT privilege: the body was read and the request ran
});

test('a response the client does not read is dropped after the send timeout', async () => {
  const socket = net.connect(cluster.port, '127.0.0.1');
  await new Promise((r) => socket.on('connect', r));
  socket.write('GET /rpc/big?mb=32 HTTP/1.1\r\nHost: x\r\n\r\n');
  socket.pause();
  await sleep(6000);
  let received = 0;
  let length = null;
  let head = '';
  const ended = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), 20000);
    socket.on('data', (chunk) => {
      if (length === null) {
        head += chunk.toString('latin1');
        const m = /content-length: *(\d+)/i.exec(head);
        if (m) length = Number(m[1]);
      }
      received += chunk.length;
    });
    const end = () => { clearTimeout(timer); resolve(true); };
    socket.on('end', end);
    socket.on('close', end);
    socket.on('error', () => {});
    socket.resume();
  });
  socket.destroy();
  assert.ok(ended, 'the server kept the connection');
  assert.ok(length > 32 * 1024 * 1024, `content-length ${length}`);
  assert.ok(received < length, `the whole response (${received} bytes) was kept for the client`);
});

test('2,000 trickling connections: a well-behaved client is answered at once', async (t) => {
  cluster.sql("ALTER SYSTEM SET pgrest.request_timeout = '10s'; SELECT pg_reload_conf();");
  await sleep(500);
  const sockets = [];
  for (let i = 0; i < 2000; i++) {
    const socket = net.connect(cluster.port, '127.0.0.1');
    socket.on('error', () => {});
    socket.on('connect', () => socket.write('GET /canary HTTP/1.1\r\nHost: x\r\nX-Slow: '));
    sockets.push(socket);
    if (i % 100 === 99) await sleep(20);
  }
  // let the workers fill up and the crowd age past the shedding threshold
  await sleep(1500);
  const drip = setInterval(() => { for (const s of sockets) if (!s.destroyed) s.write('a'); }, 1000);
  try {
    const times = [];
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      const res = await fetch(`${cluster.url}/canary?id=eq.1`, { signal: AbortSignal.timeout(15000) });
      assert.equal(res.status, 200);
      await res.arrayBuffer();
      times.push(Date.now() - started);
      await sleep(200);
    }
    t.diagnostic(`a well-behaved client answered in ${times.join(', ')} ms beside 2,000 trickling connections`);
  } finally {
    clearInterval(drip);
    for (const s of sockets) s.destroy();
    cluster.sql("ALTER SYSTEM RESET pgrest.request_timeout; SELECT pg_reload_conf();");
  }
});
