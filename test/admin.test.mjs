// The admin port: /live, /ready and /metrics, served by the same workers
// without a transaction; /metrics checked by Prometheus' own promtool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

const api = process.env.PGREST_URL;
const admin = process.env.PGREST_ADMIN_URL;

async function get(path, init) {
  const res = await fetch(`${admin}${path}`, init);
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

test('/live answers while the worker loop runs', async () => {
  const r = await get('/live');
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.body), { live: true });
});

test('/ready: a primary whose workers all serve', async () => {
  let r = await get('/ready');
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.body),
    { ready: true, role: 'primary', read_only: false, workers: 2, workers_ready: 2 });
  r = await get('/ready?role=primary');
  assert.equal(r.status, 200);
  r = await get('/ready?role=standby');
  assert.equal(r.status, 503);
  assert.equal(JSON.parse(r.body).reason, 'this node is a primary, not a standby');
});

test('only GET and HEAD, only the three paths', async () => {
  assert.equal((await get('/ready', { method: 'HEAD' })).status, 200);
  const post = await get('/live', { method: 'POST' });
  assert.equal(post.status, 405);
  assert.equal(JSON.parse(post.body).code, 'PGRST117');
  assert.equal((await get('/films')).status, 404);
  assert.equal((await get('/')).status, 404);
});

test('/metrics is valid Prometheus text, and counts what the API port answered', async () => {
  const before = await get('/metrics');
  for (let i = 0; i < 3; i++) {
    assert.equal((await fetch(`${api}/films?id=eq.1`)).status, 200);
  }
  assert.equal((await fetch(`${api}/no_such_table`)).status, 404);
  const r = await get('/metrics');
  assert.equal(r.status, 200);
  assert.equal(r.type, 'text/plain; version=0.0.4; charset=utf-8');
  // promtool reads the exposition from stdin and lints it
  execFileSync('promtool', ['check', 'metrics'], { input: r.body });

  const value = (text, sample) => {
    const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
    return line ? Number(line.slice(sample.length + 1)) : 0;
  };
  const ok = 'pgrest_requests_total{method="GET",status="200"}';
  const missing = 'pgrest_requests_total{method="GET",status="404"}';
  assert.equal(value(r.body, ok) - value(before.body, ok), 3);
  assert.equal(value(r.body, missing) - value(before.body, missing), 1);
  const count = 'pgrest_request_duration_seconds_count';
  assert.equal(value(r.body, count) - value(before.body, count), 4);
  assert.equal(value(r.body, 'pgrest_request_duration_seconds_bucket{le="+Inf"}'), value(r.body, count));
  assert.ok(value(r.body, 'pgrest_schema_cache_loads_total') >= 2);
  assert.equal(value(r.body, 'pgrest_worker_restarts_total'), 0);
  assert.equal(value(r.body, 'pgrest_workers{state="ready"}'), 2);
});

test('pgrest_connections counts the API connections open now', async () => {
  const http = await import('node:http');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  await new Promise((resolve, reject) => {
    http.get(`${api}/films?id=eq.1`, { agent }, (res) => { res.resume(); res.on('end', resolve); })
      .on('error', reject);
  });
  const r = await get('/metrics');
  const line = r.body.split('\n').find((l) => l.startsWith('pgrest_connections '));
  assert.ok(Number(line.split(' ')[1]) >= 1, line);
  agent.destroy();
});
