// The realtime decoder against clusters of its own (wal_level = logical,
// pgrest.realtime = on): change ids that survive a crash-restart, a
// SIGKILL of the decoder and its plain termination; changes past the
// resume window not kept across a restart; no wake-up and no CPU
// while nothing changes; wal_level = replica refused with the server up;
// DROP DATABASE of the served database while the slot is active, and the
// database created again; the shutdown while a large transaction is
// decoded; a slot PostgreSQL invalidates, and pgrest.realtime_max_retained_wal
// that keeps it from happening; a reload that names another publication;
// COMMIT PREPARED; a standby without decoder, and its promotion.  What the
// decoder wrote is read with pgrest._realtime_peek() (ids, operations,
// keys), its state with pgrest.realtime_status() and /ready.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCluster, freePort, pgRun, cpuSeconds, sleep, unexpectedExits } from './cluster.mjs';

const clusters = [];
after(() => { for (const c of clusters) c.stop(); });

const realtime = { wal_level: "'logical'", 'pgrest.realtime': 'on', 'pgrest.workers': 1 };
const schema = `
  CREATE TABLE items (id int PRIMARY KEY, note text);
  CREATE PUBLICATION pgrest_realtime FOR TABLE items;`;

async function cluster(settings = {}, sql = schema) {
  const admin = await freePort();
  const c = await startCluster({ settings: { ...realtime, 'pgrest.admin_port': admin, ...settings }, sql });
  c.admin = `http://127.0.0.1:${admin}`;
  clusters.push(c);
  return c;
}

// stop a cluster, and the exits of its workers no test asked for
function stop(c, allowed = () => false) {
  clusters.splice(clusters.indexOf(c), 1);
  return unexpectedExits(c.stop()).filter((e) => !allowed(e));
}

const status = (c) => JSON.parse(c.sql('SELECT row_to_json(s) FROM pgrest.realtime_status() s').trim());
const peek = (c) => c.sql("SELECT id || ' ' || op || ' ' || \"values\"::text FROM pgrest._realtime_peek()")
  .trim().split('\n').filter(Boolean);
const decoderPid = (c) => Number(c.sql(
  "SELECT pid FROM pg_stat_activity WHERE backend_type = 'pgrest realtime decoder'").trim()) || null;

// until the decoder runs and has decoded every commit made so far
async function decoded(c) {
  for (let i = 0; i < 300; i++) {
    try {
      if (c.sql('SELECT pgrest._realtime_wait(1000)').trim() === 't') return;
    } catch { /* the server is starting */ }
    await sleep(100);
  }
  throw new Error('the decoder did not catch up');
}

async function until(what, fn) {
  for (let i = 0; i < 300; i++) {
    try {
      if (await fn()) return;
    } catch { /* not yet */ }
    await sleep(100);
  }
  throw new Error(`timed out waiting: ${what}`);
}

async function ready(c, query = '') {
  const res = await fetch(`${c.admin}/ready${query}`);
  return { status: res.status, body: await res.json() };
}

// the ids of the ring after a restart: those before, then the new ones
function continues(before, afterwards) {
  const start = afterwards.indexOf(before[0]);
  assert.ok(start >= 0, `the first record is there again: ${before[0]}`);
  assert.deepEqual(afterwards.slice(start, start + before.length), before);
}

test('ids survive pg_ctl restart -m immediate, a SIGKILL of the decoder and its termination', async () => {
  const c = await cluster();
  c.sql(`INSERT INTO items VALUES (1, 'a'), (2, 'b');
         UPDATE items SET note = 'A' WHERE id = 1;
         UPDATE items SET id = 20 WHERE id = 2;
         DELETE FROM items WHERE id = 1;
         TRUNCATE items;`);
  await decoded(c);
  const before = peek(c);
  assert.equal(before.length, 6);
  const epoch = status(c).epoch;

  c.restart('immediate');
  await decoded(c);
  continues(before, peek(c));
  assert.equal(status(c).epoch, epoch);

  c.sql("INSERT INTO items VALUES (3, 'c')");
  await decoded(c);
  const third = peek(c);
  continues(before, third);
  assert.match(third.at(-1), / I \[\{"from": "n", "value": "3", "attnum": 1\}\]$/);
  assert.ok(third.at(-1) > before.at(-1), 'a later id');

  // SIGKILL: the postmaster restarts every process; the ring is decoded again
  process.kill(decoderPid(c), 'SIGKILL');
  await until('the server is back', () => decoderPid(c) !== null);
  await decoded(c);
  continues(third, peek(c));
  assert.equal(status(c).epoch, epoch);

  // a plain termination: the decoder alone starts again, the ring stays,
  // and what it decodes again is not added twice
  const ring = peek(c);
  const pid = decoderPid(c);
  c.sql(`SELECT pg_terminate_backend(${pid})`);
  await until('a new decoder', () => decoderPid(c) !== null && decoderPid(c) !== pid);
  c.sql("INSERT INTO items VALUES (4, 'd')");
  await decoded(c);
  const last = peek(c);
  assert.deepEqual(last.slice(0, ring.length), ring);
  assert.equal(last.length, ring.length + 1);
  assert.equal(status(c).decoder_restarts, 1);

  const exits = stop(c, (e) => /realtime decoder \d+ (was terminated by signal 9|exited with exit code 1: FATAL: {2}terminating)/.test(e)
    || /^pgrest \d+ exited with exit code 1: (FATAL: {2}terminating|\(nothing logged\))/.test(e));
  assert.deepEqual(exits, []);
});

