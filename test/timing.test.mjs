// PGREST_TIMING (src/server/timing.c): with it in the server's
// environment each worker measures where its time goes and logs it (a
// line per turn over the threshold, a report on each reload); without it,
// nothing.  Runs its own clusters: one measuring with a threshold of one
// microsecond (so that every turn that answers is logged as a stall),
// one without.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, sleep, unexpectedExits } from './cluster.mjs';

const clusters = [];
after(() => {
  for (const cluster of clusters) {
    assert.deepEqual(unexpectedExits(cluster.stop()), [], 'a worker ended');
  }
});

// a reload (the reports start over), requests one by one, a reload
async function serveAndReload(cluster, requests) {
  cluster.sql('SELECT pg_reload_conf()');
  await sleep(200);
  for (let i = 0; i < requests; i++) {
    const res = await fetch(`${cluster.url}/canary?id=eq.1`, { signal: AbortSignal.timeout(10000) });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
  }
  cluster.sql('SELECT pg_reload_conf()');
}

// the requests counted by the workers' reports so far
function reported(cluster) {
  return [...cluster.logText().matchAll(/pgrest timing: report: .* handler=(\d+)\//g)]
    .reduce((sum, m) => sum + Number(m[1]), 0);
}

test('PGREST_TIMING: each request is timed and reported, phase by phase, after a reload', async () => {
  const cluster = await startCluster({ env: { PGREST_TIMING: '0.001' } });
  clusters.push(cluster);
  await serveAndReload(cluster, 5);
  for (let i = 0; i < 100 && reported(cluster) < 5; i++) await sleep(50);
  assert.equal(reported(cluster), 5);
  const text = cluster.logText();
  const report = text.match(/pgrest timing: report: .*handler=[1-9].*/)[0];
  for (const phase of ['queue', 'begin', 'parse', 'plan', 'statement', 'response', 'commit',
    'handler', 'send', 'worker', 'turn']) {
    assert.match(report, new RegExp(` ${phase}=\\d+/\\d+/\\d+/\\d+`), phase);
  }
  for (const field of ['stalls', 'work_stalls', 'idle_wakes', 'wakes_latch', 'wakes_http',
    'wakes_listen', 'wakes_timeout', 'cpu_wait_ms', 'involuntary_switches']) {
    assert.match(report, new RegExp(` ${field}=[0-9.]+`), field);
  }
  // over a threshold of 1 us, a turn that answered is a stall, in parts
  assert.match(text, /pgrest timing: stall: turn=[0-9.]+ ms cpu=[0-9.]+ ms wake=\S* .*answer=[0-9.]+ .*requests=1 last_queue=/);
});

test('without PGREST_TIMING nothing is measured or logged', async () => {
  const cluster = await startCluster();
  clusters.push(cluster);
  await serveAndReload(cluster, 3);
  await sleep(300);
  cluster.sql('SELECT 1');
  assert.doesNotMatch(cluster.logText(), /pgrest timing/);
});
