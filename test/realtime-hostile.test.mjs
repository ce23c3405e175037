// Hostile streams: thousands of subscriptions on one worker, hundreds of
// distinct claims under row-level security (a cohort each), clients that
// never read what they asked for, and malformed stream headers.  The
// worker must serve every one of them, keep its memory bounded, and lose
// nothing for the well-behaved.  Its own cluster of one worker
// (test/realtime.mjs) with room for 3,000 connections.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { startRealtime, stream, token, sleep, realtimeExits } from './realtime.mjs';

let cluster;
let url;
before(async () => {
  cluster = await startRealtime({
    settings: {
      'pgrest.workers': 1,
      'pgrest.connection_limit': 4000,
      'pgrest.realtime_heartbeat': "'1s'",
      'pgrest.request_timeout': "'2s'",
      'pgrest.realtime_client_buffer': "'32kB'",
    },
    sql: `
      CREATE ROLE rt_user NOLOGIN;
      GRANT rt_user TO hostile_authenticator;
      CREATE TABLE feed (id int PRIMARY KEY, room int, pad text);
      GRANT SELECT ON feed TO hostile_anon, rt_user;
      CREATE TABLE private (id int PRIMARY KEY, owner text, body text);
      ALTER TABLE private ENABLE ROW LEVEL SECURITY;
      CREATE POLICY own ON private USING (owner = current_setting('request.jwt.claims', true)::json->>'sub');
      GRANT SELECT ON private TO rt_user;
      CREATE PUBLICATION pgrest_realtime FOR TABLE feed, private;`,
  });
  url = cluster.url;
});
after(() => {
  const log = cluster?.stop() ?? '';
  assert.deepEqual(realtimeExits(log), [], 'a worker ended');
});

const stat = (name) => Number(cluster.sql(`SELECT value FROM pgrest.stats() WHERE name = '${name}' AND labels = '{}'`).trim());
const rss = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
async function noSubscribers() {
  for (let i = 0; i < 300 && stat('pgrest_realtime_subscribers') !== 0; i++) await sleep(100);
  assert.equal(stat('pgrest_realtime_subscribers'), 0);
}

test('2,000 subscriptions on one worker: each gets each change; they go when their clients do', async () => {
  const [worker] = cluster.workers();
  const before = rss(worker);
  const streams = [];
  for (let i = 0; i < 2000; i++) {
    // a quarter prefiltered on one room of ten, the rest on no room
    const path = i % 4 === 0 ? `/feed?select=id&room=eq.${i % 10}` : '/feed?select=id';
    streams.push(stream(url, path));
    if (i % 100 === 99) await Promise.all(streams.slice(-100));
  }
  const all = await Promise.all(streams);
  assert.ok(all.every((s) => s.status === 200));
  await Promise.all(all.map((s) => s.until((e) => e.some((x) => x.event === 'ready'), 30000)));
  assert.equal(stat('pgrest_realtime_subscribers'), 2000);
  const idle = rss(worker) - before;
  console.log(`# worker memory per idle subscriber: ${(idle / 2000).toFixed(1)} kB`);
  assert.ok(idle / 2000 < 100, `${idle / 2000} kB per idle subscriber`);
  cluster.sql('INSERT INTO feed VALUES (1, 3, NULL), (2, 4, NULL)');
  const expect = (i) => (i % 4 !== 0 ? 2 : i % 10 === 3 || i % 10 === 4 ? 1 : 0);
  await Promise.all(all.map((s, i) => s.waitFor(expect(i), null, 30000)));
  await sleep(500);
  for (const [i, s] of all.entries()) {
    const got = s.changes().map((e) => e.data.new.id);
    if (i % 4 === 0) assert.deepEqual(got, i % 10 === 3 ? [1] : i % 10 === 4 ? [2] : [], `stream ${i}`);
    else assert.deepEqual(got, [1, 2], `stream ${i}`);
  }
  for (const s of all) s.close();
  await noSubscribers();
  cluster.sql('DELETE FROM feed');
});

