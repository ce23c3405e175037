// Streams under row-level security and column grants: two users on one
// table never see a row of the other, not even a deleted row's key; a
// column the role may not read refuses the stream as it refuses the GET;
// claims make cohorts; a token's exp ends its stream with PGRST303; DDL,
// policy, grant and publication changes while streaming.  Its own
// cluster of one worker (test/realtime.mjs), heartbeat 1 s.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRealtime, stream, token, sleep, realtimeExits } from './realtime.mjs';

let cluster;
let url;
const now = () => Math.floor(Date.now() / 1000);
const alice = () => token({ role: 'rt_user', sub: 'alice', exp: now() + 3600 });
const bob = () => token({ role: 'rt_user', sub: 'bob', exp: now() + 3600 });

before(async () => {
  cluster = await startRealtime({
    settings: { 'pgrest.workers': 1, 'pgrest.realtime_heartbeat': "'1s'" },
    sql: `
      CREATE ROLE rt_user NOLOGIN;
      GRANT rt_user TO hostile_authenticator;
      CREATE TABLE notes (id int PRIMARY KEY, owner text NOT NULL, body text, secret text);
      ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
      CREATE POLICY own ON notes USING (owner = current_setting('request.jwt.claims', true)::json->>'sub');
      GRANT SELECT (id, owner, body) ON notes TO rt_user;
      CREATE TABLE keyless_grant (id int PRIMARY KEY, body text);
      GRANT SELECT (body) ON keyless_grant TO rt_user;
      CREATE TABLE scratch (id int PRIMARY KEY, a text, b text);
      GRANT SELECT ON scratch TO hostile_anon;
      CREATE PUBLICATION pgrest_realtime FOR TABLE notes, keyless_grant, scratch;`,
  });
  url = cluster.url;
});
after(() => {
  const log = cluster?.stop() ?? '';
  assert.deepEqual(realtimeExits(log), [], 'a worker ended');
});

const ready = (s) => s.until((e) => e.some((x) => x.event === 'ready'));
const ids = (s, event) => s.changes().filter((e) => !event || e.event === event)
  .map((e) => (e.event === 'delete' ? e.data.old.id : e.data.new.id));

test('two users: each sees only the changes of its own rows, deletes included', async () => {
  const a = await stream(url, '/notes?select=id,owner,body', { token: alice() });
  const b = await stream(url, '/notes?select=id,owner,body', { token: bob() });
  assert.equal(a.status, 200, a.body);
  await ready(a);
  await ready(b);
  for (let i = 1; i <= 10; i++)
    cluster.sql(`INSERT INTO notes VALUES (${i}, '${i % 2 ? 'alice' : 'bob'}', 'note ${i}', 'secret ${i}')`);
  cluster.sql(`UPDATE notes SET body = body || '!'`);
  cluster.sql(`DELETE FROM notes WHERE id IN (1, 2, 3, 4)`);
  cluster.sql(`BEGIN; UPDATE notes SET owner = 'bob' WHERE id = 5; COMMIT;`);
  // a marker each can see ends the run
  cluster.sql(`INSERT INTO notes VALUES (100, 'alice', 'end', ''), (101, 'bob', 'end', '')`);
  await a.until((e) => e.some((x) => x.data?.new?.id === 100));
  await b.until((e) => e.some((x) => x.data?.new?.id === 101));
  for (const [s, owner, mine] of [[a, 'alice', [1, 3, 5, 7, 9]], [b, 'bob', [2, 4, 5, 6, 8, 10]]]) {
    for (const e of s.changes()) {
      if (e.event !== 'delete') assert.equal(e.data.new.owner, owner, JSON.stringify(e));
      assert.equal(e.data.new.secret, undefined);
    }
    assert.deepEqual(ids(s, 'insert').filter((id) => id < 100), mine.filter((id) => id !== 5 || owner === 'alice'));
  }
  // deletes: each its own keys, never the other's
  assert.deepEqual(ids(a, 'delete'), [1, 3]);
  assert.deepEqual(ids(b, 'delete'), [2, 4]);
  // row 5 moved to bob: alice gets nothing for it (it left her view),
  // bob gets the update that shows it to him
  assert.ok(ids(b, 'update').includes(5));
  assert.ok(!ids(a, 'update').includes(5) || a.changes().filter((e) => e.data.new?.id === 5).every((e) => e.data.new.owner === 'alice'));
  a.close();
  b.close();
  cluster.sql('DELETE FROM notes');
});

