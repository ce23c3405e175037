// The limits of streams: subscriber caps per worker and per role (503,
// Retry-After), a transaction past pgrest.realtime_max_tx_changes (reset
// too_many_changes), a subscriber too slow for pgrest.realtime_client_buffer
// (reset, then closed), an id the ring no longer holds (reset too_old),
// a snapshot that misses no change made while it is read, a reload that
// keeps every stream, and no CPU when nothing changes.  Its own cluster
// of one worker (test/realtime.mjs), a ring of 1 MB.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpuSeconds } from './cluster.mjs';
import { startRealtime, stream, token, sleep, realtimeExits, sqlAsync } from './realtime.mjs';

let cluster;
let url;
before(async () => {
  cluster = await startRealtime({
    settings: {
      'pgrest.workers': 1,
      'pgrest.realtime_buffer': "'1MB'",
      'pgrest.realtime_client_buffer': "'16kB'",
      'pgrest.realtime_max_subscribers': 6,
      'pgrest.realtime_max_subscribers_per_role': 4,
      'pgrest.request_timeout': "'30s'",
    },
    sql: `
      CREATE ROLE rt_other NOLOGIN;
      GRANT rt_other TO hostile_authenticator;
      CREATE TABLE items (id int PRIMARY KEY, pad text);
      CREATE TABLE others (id int PRIMARY KEY);
      CREATE TABLE probe (id int);
      GRANT SELECT ON items TO hostile_anon, rt_other;
      GRANT SELECT ON others TO hostile_anon;
      CREATE PUBLICATION pgrest_realtime FOR TABLE items, others, probe;`,
  });
  url = cluster.url;
});
after(() => {
  const log = cluster?.stop() ?? '';
  assert.deepEqual(realtimeExits(log), [], 'a worker ended');
});

const ready = (s) => s.until((e) => e.some((x) => x.event === 'ready'));
const stat = (name, labels = '{}') => Number(cluster.sql(
  `SELECT value FROM pgrest.stats() WHERE name = '${name}' AND labels = '${labels}'::jsonb`).trim());
async function noSubscribers() {
  for (let i = 0; i < 300 && stat('pgrest_realtime_subscribers') !== 0; i++) await sleep(100);
  assert.equal(stat('pgrest_realtime_subscribers'), 0);
}

test('caps: per role, then per worker: 503 with Retry-After', async () => {
  const open = [];
  for (let i = 0; i < 4; i++) {
    const s = await stream(url, '/items');
    assert.equal(s.status, 200);
    open.push(s);
  }
  const role = await stream(url, '/items');
  await role.until((e, x) => x.closed, 5000);
  assert.equal(role.status, 503);
  assert.equal(JSON.parse(role.body).code, 'PGRST523');
  assert.ok(Number(role.headers['retry-after']) > 0);
  // another role has room, up to the worker's cap
  const other = token({ role: 'rt_other' });
  open.push(await stream(url, '/items', { token: other }));
  open.push(await stream(url, '/items', { token: other }));
  assert.deepEqual(open.map((s) => s.status), [200, 200, 200, 200, 200, 200]);
  const full = await stream(url, '/items', { token: other });
  await full.until((e, x) => x.closed, 5000);
  assert.equal(full.status, 503);
  assert.match(JSON.parse(full.body).details, /pgrest.realtime_max_subscribers/);
  for (const s of open) s.close();
  // closed streams leave their places (seen at the next heartbeat)
  cluster.sql("ALTER SYSTEM SET pgrest.realtime_heartbeat = '200ms'; SELECT pg_reload_conf()");
  await noSubscribers();
  const again = await stream(url, '/items');
  assert.equal(again.status, 200);
  again.close();
  await noSubscribers();
});

test('a reload keeps every stream', async () => {
  const s = await stream(url, '/items?select=id');
  await ready(s);
  cluster.sql("ALTER SYSTEM SET pgrest.realtime_heartbeat = '300ms'; SELECT pg_reload_conf()");
  await sleep(500);
  cluster.sql(`INSERT INTO items VALUES (1, 'a')`);
  await s.waitFor(1);
  assert.equal(s.closed, false);
  s.close();
  cluster.sql('DELETE FROM items');
  await noSubscribers();
});