test('changes older than the resume window are not kept across a restart', async () => {
  const c = await cluster({ 'pgrest.realtime_resume_window': "'1s'", autovacuum: 'off' });
  c.sql("INSERT INTO items VALUES (1, 'old')");
  await decoded(c);
  const old = peek(c);
  assert.equal(old.length, 1);
  // the window ends; the decoder wakes by itself to let the slot move on
  await until('the slot moved past the record', () => {
    const s = status(c);
    return s.confirmed_lsn !== null && s.oldest_lsn !== null &&
      c.sql(`SELECT '${s.confirmed_lsn}'::pg_lsn > '${s.oldest_lsn}'::pg_lsn`).trim() === 't';
  });
  c.restart('fast');
  await decoded(c);
  assert.deepEqual(peek(c), [], 'not decoded again');
  const s = status(c);
  assert.ok(s.floor_id > old[0].split(' ')[0], 'the floor is above the old id');
  c.sql("INSERT INTO items VALUES (2, 'new')");
  await decoded(c);
  assert.equal(peek(c).length, 1);
  assert.deepEqual(stop(c), []);
});

test('no wake-up and no CPU while nothing changes', async () => {
  const c = await cluster({ autovacuum: 'off' });
  c.sql("INSERT INTO items SELECT i, 'x' FROM generate_series(1, 100) i");
  for (let i = 0; i < 50; i++) c.sql(`UPDATE items SET note = 'y' WHERE id = ${i + 1}`);
  await decoded(c);
  await sleep(2500);	// the last confirmation to the slot, a second after
  const pid = decoderPid(c);
  const cpu = cpuSeconds(pid);
  const wakeups = Number(c.sql('SELECT wakeups FROM pgrest.realtime_status()').trim());
  await sleep(10000);
  assert.equal(cpuSeconds(pid), cpu, 'the decoder used no CPU in 10 s');
  assert.equal(Number(c.sql('SELECT wakeups FROM pgrest.realtime_status()').trim()), wakeups,
    'the decoder did not wake up');
  // a commit elsewhere (another database, no published table) changes nothing either
  c.sql('CREATE TABLE unpublished (id int)');
  const woken = Number(c.sql('SELECT wakeups FROM pgrest.realtime_status()').trim());
  c.sql('INSERT INTO unpublished VALUES (1)');
  await decoded(c);
  assert.equal(peek(c).length, 150);
  assert.ok(Number(c.sql('SELECT wakeups FROM pgrest.realtime_status()').trim()) >= woken);
  assert.deepEqual(stop(c), []);
});

test('wal_level = replica: the server and the API run, realtime says why it does not', async () => {
  const c = await cluster({ wal_level: "'replica'" });
  assert.equal(c.sql('SELECT pgrest.wait_ready(30000)').trim(), 't');
  await until('the decoder said so', () => status(c).state === 'no_wal_level');
  const s = status(c);
  assert.equal(s.reason, 'wal_level is "replica": realtime needs wal_level = logical');
  assert.equal(s.epoch, null);
  const r = await ready(c);
  assert.equal(r.status, 200);
  assert.equal(r.body.realtime, 'no_wal_level');
  assert.match(r.body.realtime_reason, /wal_level/);
  const rt = await ready(c, '?realtime=true');
  assert.equal(rt.status, 503);
  assert.match(rt.body.reason, /^realtime is not running: wal_level is "replica"/);
  assert.equal((await fetch(`${c.url}/canary`)).status, 200);
  assert.equal(c.sql('SELECT count(*) FROM pg_replication_slots').trim(), '0');
  c.sql("INSERT INTO items VALUES (1, 'a')");
  await sleep(500);
  const log = c.logText();
  assert.equal(log.match(/pgrest realtime is off: wal_level is "replica"/g)?.length, 1, 'said once');
  assert.match(log, /HINT: {2}Set wal_level = logical in postgresql.conf and restart the server\./);
  assert.deepEqual(stop(c), []);
});

