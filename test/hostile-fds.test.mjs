// File descriptors: a worker holds no more connections than its limit of
// open files allows, and when accept() still finds none left (EMFILE) it
// stops taking connections instead of spinning, logs that rarely, and
// serves again once connections close.  Runs its own cluster with a low
// open-files limit (256).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startCluster, cpuSeconds, idleSockets, sleep, unexpectedExits } from './cluster.mjs';

let cluster;
before(async () => { cluster = await startCluster({ nofile: 256 }); });
after(() => {
  const log = cluster?.stop() ?? '';
  assert.deepEqual(unexpectedExits(log), [], 'a worker ended');
});

async function get(path) {
  const res = await fetch(cluster.url + path, { signal: AbortSignal.timeout(10000) });
  await res.arrayBuffer();
  return res.status;
}

test('connections are capped by the open-files limit, and the worker does not spin', async () => {
  assert.match(cluster.logText(), /pgrest worker holds at most \d+ connections: its limit of open files is 256/);
  const workers = cluster.workers();
  assert.equal(workers.length, 2);
  const logBefore = cluster.logSize();
  const sockets = await idleSockets(cluster.port, 600);
  const cpuBefore = workers.map(cpuSeconds);
  await sleep(2000);
  const cpu = workers.map((pid, i) => cpuSeconds(pid) - cpuBefore[i]);
  // a spinning worker uses a whole core: 2 s here
  for (const seconds of cpu) assert.ok(seconds < 1, `a worker used ${seconds} s of CPU in 2 s`);
  for (const s of sockets) s.destroy();
  await sleep(500);
  assert.equal(await get('/canary'), 200);
  assert.ok(cluster.logSize() - logBefore < 20000, 'the log grew by more than 20 kB');
});

// prlimit as the server's own user (root may lack CAP_SYS_RESOURCE here)
const asServer = (args) => (process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', 'prlimit', ...args]] : ['prlimit', args]);
function prlimit(...args) {
  const [command, argv] = asServer(args);
  execFileSync(command, argv);
}

test('EMFILE: accepting pauses, the log says so rarely, serving resumes', async () => {
  const workers = cluster.workers();
  // leave each worker only a few more descriptors than it has open now
  for (const pid of workers) {
    const open = Number(execFileSync('bash', ['-c', `ls /proc/${pid}/fd | wc -l`], { encoding: 'utf8' }));
    prlimit('--pid', String(pid), `--nofile=${open + 5}:256`);
  }
  const logBefore = cluster.logSize();
  const sockets = await idleSockets(cluster.port, 100);
  const cpuBefore = workers.map(cpuSeconds);
  await sleep(3000);
  const cpu = workers.map((pid, i) => cpuSeconds(pid) - cpuBefore[i]);
  for (const seconds of cpu) assert.ok(seconds < 1, `a worker used ${seconds} s of CPU in 3 s`);
  const grown = cluster.logText().slice(logBefore);
  const failures = grown.match(/could not accept an HTTP connection/g)?.length ?? 0;
  assert.ok(failures >= 1 && failures <= 4, `${failures} messages about accept in 3 s`);
  for (const s of sockets) s.destroy();
  await sleep(1500);
  assert.equal(await get('/canary'), 200);
  for (const pid of workers) prlimit('--pid', String(pid), '--nofile=256:256');
});
