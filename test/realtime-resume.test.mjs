// Resuming across failures: a client that lost its stream to kill -9 of
// its worker, kill -9 of the decoder, or pg_ctl restart -m immediate
// reconnects with Last-Event-ID and gets every change it had not got:
// ids go on increasing, nothing is missing, nothing is skipped without a
// reset.  Its own cluster of one worker (test/realtime.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startRealtime, realtimeRunning, stream, compareIds, sleep, realtimeExits } from './realtime.mjs';

let cluster;
let url;
before(async () => {
  cluster = await startRealtime({
    settings: { 'pgrest.workers': 1, 'pgrest.realtime_heartbeat': "'1s'", restart_after_crash: 'on' },
    sql: `
      CREATE TABLE items (id int PRIMARY KEY, note text);
      GRANT SELECT ON items TO hostile_anon;
      CREATE PUBLICATION pgrest_realtime FOR TABLE items;`,
  });
  url = cluster.url;
});
after(() => {
  const log = cluster?.stop() ?? '';
  // the kills are this test's own
  assert.deepEqual(realtimeExits(log).filter((x) => !/terminated by signal 9/.test(x)), [], 'a worker ended');
});

const bindir = process.env.PGREST_BINDIR ?? '/usr/lib/postgresql/15/bin';
const asRoot = process.getuid?.() === 0;
function pgctl(...args) {
  const dir = path.dirname(cluster.log);
  const argv = ['-D', `${dir}/data`, '-l', cluster.log, ...args];
  if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', `${bindir}/pg_ctl`, ...argv], { stdio: 'ignore' });
  else execFileSync(`${bindir}/pg_ctl`, argv, { stdio: 'ignore' });
}

// the server answers SQL and serves again, its decoder running
async function serving() {
  for (let i = 0; i < 300; i++) {
    try {
      if (cluster.sql('SELECT pgrest.wait_ready(1000)').trim() === 't') break;
    } catch { /* restarting */ }
    await sleep(100);
  }
  await realtimeRunning(cluster, 60000);
}

let next = 1;
function write(n) {
  const ids = [];
  for (let i = 0; i < n; i++, next++) {
    cluster.sql(`INSERT INTO items VALUES (${next}, 'n')`);
    ids.push(next);
  }
  return ids;
}

async function resumeAcross(kill) {
  const s = await stream(url, '/items?select=id');
  await s.until((e) => e.some((x) => x.event === 'ready'));
  const before = write(5);
  await s.waitFor(5);
  const lastId = s.changes().at(-1).id;
  // changes the stream may or may not see before it breaks
  const racing = write(3);
  kill();
  await s.until((e, x) => x.closed, 30000);
  await serving();
  const afterwards = write(4);
  const seen = new Set(s.changes().map((e) => e.data.new.id));
  const r = await stream(url, '/items?select=id', { headers: { 'last-event-id': lastId } });
  assert.equal(r.status, 200, r.body);
  await r.until((events) => afterwards.every((id) => events.some((e) => e.data?.new?.id === id)), 30000);
  const resets = r.events.filter((e) => e.event === 'reset');
  assert.deepEqual(resets, [], 'resumed without a reset');
  assert.equal(r.events[0].event, 'ready');
  assert.equal(r.events[0].data.since, lastId);
  // every change after the id, once, in order
  const ids = r.changes().map((e) => e.data.new.id);
  assert.deepEqual(ids, [...racing, ...afterwards]);
  let last = lastId;
  for (const e of r.changes()) {
    assert.ok(compareIds(e.id, last) > 0, `${e.id} after ${last}`);
    last = e.id;
  }
  for (const id of before) assert.ok(seen.has(id));
  r.close();
}

test('kill -9 of the worker: the client resumes', async () => {
  const [worker] = cluster.workers();
  await resumeAcross(() => process.kill(worker, 'SIGKILL'));
});

test('kill -9 of the decoder: the client resumes', async () => {
  const decoder = Number(cluster.sql("SELECT pid FROM pg_stat_activity WHERE backend_type = 'pgrest realtime decoder'").trim());
  assert.ok(decoder > 0);
  await resumeAcross(() => process.kill(decoder, 'SIGKILL'));
});

test('pg_ctl restart -m immediate: the client resumes', async () => {
  await resumeAcross(() => pgctl('-m', 'immediate', '-w', 'restart'));
});