test('DROP DATABASE of the served database while the slot is active; created again', async () => {
  const c = await cluster();
  await decoded(c);
  const epoch = status(c).epoch;
  assert.equal(c.sql("SELECT active FROM pg_replication_slots").trim(), 't');
  pgRun('psql', ['-X', '-q', '-h', c.dir, '-p', String(c.pgport), '-U', 'postgres', '-d', 'postgres',
    '-c', 'DROP DATABASE hostile WITH (FORCE)']);
  const psql = (sql) => pgRun('psql', ['-X', '-q', '-At', '-h', c.dir, '-p', String(c.pgport), '-U', 'postgres',
    '-d', 'postgres', '-c', sql]).trim();
  assert.equal(psql('SELECT count(*) FROM pg_replication_slots'), '0');
  await until('realtime says why', async () => (await ready(c)).body.realtime === 'unavailable');
  assert.match((await ready(c)).body.realtime_reason, /database "hostile" named by "pgrest.database" cannot be connected to/);
  // another database's drop is untouched by it
  psql('CREATE DATABASE other');
  psql('DROP DATABASE other');
  psql('CREATE DATABASE hostile');
  await until('realtime runs again', async () => (await ready(c)).body.realtime === 'running');
  assert.match(psql('SELECT slot_name FROM pg_replication_slots'), /^pgrest_[0-9a-f]{8}$/);
  assert.notEqual(psql('SELECT slot_name FROM pg_replication_slots'), `pgrest_${epoch}`);
  const log = c.logText();
  assert.match(log, /pgrest realtime decoder releases its replication slot for DROP DATABASE/);
  assert.doesNotMatch(log, /FATAL: {2}database "hostile" does not exist/);
  assert.deepEqual(stop(c, (e) => /exited with exit code 1: FATAL: {2}terminating background worker/.test(e)), []);
});

test('a fast shutdown while a large transaction is decoded is not held up', async () => {
  const c = await cluster({ 'pgrest.realtime_max_tx_changes': 1000 });
  await decoded(c);
  c.sql("INSERT INTO items SELECT i, repeat('x', 100) FROM generate_series(1, 300000) i");
  await sleep(100);
  const exits = stop(c, (e) => /exited with exit code 1: FATAL: {2}terminating/.test(e));
  assert.deepEqual(exits, []);
});

test('COMMIT PREPARED wakes the decoder', async () => {
  const c = await cluster({ max_prepared_transactions: 2 });
  await decoded(c);
  c.sql("BEGIN; INSERT INTO items VALUES (1, 'prepared'); PREPARE TRANSACTION 'p1';");
  c.sql("COMMIT PREPARED 'p1'");
  await decoded(c);
  assert.equal(peek(c).length, 1);
  assert.deepEqual(stop(c), []);
});

test('a reload that names another publication is followed', async () => {
  const c = await cluster({}, `${schema}
    CREATE TABLE other (id int PRIMARY KEY);
    CREATE PUBLICATION another FOR TABLE other;`);
  await decoded(c);
  c.sql("ALTER SYSTEM SET pgrest.realtime_publication = 'another'; SELECT pg_reload_conf();");
  let n = 0;
  await until('records of the other publication', async () => {
    n++;
    c.sql(`INSERT INTO other VALUES (${n})`);
    await decoded(c);
    return peek(c).some((r) => / I \[\{"from": "n", "value": "\d+", "attnum": 1\}\]$/.test(r));
  });
  const count = peek(c).length;
  c.sql("INSERT INTO items VALUES (1, 'not published now')");
  await decoded(c);
  assert.equal(peek(c).length, count);
  assert.deepEqual(stop(c), []);
});

test('a slot PostgreSQL invalidates is created anew: a new epoch', async () => {
  const c = await cluster({ max_slot_wal_keep_size: "'1MB'", 'pgrest.realtime_max_retained_wal': "'10GB'" });
  c.sql("CREATE TABLE filler (id serial, pad text); INSERT INTO items VALUES (1, 'kept')");
  await decoded(c);
  const epoch = status(c).epoch;
  // the record keeps the slot where it is (resume window); WAL piles up
  for (let i = 0; i < 4; i++) {
    c.sql("INSERT INTO filler (pad) SELECT repeat('p', 1000) FROM generate_series(1, 20000); SELECT pg_switch_wal();");
  }
  c.sql('CHECKPOINT');
  await until('a new epoch', () => {
    const s = status(c);
    return s.state === 'running' && s.epoch !== null && s.epoch !== epoch;
  });
  assert.match(c.logText(), new RegExp(`pgrest realtime replication slot "pgrest_${epoch}" was invalidated; creating a new one`));
  assert.equal(c.sql('SELECT count(*) FROM pg_replication_slots').trim(), '1');
  assert.equal(peek(c).length, 0, 'the old epoch\'s records are gone');
  const exits = stop(c, (e) => /realtime decoder \d+ exited with exit code 1: FATAL: {2}terminating/.test(e));
  assert.deepEqual(exits, []);
});

