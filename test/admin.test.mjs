// The admin port: /live, /ready and /metrics, served by the same workers
// without a transaction; /metrics checked by Prometheus' own promtool.
// Then, on clusters of their own: a crowd of idle and trickling
// connections on the admin port beside the API, EMFILE on it, a body sent
// to it, and where it listens (pgrest.admin_listen_addresses).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { startCluster, freePort, sleep, connectTo, cpuSeconds, idleSockets, unexpectedExits } from './cluster.mjs';

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

// a cluster of its own with the admin port on
async function adminCluster(settings = {}, options = {}) {
  const adminPort = await freePort();
  const cluster = await startCluster({ settings: { 'pgrest.admin_port': adminPort, ...settings }, ...options });
  cluster.adminPort = adminPort;
  return cluster;
}

// stop a cluster: no process died of a signal, no worker ended unasked
function stopChecked(cluster) {
  const log = cluster.stop();
  assert.doesNotMatch(log, /terminated by signal/);
  assert.deepEqual(unexpectedExits(log), [], 'a worker ended');
}

// the status of url, or the error's name (a timeout, a refused connection)
async function statusOf(url, init = {}) {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(init.timeout ?? 20000) });
    await res.arrayBuffer();
    return res.status;
  } catch (e) {
    return e.cause?.code ?? e.name;
  }
}

test('2,200 idle and trickling connections on the admin port: the API answers, /ready once they go', async (t) => {
  // an open-files limit as many hosts have: the crowd could take every
  // file descriptor the workers have, if the admin port had no cap
  const cluster = await adminCluster({}, { nofile: 1024 });
  const sockets = [];
  try {
    const logBefore = cluster.logSize();
    for (let i = 0; i < 2200; i++) {
      const socket = net.connect(cluster.adminPort, '127.0.0.1');
      socket.on('error', () => {});
      // half of them idle, half trickle a request's headers
      if (i % 2 === 1) socket.on('connect', () => socket.write('GET /ready HTTP/1.1\r\nHost: x\r\nX-Slow: '));
      sockets.push(socket);
      if (i % 100 === 99) await sleep(20);
    }
    // let the workers fill their admin slots and the crowd age past shedding
    await sleep(1500);
    const drip = setInterval(() => {
      for (let i = 1; i < sockets.length; i += 2) if (!sockets[i].destroyed) sockets[i].write('a');
    }, 1000);
    try {
      const times = [];
      for (let i = 0; i < 3; i++) {
        const started = Date.now();
        assert.equal(await statusOf(`${cluster.url}/canary?id=eq.1`), 200);
        times.push(Date.now() - started);
        await sleep(300);
      }
      t.diagnostic(`the API answered in ${times.join(', ')} ms beside 2,200 admin connections`);
    } finally {
      clearInterval(drip);
    }
    for (const s of sockets) s.destroy();
    const started = Date.now();
    let ready;
    for (let i = 0; i < 60 && ready !== 200; i++) {
      ready = await statusOf(`http://127.0.0.1:${cluster.adminPort}/ready`, { timeout: 5000 });
      if (ready !== 200) await sleep(500);
    }
    assert.equal(ready, 200);
    t.diagnostic(`/ready answered 200 ${Date.now() - started} ms after the crowd went`);
    assert.equal(await statusOf(`${cluster.url}/canary?id=eq.1`), 200);
    // no message per connection: the crowd is not the log's business
    assert.ok(cluster.logSize() - logBefore < 20000, 'the log grew by more than 20 kB');
  } finally {
    for (const s of sockets) s.destroy();
    stopChecked(cluster);
  }
});