test('300 distinct claims under RLS: a cohort each, each sees its own rows only', async () => {
  const streams = [];
  for (let i = 0; i < 300; i++)
    streams.push(await stream(url, '/private?select=id,owner', { token: token({ role: 'rt_user', sub: `u${i}` }) }));
  await Promise.all(streams.map((s) => s.until((e) => e.some((x) => x.event === 'ready'), 30000)));
  assert.ok(stat('pgrest_realtime_cohorts') >= 300);
  cluster.sql(`INSERT INTO private SELECT i, 'u' || (i % 300), 'x' FROM generate_series(1, 900) i`);
  await Promise.all(streams.map((s) => s.waitFor(3, null, 60000)));
  cluster.sql(`DELETE FROM private WHERE id <= 300`);
  await Promise.all(streams.map((s) => s.waitFor(4, null, 60000)));
  await sleep(500);
  for (const [i, s] of streams.entries()) {
    for (const e of s.changes()) {
      const id = e.event === 'delete' ? e.data.old.id : e.data.new.id;
      assert.equal(id % 300, i, `stream u${i} got row ${id}`);
    }
    assert.equal(s.changes().length, 4, `stream u${i}`);
    s.close();
  }
  await noSubscribers();
  cluster.sql('DELETE FROM private');
});

test('clients that never read: cut off, while a reading stream and GETs go on', async () => {
  const [worker] = cluster.workers();
  const sockets = [];
  for (let i = 0; i < 20; i++) {
    const socket = net.connect(cluster.port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write('GET /feed?select=id,pad HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n');
    socket.pause();
    sockets.push(socket);
  }
  const reader = await stream(url, '/feed?select=id');
  await reader.until((e) => e.some((x) => x.event === 'ready'));
  await sleep(500);
  const before = rss(worker);
  // far more than their sockets' buffers hold
  for (let round = 0; round < 8; round++)
    cluster.sql(`INSERT INTO feed SELECT i, 0, repeat('z', 8000) FROM generate_series(${round * 400 + 1}, ${round * 400 + 400}) i`);
  await reader.waitFor(3200, null, 60000);
  const res = await fetch(new URL('/feed?select=id&limit=1', url));
  assert.equal(res.status, 200);
  // their outboxes stay bounded: each is reset, then cut off
  assert.ok(rss(worker) - before < 64 * 1024, `worker grew ${rss(worker) - before} kB`);
  for (let i = 0; i < 200 && stat('pgrest_realtime_subscribers') > 1; i++) await sleep(100);
  assert.equal(stat('pgrest_realtime_subscribers'), 1);
  for (const s of sockets) s.destroy();
  reader.close();
  await noSubscribers();
  cluster.sql('DELETE FROM feed');
});

test('malformed stream headers: an error or a reset, never a crash', async () => {
  const cases = [
    { 'last-event-id': 'x'.repeat(5000) },
    { 'last-event-id': 'ffffffff-ffffffffffffffff-99999999999999999999' },
    { 'last-event-id': '00000000-0000000000000000-0 x' },
    { prefer: `realtime=${'insert,'.repeat(500)}` },
    { prefer: 'realtime=nothing, snapshot=exclude, snapshot=include' },
    { accept: 'application/json;q=0.5, text/event-stream' },
    { accept: 'text/event-stream, text/event-stream, */*' },
  ];
  for (const headers of cases) {
    const s = await stream(url, '/feed?select=id', { headers });
    if (s.status === 200) {
      await s.until((e) => e.some((x) => x.event === 'ready'));
      s.close();
    } else {
      await s.until((e, x) => x.closed, 5000);
      assert.ok(s.status >= 400 && s.status < 500, `${JSON.stringify(headers)}: ${s.status}`);
    }
  }
  const res = await fetch(new URL('/feed?select=id', url));
  assert.equal(res.status, 200);
  await noSubscribers();
});
