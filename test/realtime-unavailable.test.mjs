// Where changes cannot stream, a stream is refused before its first byte,
// saying why, while every other request is served: pgrest.realtime off
// (406, as a media type pgrest does not serve), wal_level = replica and
// a hot standby (503 PGRST522 with a hint).  Clusters of their own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startCluster, freePort, sleep } from './cluster.mjs';
import { startRealtime, stream, realtimeExits } from './realtime.mjs';

const sql = `CREATE TABLE items (id int PRIMARY KEY);
             GRANT SELECT ON items TO hostile_anon;
             CREATE PUBLICATION pgrest_realtime FOR TABLE items;`;

async function refused(url, status, code) {
  const s = await stream(url, '/items');
  await s.until((e, x) => x.closed, 5000);
  assert.equal(s.status, status, s.body);
  const body = JSON.parse(s.body);
  assert.equal(body.code, code);
  const res = await fetch(new URL('/items', url));
  assert.equal(res.status, 200);
  return body;
}

test('pgrest.realtime off: 406', async () => {
  const cluster = await startCluster({ sql });
  try {
    const body = await refused(cluster.url, 406, 'PGRST107');
    assert.match(body.hint, /pgrest\.realtime = on/);
  } finally {
    assert.deepEqual(realtimeExits(cluster.stop()), []);
  }
});

test('wal_level = replica: the server starts, streams get 503 naming wal_level', async () => {
  const cluster = await startRealtime({ settings: { wal_level: 'replica' }, sql, wait: false });
  try {
    const body = await refused(cluster.url, 503, 'PGRST522');
    assert.match(body.message, /wal_level/);
    assert.match(body.hint, /wal_level = logical/);
  } finally {
    assert.deepEqual(realtimeExits(cluster.stop()), []);
  }
});

test('a hot standby: 503, the primary streams', async () => {
  const primary = await startRealtime({
    settings: { 'pgrest.workers': 1 },
    sql: `${sql} CREATE ROLE replicator LOGIN REPLICATION;`,
  });
  const bindir = process.env.PGREST_BINDIR ?? '/usr/lib/postgresql/15/bin';
  const asRoot = process.getuid?.() === 0;
  const run = (command, args) => execFileSync(asRoot ? 'runuser' : command,
    asRoot ? ['-u', 'postgres', '--', command, ...args] : args, { stdio: 'ignore' });
  const dir = path.dirname(primary.log);
  const conf = fs.readFileSync(`${dir}/data/postgresql.conf`, 'utf8');
  const pgport = /^port = (\d+)/m.exec(conf)[1];
  const standby = `${dir}/standby`;
  const port = await freePort();
  const httpport = await freePort();
  try {
    run(`${bindir}/pg_basebackup`, ['-h', dir, '-p', pgport, '-U', 'postgres', '-D', standby, '-R', '-X', 'stream', '-c', 'fast']);
    fs.appendFileSync(`${standby}/postgresql.conf`, `port = ${port}\npgrest.port = ${httpport}\n`);
    run(`${bindir}/pg_ctl`, ['-D', standby, '-l', `${dir}/standby.log`, '-w', 'start']);
    const url = `http://127.0.0.1:${httpport}`;
    for (let i = 0; i < 100; i++) {
      try { if ((await fetch(new URL('/items', url))).status === 200) break; } catch { /* starting */ }
      await sleep(200);
    }
    const body = await refused(url, 503, 'PGRST522');
    assert.match(body.message, /primary/);
    const s = await stream(primary.url, '/items');
    assert.equal(s.status, 200);
    s.close();
  } finally {
    try { run(`${bindir}/pg_ctl`, ['-D', standby, '-m', 'fast', '-w', 'stop']); } catch { /* not started */ }
    assert.deepEqual(realtimeExits(primary.stop()), []);
  }
});