test('EMFILE on the admin port: accepting pauses without spinning, and resumes', async () => {
  const cluster = await adminCluster({}, { nofile: 256 });
  // prlimit as the server's own user (root may lack CAP_SYS_RESOURCE here)
  const prlimit = (...args) => (process.getuid?.() === 0
    ? execFileSync('runuser', ['-u', 'postgres', '--', 'prlimit', ...args])
    : execFileSync('prlimit', args));
  let sockets = [];
  try {
    const workers = cluster.workers();
    // leave each worker only a few more descriptors than it has open now
    for (const pid of workers) {
      const open = Number(execFileSync('bash', ['-c', `ls /proc/${pid}/fd | wc -l`], { encoding: 'utf8' }));
      prlimit('--pid', String(pid), `--nofile=${open + 5}:256`);
    }
    sockets = await idleSockets(cluster.adminPort, 100);
    const cpuBefore = workers.map(cpuSeconds);
    await sleep(3000);
    // a worker that kept polling the admin socket would use a whole core
    workers.forEach((pid, i) => {
      const used = cpuSeconds(pid) - cpuBefore[i];
      assert.ok(used < 1, `a worker used ${used} s of CPU in 3 s`);
    });
    assert.ok((cluster.logText().match(/could not accept an HTTP connection/g)?.length ?? 0) <= 4);
    for (const s of sockets) s.destroy();
    for (const pid of workers) prlimit('--pid', String(pid), '--nofile=256:256');
    let live;
    for (let i = 0; i < 60 && live !== 200; i++) {
      live = await statusOf(`http://127.0.0.1:${cluster.adminPort}/live`, { timeout: 5000 });
      if (live !== 200) await sleep(500);
    }
    assert.equal(live, 200);
  } finally {
    for (const s of sockets) s.destroy();
    stopChecked(cluster);
  }
});

test('the admin port takes no body: 413 PGRST512 without reading it, the connection closed', async () => {
  const cluster = await adminCluster();
  try {
    const admin = `http://127.0.0.1:${cluster.adminPort}`;
    const res = await fetch(`${admin}/ready`, { method: 'POST', body: 'x'.repeat(100000), signal: AbortSignal.timeout(10000) });
    assert.equal(res.status, 413);
    assert.equal(res.headers.get('connection'), 'close');
    assert.equal((await res.json()).code, 'PGRST512');
    // a body announced but never sent is refused at once, too
    const answer = await new Promise((resolve) => {
      const socket = net.connect(cluster.adminPort, '127.0.0.1');
      let data = '';
      socket.on('data', (chunk) => { data += chunk; });
      socket.on('close', () => resolve(data));
      socket.on('error', () => {});
      socket.write('GET /live HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    });
    assert.match(answer, /^HTTP\/1\.1 413 /);
    // GET without a body is answered as ever
    assert.equal(await statusOf(`${admin}/live`), 200);
  } finally {
    stopChecked(cluster);
  }
});

test('pgrest.admin_listen_addresses: loopback by default, not the API\'s addresses; its own list when set', async () => {
  // the API on 127.0.0.2 only: the admin port stays on 127.0.0.1 and ::1
  let cluster = await adminCluster({ 'pgrest.listen_addresses': "'127.0.0.2'" });
  try {
    assert.equal(cluster.sql('SHOW pgrest.admin_listen_addresses').trim(), '127.0.0.1, ::1');
    assert.equal(await statusOf(`http://127.0.0.1:${cluster.adminPort}/live`), 200);
    assert.equal(await statusOf(`http://[::1]:${cluster.adminPort}/live`), 200);
    assert.notEqual(await connectTo('127.0.0.2', cluster.adminPort), 'connected');
    assert.equal(await statusOf(`http://127.0.0.2:${cluster.port}/canary`), 200);
    assert.match(cluster.logText(), new RegExp(`LOG:  pgrest admin server \\(/live, /ready, /metrics\\) on 127\\.0\\.0\\.1:${cluster.adminPort}, \\[::1\\]:${cluster.adminPort}\n`));
  } finally {
    stopChecked(cluster);
  }
  // set: there, and nowhere else
  cluster = await adminCluster({ 'pgrest.admin_listen_addresses': "'127.0.0.3'" });
  try {
    assert.equal(await statusOf(`http://127.0.0.3:${cluster.adminPort}/live`), 200);
    assert.notEqual(await connectTo('127.0.0.1', cluster.adminPort), 'connected');
    assert.notEqual(await connectTo('::1', cluster.adminPort), 'connected');
    // a change needs a restart
    assert.match(cluster.sql("SELECT context FROM pg_settings WHERE name = 'pgrest.admin_listen_addresses'"), /postmaster/);
  } finally {
    stopChecked(cluster);
  }
});