test('pgrest.realtime_max_retained_wal lets the slot move on', async () => {
  // the slot's WAL is kept from its restart_lsn, which moves at snapshots
  // of the running transactions: the decoder logs them when it holds too
  // much, once a second; so the cap holds within a couple of seconds
  const c = await cluster({ max_slot_wal_keep_size: "'64MB'", 'pgrest.realtime_max_retained_wal': "'1MB'" });
  c.sql("CREATE TABLE filler (id serial, pad text); INSERT INTO items VALUES (1, 'old')");
  await decoded(c);
  const epoch = status(c).epoch;
  for (let i = 0; i < 6; i++) {
    c.sql("INSERT INTO filler (pad) SELECT repeat('p', 1000) FROM generate_series(1, 20000); SELECT pg_switch_wal();");
    await sleep(1100);
  }
  for (let i = 2; i < 5; i++) {
    c.sql(`INSERT INTO items VALUES (${i}, 'new')`);
    await decoded(c);
    await sleep(1100);
  }
  const s = status(c);
  assert.equal(s.epoch, epoch);
  assert.ok(s.retained_wal_bytes > 0 && s.retained_wal_bytes < 16 * 1024 * 1024, `retained ${s.retained_wal_bytes}`);
  c.sql('CHECKPOINT');
  assert.equal(c.sql("SELECT wal_status FROM pg_replication_slots").trim(), 'reserved');
  assert.deepEqual(stop(c), []);
});

test('a standby has no decoder and says so; once promoted it decodes with a new slot', async () => {
  const primary = await cluster({}, `${schema}
    SELECT pg_create_physical_replication_slot('standby');`);
  await decoded(primary);
  const epoch = status(primary).epoch;
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'pgrest-standby-'));
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres:', home]);
  const dir = path.join(home, 'data');
  const port = await freePort();
  const http = await freePort();
  const admin = await freePort();
  pgRun('pg_basebackup', ['-h', primary.dir, '-p', String(primary.pgport), '-U', 'postgres', '-D', dir,
    '-R', '-X', 'stream', '-S', 'standby', '-c', 'fast']);
  fs.appendFileSync(`${dir}/postgresql.conf`, `port = ${port}\nunix_socket_directories = '${home}'\n`
    + `pgrest.port = ${http}\npgrest.admin_port = ${admin}\n`);
  const log = path.join(home, 'standby.log');
  pgRun('pg_ctl', ['-D', dir, '-l', log, '-w', 'start'], { stdio: 'ignore' });
  const standby = (sql) => pgRun('psql', ['-X', '-q', '-At', '-h', home, '-p', String(port), '-U', 'postgres',
    '-d', 'hostile', '-c', sql]).trim();
  try {
    assert.equal(standby('SELECT pgrest.wait_ready(30000)'), 't');
    assert.equal(standby("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pgrest realtime decoder'"), '0');
    assert.equal(standby('SELECT state FROM pgrest.realtime_status()'), 'standby');
    assert.equal(standby('SELECT reason FROM pgrest.realtime_status()'),
      'this server is a standby: realtime is served by the primary');
    const r = await (await fetch(`http://127.0.0.1:${admin}/ready`)).json();
    assert.equal(r.role, 'standby');
    assert.equal(r.realtime, 'standby');
    assert.equal((await fetch(`http://127.0.0.1:${admin}/ready?realtime=true`)).status, 503);
    assert.equal((await ready(primary, '?realtime=true')).status, 200);

    // the primary goes; the standby is promoted and decodes
    assert.deepEqual(stop(primary), []);
    pgRun('pg_ctl', ['-D', dir, '-w', 'promote'], { stdio: 'ignore' });
    await until('the promoted node decodes', () => standby('SELECT state FROM pgrest.realtime_status()') === 'running');
    const promoted = standby('SELECT epoch FROM pgrest.realtime_status()');
    assert.match(promoted, /^[0-9a-f]{8}$/);
    assert.notEqual(promoted, epoch);
    standby("INSERT INTO items VALUES (1, 'after promotion')");
    await until('the change in the ring', () => standby('SELECT count(*) FROM pgrest._realtime_peek()') === '1');
  } finally {
    try { pgRun('pg_ctl', ['-D', dir, '-m', 'fast', '-w', 'stop'], { stdio: 'ignore' }); } catch { /* gone */ }
  }
  const text = fs.readFileSync(log, 'utf8');
  fs.rmSync(home, { recursive: true, force: true });
  assert.deepEqual(unexpectedExits(text), []);
});
