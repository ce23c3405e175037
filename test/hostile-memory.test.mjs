// Memory a client can pin in a worker: unfinished bodies (a per-worker
// share, then 503 with Retry-After; bodies that hold more than an equal
// share give it up to a new one) and the plan cache (bounded in plans
// and bytes, whatever statements the clients choose).  Runs its own
// cluster: bodies of at most 1 MB, 4 MB of them per worker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { startCluster, sleep, unexpectedExits } from './cluster.mjs';

let cluster;
before(async () => {
  cluster = await startCluster({
    settings: { 'pgrest.max_body_size': "'1MB'", 'pgrest.max_body_memory': "'4MB'", 'pgrest.workers': 1 },
    sql: `CREATE TABLE wide (id int PRIMARY KEY, note text);
          INSERT INTO wide VALUES (1, 'x');
          GRANT SELECT ON wide TO hostile_anon;
          CREATE TABLE inbox (note text);
          GRANT INSERT ON inbox TO hostile_anon;`,
  });
});
after(() => {
  const log = cluster?.stop() ?? '';
  assert.deepEqual(unexpectedExits(log), [], 'a worker ended');
});

// a POST that declares bytes and sends sent of them; resolves with the
// socket and what became of it
function unfinishedBody(declared, sent) {
  return new Promise((resolve) => {
    const socket = net.connect(cluster.port, '127.0.0.1');
    const state = { socket, data: '', closed: false };
    socket.on('data', (chunk) => { state.data += chunk.toString('latin1'); });
    socket.on('error', () => { state.closed = true; });
    socket.on('close', () => { state.closed = true; });
    socket.on('connect', () => {
      socket.write(`POST /canary HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n`);
      if (sent === 0) resolve(state);
      else socket.write(Buffer.alloc(sent, 0x20), () => resolve(state));
    });
  });
}

test('unfinished bodies hold at most the worker\'s share; then 503 with Retry-After', async () => {
  // six bodies of 600 kB, unfinished, fill the 4 MB share (those past
  // it are refused, and closed while they still send)
  const held = [];
  for (let i = 0; i < 6; i++) {
    held.push(await unfinishedBody(1000000, 600000));
    await sleep(200);
  }
  await sleep(500);
  const kept = held.filter((h) => !h.closed && h.data === '');
  assert.ok(kept.length <= 6 && kept.length >= 3, `${kept.length} unfinished bodies kept`);
  // a new body is refused before it is read
  const probe = await unfinishedBody(1000000, 0);
  await sleep(500);
  assert.match(probe.data, /^HTTP\/1\.1 503 /);
  assert.match(probe.data, /\r\nRetry-After: 1\r\n/i);
  assert.equal(JSON.parse(probe.data.slice(probe.data.indexOf('\r\n\r\n') + 4)).code, 'PGRST509');
  // a request without a body is served meanwhile
  const res = await fetch(`${cluster.url}/canary`);
  await res.arrayBuffer();
  assert.equal(res.status, 200);
  for (const h of [...held, probe]) h.socket.destroy();
  await sleep(500);
  // the share is free again
  const post = await fetch(`${cluster.url}/canary`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: ' '.repeat(900000) + '{}' });
  await post.arrayBuffer();
  assert.notEqual(post.status, 503);
});

test('bodies that come in a burst, then trickle, cannot hold the share: a well-behaved POST is served', async () => {
  // each declares 1 MB, sends 600 kB at once, then a byte every 200 ms:
  // four of them would hold the whole 4 MB share
  const attackers = [];
  const trickle = setInterval(() => {
    for (const a of attackers) if (!a.closed) a.socket.write(' ');
  }, 200);
  try {
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 8; i++) attackers.push(await unfinishedBody(1000000, 600000));
      await sleep(1000);
      const body = JSON.stringify({ note: 'n'.repeat(200000) });
      const post = await fetch(`${cluster.url}/inbox`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      await post.arrayBuffer();
      assert.equal(post.status, 201, `round ${round}`);
    }
  } finally {
    clearInterval(trickle);
    for (const a of attackers) a.socket.destroy();
  }
  assert.equal(cluster.sql('SELECT count(*) FROM inbox').trim(), '3');
  // those that gave their memory up were told why
  const shed = attackers.filter((a) => /^HTTP\/1\.1 408 /.test(a.data));
  assert.ok(shed.length >= 1, 'no body was shed');
  assert.equal(JSON.parse(shed[0].data.slice(shed[0].data.indexOf('\r\n\r\n') + 4)).code, 'PGRST508');
});

test('the plan cache stays bounded whatever statements clients send', async () => {
  const [worker] = cluster.workers();
  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${worker}/status`, 'utf8'))[1]) / 1024;
  const before = rss();
  for (let i = 0; i < 300; i++) {
    // a distinct statement each time, as long as a URL may make it
    const select = Array.from({ length: 700 }, (_, j) => `c${i}_${j}:id`).join(',');
    const res = await fetch(`${cluster.url}/wide?select=${select}`);
    assert.equal(res.status, 200);
    await res.arrayBuffer();
  }
  const grown = rss() - before;
  assert.ok(grown < 250, `the worker grew by ${grown.toFixed(0)} MB`);
});