test('a subscriber that falls behind gets reset (slow_consumer); the second time within a minute, its stream ends', async () => {
  const s = await stream(url, '/items?select=id,pad');
  await ready(s);
  s.req.socket.pause();
  // far more than the socket buffers and the client buffer hold
  cluster.sql(`INSERT INTO items SELECT i, repeat('x', 8000) FROM generate_series(1, 1500) i`);
  await sleep(1000);
  s.req.socket.resume();
  await s.until((e) => e.some((x) => x.event === 'reset'), 20000);
  const reset = s.events.find((x) => x.event === 'reset');
  assert.equal(reset.data.reason, 'slow_consumer');
  // what came before the reset is whole frames; the ids after go on from since
  const before = s.changes().filter((e) => s.events.indexOf(e) < s.events.indexOf(reset));
  assert.ok(before.length < 1500);
  cluster.sql(`INSERT INTO items VALUES (5000, 'after')`);
  await s.until((e) => e.some((x) => x.data?.new?.id === 5000), 20000);
  // again, within the minute: reset, and the end
  s.req.socket.pause();
  cluster.sql(`INSERT INTO items SELECT i, repeat('y', 8000) FROM generate_series(6001, 7500) i`);
  await sleep(1000);
  s.req.socket.resume();
  await s.until((e, x) => x.closed, 20000);
  assert.equal(s.events.filter((x) => x.event === 'reset').length, 2);
  assert.ok(stat('pgrest_realtime_resets_total', '{"reason": "slow_consumer"}') >= 2);
  cluster.sql('DELETE FROM items');
  await noSubscribers();
});

test('an id the ring no longer holds: reset too_old', async () => {
  const s = await stream(url, '/items?select=id');
  await ready(s);
  cluster.sql(`INSERT INTO items VALUES (1, 'a')`);
  await s.waitFor(1);
  const id = s.changes()[0].id;
  s.close();
  // more than the 1 MB ring holds, in transactions below the cap
  for (let i = 0; i < 16; i++)
    cluster.sql(`INSERT INTO items SELECT g, '' FROM generate_series(${10 + i * 2000}, ${10 + i * 2000 + 1999}) g`);
  const r = await stream(url, '/items?select=id', { headers: { 'last-event-id': id } });
  await r.until((e) => e.some((x) => x.event === 'reset'));
  assert.equal(r.events.find((x) => x.event === 'reset').data.reason, 'too_old');
  r.close();
  cluster.sql('DELETE FROM items');
  await noSubscribers();
});

test('snapshot=include misses nothing committed while it starts', async () => {
  const writer = sqlAsync(cluster, `
    CREATE PROCEDURE write_items() LANGUAGE plpgsql AS $$
    BEGIN
      FOR i IN 1..600 LOOP
        INSERT INTO items VALUES (i, 'w');
        COMMIT;
        PERFORM pg_sleep(0.002);
      END LOOP;
    END $$;
    CALL write_items();`);
  const streams = [];
  for (let i = 0; i < 4; i++) {
    await sleep(150);
    const s = await stream(url, '/items?select=id', { headers: { prefer: 'snapshot=include' } });
    assert.equal(s.status, 200, s.body);
    streams.push(s);
  }
  await writer;
  for (const s of streams) {
    await s.until((events) => {
      const seen = new Set(events.filter((e) => e.event === 'snapshot' || e.event === 'insert').map((e) => e.data.new.id));
      return seen.size === 600;
    }, 20000);
    // snapshot rows, ready, then changes
    const readyAt = s.events.findIndex((e) => e.event === 'ready');
    assert.ok(s.events.slice(0, readyAt).every((e) => e.event === 'snapshot'));
    assert.ok(s.events.slice(readyAt + 1).every((e) => e.event === 'insert'));
    s.close();
  }
  cluster.sql('DELETE FROM items; DROP PROCEDURE write_items');
  await noSubscribers();
});

// an event id's place: its commit LSN, then its sequence
const place = (id) => {
  const [, lsn, seq] = id.split('-');
  return BigInt(`0x${lsn}`) * 1000000n + BigInt(seq);
};