test('under RLS, a delete is sent for the rows the stream sent: snapshot rows count', async () => {
  cluster.sql(`INSERT INTO notes VALUES (20, 'alice', 'old', ''), (21, 'bob', 'old', '')`);
  // (other claims: its own cohort; a cohort's streams share what they sent)
  const plain = await stream(url, '/notes?select=id',
    { token: token({ role: 'rt_user', sub: 'alice', exp: now() + 3000 }) });
  const snap = await stream(url, '/notes?select=id', { token: alice(), headers: { prefer: 'snapshot=include' } });
  await ready(plain);
  await ready(snap);
  assert.deepEqual(snap.events.filter((e) => e.event === 'snapshot').map((e) => e.data.new.id), [20]);
  cluster.sql('DELETE FROM notes WHERE id IN (20, 21)');
  cluster.sql(`INSERT INTO notes VALUES (22, 'alice', 'end', '')`);
  await snap.until((e) => e.some((x) => x.data?.new?.id === 22));
  await plain.until((e) => e.some((x) => x.data?.new?.id === 22));
  assert.deepEqual(ids(snap, 'delete'), [20]);
  // the plain stream never sent row 20: it does not learn the key
  assert.deepEqual(ids(plain, 'delete'), []);
  plain.close();
  snap.close();
  cluster.sql('DELETE FROM notes');
});

test('column grants: a stream naming a column the role may not read is refused as the GET', async () => {
  for (const select of ['id,secret', '*']) {
    const s = await stream(url, `/notes?select=${select}`, { token: alice() });
    await s.until((e, x) => x.closed, 5000);
    const g = await fetch(new URL(`/notes?select=${select}`, url), { headers: { authorization: `Bearer ${alice()}` } });
    assert.equal(s.status, g.status, select);
    assert.equal(s.status, 403);
    assert.equal(JSON.parse(s.body).code, '42501');
  }
  // the primary key must be readable: it names the rows (and DELETE keys)
  const k = await stream(url, '/keyless_grant?select=body', { token: alice() });
  await k.until((e, x) => x.closed, 5000);
  assert.equal(k.status, 403);
});

test('a grant revoked while streaming ends the stream with the error', async () => {
  cluster.sql('GRANT SELECT ON scratch TO rt_user');
  const s = await stream(url, '/scratch?select=id,a', { token: alice() });
  await ready(s);
  cluster.sql(`INSERT INTO scratch VALUES (1, 'x', 'y')`);
  await s.waitFor(1);
  cluster.sql('REVOKE SELECT ON scratch FROM rt_user; GRANT SELECT (id, b) ON scratch TO rt_user');
  cluster.sql(`DELETE FROM scratch WHERE id = 1`);
  await s.until((e, x) => x.closed, 5000);
  const error = s.events.find((e) => e.event === 'error');
  assert.equal(error.data.code, '42501');
  assert.deepEqual(s.changes().map((e) => e.event), ['insert']);
  cluster.sql('REVOKE ALL ON scratch FROM rt_user');
});

test('claims make cohorts: the same role with other claims sees other rows', async () => {
  const streams = [];
  for (const sub of ['alice', 'bob', 'carol', 'alice']) {
    const s = await stream(url, '/notes?select=id,owner', { token: token({ role: 'rt_user', sub, exp: now() + 3600 }) });
    await ready(s);
    streams.push([sub, s]);
  }
  const cohorts = Number(cluster.sql(`SELECT value FROM pgrest.stats() WHERE name = 'pgrest_realtime_cohorts'`).trim());
  assert.ok(cohorts >= 3, `${cohorts} cohorts`);
  cluster.sql(`INSERT INTO notes VALUES (30, 'alice', 'a', ''), (31, 'bob', 'b', ''), (32, 'carol', 'c', '')`);
  for (const [sub, s] of streams) {
    await s.waitFor(1);
    await sleep(200);
    assert.deepEqual(s.changes().map((e) => e.data.new.owner), [sub]);
    s.close();
  }
  cluster.sql('DELETE FROM notes');
});