test('a transaction past pgrest.realtime_max_tx_changes: one reset (too_many_changes) to its table\'s subscribers, live and resuming', async () => {
  const capped = () => stat('pgrest_realtime_capped_total');
  const c0 = capped();
  cluster.sql('ALTER SYSTEM SET pgrest.realtime_max_tx_changes = 50; SELECT pg_reload_conf()');
  // the decoder has the setting once a transaction of 51 rows is capped
  for (let i = 0; i < 100 && capped() === c0; i++) {
    cluster.sql('INSERT INTO probe SELECT generate_series(1, 51)');
    await sleep(100);
  }
  assert.ok(capped() > c0, 'the decoder did not take pgrest.realtime_max_tx_changes');
  const s = await stream(url, '/items?select=id');
  const o = await stream(url, '/others?select=id');
  await ready(s);
  await ready(o);
  cluster.sql('INSERT INTO items VALUES (1)');
  await s.waitFor(1);
  const before = s.changes()[0].id;
  // 100 rows of items and one of others in one transaction; then 50 rows
  // (the cap itself) and one more
  cluster.sql('BEGIN; INSERT INTO items SELECT generate_series(2, 101); INSERT INTO others VALUES (1); COMMIT');
  cluster.sql('INSERT INTO items SELECT generate_series(201, 250)');
  cluster.sql('INSERT INTO items VALUES (1000)');
  await s.until((e) => e.some((x) => x.data?.new?.id === 1000), 20000);
  const after = s.events.slice(s.events.findIndex((x) => x.id === before) + 1);
  const reset = after[0];
  assert.equal(reset.event, 'reset');
  assert.equal(reset.data.reason, 'too_many_changes');
  assert.equal(reset.id, reset.data.since);
  assert.ok(place(reset.data.since) > place(before));
  // none of the capped transaction's rows; all of the next one's, after it
  const rest = after.slice(1);
  assert.deepEqual(rest.map((x) => x.event), Array(51).fill('insert'));
  assert.deepEqual(rest.map((x) => x.data.new.id), [...Array(50).keys()].map((i) => 201 + i).concat(1000));
  assert.ok(rest.every((x) => place(x.id) > place(reset.data.since)));
  // the other table of that transaction streams as usual
  await o.waitFor(1);
  assert.deepEqual(o.events.filter((x) => x.event !== 'ready').map((x) => [x.event, x.data.new?.id]), [['insert', 1]]);
  // a client resuming from before the transaction gets the same reset
  const r = await stream(url, '/items?select=id', { headers: { 'last-event-id': before } });
  await r.until((e) => e.some((x) => x.data?.new?.id === 1000), 20000);
  const replay = r.events.filter((x) => x.event !== 'ready');
  assert.equal(replay[0].event, 'reset');
  assert.deepEqual(replay[0].data, reset.data);
  assert.equal(replay.length, 52);
  assert.ok(stat('pgrest_realtime_resets_total', '{"reason": "too_many_changes"}') >= 2);
  for (const x of [s, o, r]) x.close();
  cluster.sql('ALTER SYSTEM RESET pgrest.realtime_max_tx_changes; SELECT pg_reload_conf()');
  cluster.sql('DELETE FROM items; DELETE FROM others; TRUNCATE probe');
  await noSubscribers();
});

test('no CPU when nothing changes: the worker and the decoder sleep', async () => {
  cluster.sql("ALTER SYSTEM SET pgrest.realtime_heartbeat = '1h'; SELECT pg_reload_conf()");
  await sleep(300);
  const streams = [];
  for (let i = 0; i < 3; i++) streams.push(await stream(url, '/items?select=id'));
  for (const s of streams) await ready(s);
  // and one that resumed from behind, caught up, and is live now (the
  // role's fourth: pgrest.realtime_max_subscribers_per_role)
  cluster.sql(`INSERT INTO items VALUES (100, 'before')`);
  await streams[0].waitFor(1);
  cluster.sql(`INSERT INTO items VALUES (101, 'missed')`);
  await streams[0].waitFor(2);
  const resumed = await stream(url, '/items?select=id', { headers: { 'last-event-id': streams[0].changes()[0].id } });
  assert.equal(resumed.status, 200, resumed.body);
  await resumed.until((e) => e.some((x) => x.data?.new?.id === 101));
  streams.push(resumed);
  const [worker] = cluster.workers();
  const decoder = Number(cluster.sql("SELECT pid FROM pg_stat_activity WHERE backend_type = 'pgrest realtime decoder'").trim());
  await sleep(500);
  const w0 = cpuSeconds(worker);
  const d0 = decoder ? cpuSeconds(decoder) : 0;
  await sleep(3000);
  assert.ok(cpuSeconds(worker) - w0 <= 0.02, `worker used ${cpuSeconds(worker) - w0} s`);
  if (decoder) assert.ok(cpuSeconds(decoder) - d0 <= 0.02, `decoder used ${cpuSeconds(decoder) - d0} s`);
  // and a change still arrives at once
  cluster.sql(`INSERT INTO items VALUES (1, 'a')`);
  for (const s of streams) await s.until((e) => e.some((x) => x.data?.new?.id === 1));
  for (const s of streams) s.close();
  cluster.sql("ALTER SYSTEM SET pgrest.realtime_heartbeat = '200ms'; SELECT pg_reload_conf()");
  cluster.sql('DELETE FROM items');
  await noSubscribers();
});