test('a token that expires ends its stream with an error event, PGRST303', async () => {
  // accepted within the 30 s of clock skew, expired 3 s later
  const s = await stream(url, '/notes?select=id', { token: token({ role: 'rt_user', sub: 'alice', exp: now() - 27 }) });
  assert.equal(s.status, 200, s.body);
  await ready(s);
  await s.until((e, x) => x.closed, 10000);
  const error = s.events.at(-1);
  assert.equal(error.event, 'error');
  assert.equal(error.data.code, 'PGRST303');
  assert.equal(error.data.message, 'JWT expired');
});

test('a policy changed while streaming applies to the next change', async () => {
  const s = await stream(url, '/notes?select=id', { token: alice() });
  await ready(s);
  cluster.sql(`INSERT INTO notes VALUES (40, 'alice', 'a', '')`);
  await s.waitFor(1);
  cluster.sql(`ALTER POLICY own ON notes USING (owner = current_setting('request.jwt.claims', true)::json->>'sub' AND body <> 'hidden')`);
  cluster.sql(`INSERT INTO notes VALUES (41, 'alice', 'hidden', ''), (42, 'alice', 'shown', '')`);
  await s.until((e) => e.some((x) => x.data?.new?.id === 42));
  assert.deepEqual(ids(s, 'insert'), [40, 42]);
  s.close();
  cluster.sql(`ALTER POLICY own ON notes USING (owner = current_setting('request.jwt.claims', true)::json->>'sub')`);
  cluster.sql('DELETE FROM notes');
});

test('a column of select= dropped while streaming ends the stream with the error', async () => {
  cluster.sql('GRANT SELECT ON scratch TO hostile_anon');
  const s = await stream(url, '/scratch?select=id,b');
  const t = await stream(url, '/scratch?select=id');
  await ready(s);
  await ready(t);
  cluster.sql('ALTER TABLE scratch DROP COLUMN b');
  cluster.sql(`INSERT INTO scratch VALUES (2, 'x')`);
  await s.until((e, x) => x.closed, 5000);
  assert.equal(s.events.at(-1).event, 'error');
  assert.equal(s.events.at(-1).data.code, '42703');
  // a stream that does not read the column goes on
  await t.waitFor(1);
  assert.equal(t.closed, false);
  t.close();
});

test('a table dropped, or taken out of the publication, ends its streams', async () => {
  cluster.sql(`CREATE TABLE gone (id int PRIMARY KEY); CREATE TABLE leaving (id int PRIMARY KEY);
               GRANT SELECT ON gone, leaving TO hostile_anon;
               ALTER PUBLICATION pgrest_realtime ADD TABLE gone, leaving;`);
  const g = await stream(url, '/gone');
  const l = await stream(url, '/leaving');
  assert.equal(g.status, 200, g.body);
  await ready(g);
  await ready(l);
  cluster.sql('DROP TABLE gone');
  cluster.sql('ALTER PUBLICATION pgrest_realtime DROP TABLE leaving');
  await g.until((e, x) => x.closed, 10000);
  await l.until((e, x) => x.closed, 10000);
  assert.equal(g.events.at(-1).data.code, 'PGRST205');
  assert.equal(l.events.at(-1).data.code, 'PGRST521');
  const again = await stream(url, '/leaving');
  await again.until((e, x) => x.closed, 5000);
  assert.equal(again.status, 400);
  cluster.sql('ALTER PUBLICATION pgrest_realtime ADD TABLE leaving');
  const back = await stream(url, '/leaving');
  assert.equal(back.status, 200);
  await ready(back);
  cluster.sql('INSERT INTO leaving VALUES (1)');
  await back.waitFor(1);
  back.close();
});
