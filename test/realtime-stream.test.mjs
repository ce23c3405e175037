// Streams of table changes (Accept: text/event-stream): what a stream
// sends for each kind of change, the ready and snapshot events, its ids;
// every filter family and select= shaping compared with the same GET;
// Prefer: realtime=; the refusals a GET-like request gets before the
// first byte; resuming with Last-Event-ID, and the resets when it cannot
// be resumed from; /metrics.  Its own cluster of one worker with
// wal_level = logical (test/realtime.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRealtime, stream, token, compareIds, sleep, realtimeExits } from './realtime.mjs';

let cluster;
let url;
before(async () => {
  cluster = await startRealtime({
    settings: { 'pgrest.workers': 1, 'pgrest.realtime_heartbeat': "'1s'" },
    sql: `
      CREATE TABLE lists (id int PRIMARY KEY, title text);
      CREATE TABLE todos (id int PRIMARY KEY, task text NOT NULL, done bool DEFAULT false,
                          list_id int REFERENCES lists, tags text[], span int4range,
                          doc jsonb, words tsvector, score numeric, n int);
      CREATE FUNCTION shout(todos) RETURNS text LANGUAGE sql STABLE AS $$ SELECT upper($1.task) $$;
      CREATE TABLE pairs (a int, b text, note text, PRIMARY KEY (a, b));
      CREATE TABLE nokey (id int, note text);
      CREATE TABLE elsewhere (id int PRIMARY KEY);
      CREATE VIEW todo_view AS SELECT * FROM todos;
      GRANT SELECT, INSERT, UPDATE, DELETE ON lists, todos, pairs, nokey, elsewhere, todo_view TO hostile_anon;
      INSERT INTO lists VALUES (1, 'home'), (2, 'work');
      CREATE PUBLICATION pgrest_realtime FOR TABLE lists, todos, pairs, nokey;`,
  });
  url = cluster.url;
});
after(() => {
  const log = cluster?.stop() ?? '';
  assert.deepEqual(realtimeExits(log), [], 'a worker ended');
});

const get = async (path) => (await fetch(new URL(path, url))).json();

test('a stream is 200 text/event-stream, starts with ready, and sends each kind of change', async () => {
  const s = await stream(url, '/todos?select=id,task,done');
  assert.equal(s.status, 200);
  assert.match(s.headers['content-type'], /^text\/event-stream/);
  assert.equal(s.headers['cache-control'], 'no-store');
  await s.until((e) => e.some((x) => x.event === 'ready'));
  const ready = s.events.find((x) => x.event === 'ready');
  assert.equal(ready.data.since, ready.id);
  assert.match(s.raw, /^retry: 2000\n\n/);

  cluster.sql(`INSERT INTO todos (id, task) VALUES (1, 'one')`);
  cluster.sql(`UPDATE todos SET done = true WHERE id = 1`);
  cluster.sql(`DELETE FROM todos WHERE id = 1`);
  cluster.sql(`INSERT INTO todos (id, task) VALUES (2, 'two')`);
  cluster.sql(`TRUNCATE todos`);
  await s.waitFor(5);
  const changes = s.changes();
  assert.deepEqual(changes.map((e) => e.event), ['insert', 'update', 'delete', 'insert', 'truncate']);
  assert.deepEqual(changes.map((e) => e.data.eventType), ['INSERT', 'UPDATE', 'DELETE', 'INSERT', 'TRUNCATE']);
  assert.deepEqual(changes[0].data.new, { id: 1, task: 'one', done: false });
  assert.deepEqual(changes[0].data.old, {});
  assert.deepEqual(changes[1].data.new, { id: 1, task: 'one', done: true });
  assert.deepEqual(changes[1].data.old, { id: 1 });
  assert.deepEqual(changes[2].data.new, {});
  assert.deepEqual(changes[2].data.old, { id: 1 });
  assert.deepEqual(changes[4].data.new, {});
  assert.deepEqual(changes[4].data.old, {});
  for (const c of changes) {
    assert.equal(c.data.schema, 'public');
    assert.equal(c.data.table, 'todos');
    assert.match(c.data.commit_timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  }
  // ids increase, after ready's
  let last = ready.id;
  for (const c of changes) {
    assert.ok(compareIds(c.id, last) > 0, `${c.id} after ${last}`);
    last = c.id;
  }
  s.close();
});

test('the rows of one transaction: one event per row, the row as it is when sent', async () => {
  const s = await stream(url, '/todos?select=id,task');
  await s.until((e) => e.some((x) => x.event === 'ready'));
  cluster.sql(`BEGIN;
    INSERT INTO todos (id, task) VALUES (10, 'ten'), (11, 'eleven'), (12, 'twelve');
    UPDATE todos SET task = 'TEN' WHERE id = 10;
    DELETE FROM todos WHERE id = 11;
    COMMIT;`);
  cluster.sql(`BEGIN; DELETE FROM todos WHERE id = 12; INSERT INTO todos (id, task) VALUES (12, 'again'); COMMIT;`);
  await s.waitFor(3);
  await sleep(300);
  const changes = s.changes();
  // 10: inserted and updated (one insert); 11: inserted and deleted
  // (nothing); 12: inserted, then deleted and inserted again (an update)
  // (ordered by id: an event's id is its row's last change's)
  assert.deepEqual(changes.map((e) => [e.event, e.data.new.id]), [['insert', 12], ['insert', 10], ['update', 12]]);
  assert.equal(changes[1].data.new.task, 'TEN');
  assert.equal(changes[2].data.new.task, 'again');
  s.close();
  cluster.sql('DELETE FROM todos');
});

test('Prefer: realtime= chooses the events', async () => {
  const s = await stream(url, '/todos?select=id', { headers: { prefer: 'realtime=insert,delete' } });
  const q = await stream(url, '/todos?select=id', { headers: { prefer: 'realtime="update"' } });
  await s.until((e) => e.some((x) => x.event === 'ready'));
  await q.until((e) => e.some((x) => x.event === 'ready'));
  cluster.sql(`INSERT INTO todos (id, task) VALUES (20, 'x')`);
  cluster.sql(`UPDATE todos SET task = 'y' WHERE id = 20`);
  cluster.sql(`DELETE FROM todos WHERE id = 20`);
  await s.waitFor(2);
  await q.waitFor(1);
  await sleep(300);
  assert.deepEqual(s.changes().map((e) => e.event), ['insert', 'delete']);
  assert.deepEqual(q.changes().map((e) => e.event), ['update']);
  s.close();
  q.close();
});

test('every filter family sends the rows the same GET returns', async () => {
  const filters = [
    'n=eq.3', 'n=neq.3', 'n=gt.5', 'n=gte.5', 'n=lt.2', 'n=lte.2', 'task=like.*an*', 'task=ilike.*AN*',
    'task=match.^b', 'task=imatch.^B', 'n=in.(1,4,7)', 'done=is.true', 'done=is.null', 'done=isdistinct.true',
    'words=fts.apple', 'words=plfts.green apple', 'words=phfts.green apple', 'words=wfts.apple -green',
    'tags=cs.{a}', 'tags=cd.{a,b,c}', 'tags=ov.{c,d}', 'span=sl.[20,30)', 'span=sr.[0,3)', 'span=nxr.[0,5)',
    'span=nxl.[5,9)', 'span=adj.[10,12)', 'n=not.eq.3', 'or=(n.eq.1,n.eq.8)', 'and=(n.gt.1,n.lt.4)',
    'not.or=(n.lt.3,n.gt.6)', 'task=like(any).{a*,b*}', 'task=like(all).{*a*,*n*}', 'n=eq(any).{2,6}',
    'doc->>k=eq.v2', 'doc->n=gt.4', 'score=eq.1.50', 'list_id=eq.2',
    'select=id,lists!inner(id)&lists.title=eq.work', 'select=id,lists(id)&lists=is.null',
  ];
  const query = (f) => (f.startsWith('select=') ? f : `select=id&${f}`);
  const streams = [];
  for (const f of filters) {
    const s = await stream(url, `/todos?${query(f)}`);
    assert.equal(s.status, 200, `${f}: ${s.body}`);
    streams.push(s);
  }
  for (const s of streams) await s.until((e) => e.some((x) => x.event === 'ready'));
  const rows = [];
  for (let i = 1; i <= 9; i++) {
    rows.push(`(${100 + i}, '${['apple', 'banana', 'cherry', 'bandana'][i % 4]} ${i}', ${i % 3 === 0 ? 'NULL' : i % 2 === 0},
      ${i % 2 + 1}, '${['{a}', '{a,b}', '{c}', '{d,e}'][i % 4]}'::text[], int4range(${i}, ${i + 3}),
      '{"k": "v${i % 3}", "n": ${i}}'::jsonb, to_tsvector('${i % 2 ? 'green apple' : 'red apple'}'),
      ${i % 4 === 0 ? '1.5' : '2.25'}, ${i})`);
  }
  cluster.sql(`INSERT INTO todos (id, task, done, list_id, tags, span, doc, words, score, n)
    VALUES ${rows.join(',')}`);
  // a stream's marker: every stream then has all it will get
  cluster.sql(`INSERT INTO lists VALUES (99, 'marker')`);
  for (let i = 0; i < filters.length; i++) {
    const f = filters[i];
    const expected = (await get(`/todos?${query(f)}&order=id`)).map((r) => r.id);
    const s = streams[i];
    await s.until((events) => {
      const ids = new Set(events.filter((e) => e.event === 'insert').map((e) => e.data.new.id));
      return expected.every((id) => ids.has(id));
    }, 10000).catch(() => {});
    await sleep(100);
    const got = s.changes().filter((e) => e.event === 'insert').map((e) => e.data.new.id).sort((a, b) => a - b);
    assert.deepEqual(got, expected, `${f}`);
  }
  for (const s of streams) s.close();
  cluster.sql('DELETE FROM todos; DELETE FROM lists WHERE id = 99');
});

test('select= shapes the rows as the same GET: renames, casts, JSON paths, computed fields, embeds', async () => {
  const select = 'key:id,task::text,label:doc->>k,n:doc->n,shout,done,lists(title)';
  const s = await stream(url, `/todos?select=${select}`);
  await s.until((e) => e.some((x) => x.event === 'ready'));
  cluster.sql(`INSERT INTO todos (id, task, list_id, doc) VALUES (30, 'shaped', 2, '{"k": "kv", "n": [1]}')`);
  cluster.sql(`UPDATE todos SET task = 'reshaped' WHERE id = 30`);
  await s.waitFor(2);
  const [expected] = await get(`/todos?select=${select}&id=eq.30`);
  assert.deepEqual(s.changes()[1].data.new, expected);
  assert.deepEqual(Object.keys(s.changes()[1].data.new), ['key', 'task', 'label', 'n', 'shout', 'done', 'lists']);
  s.close();
  cluster.sql('DELETE FROM todos');
});

test('a composite primary key: the rows by their key, DELETE with both columns', async () => {
  const s = await stream(url, '/pairs?select=note');
  await s.until((e) => e.some((x) => x.event === 'ready'));
  cluster.sql(`INSERT INTO pairs VALUES (1, 'x', 'first'), (1, 'y', 'second'), (2, 'x', 'third')`);
  cluster.sql(`UPDATE pairs SET note = 'changed' WHERE a = 1 AND b = 'y'`);
  cluster.sql(`DELETE FROM pairs WHERE a = 2`);
  await s.waitFor(5);
  assert.deepEqual(s.changes().map((e) => [e.event, e.data.new, e.data.old]), [
    ['insert', { note: 'first' }, {}], ['insert', { note: 'second' }, {}], ['insert', { note: 'third' }, {}],
    ['update', { note: 'changed' }, { a: 1, b: 'y' }], ['delete', {}, { a: 2, b: 'x' }]]);
  s.close();
});

test('Prefer: snapshot=include sends the rows first, then ready, then changes', async () => {
  cluster.sql(`INSERT INTO todos (id, task, done) VALUES (40, 'a', false), (41, 'b', true), (42, 'c', false)`);
  const s = await stream(url, '/todos?select=id,task&done=is.false', { headers: { prefer: 'snapshot=include' } });
  await s.until((e) => e.some((x) => x.event === 'ready'));
  cluster.sql(`INSERT INTO todos (id, task) VALUES (43, 'd')`);
  await s.waitFor(1);
  assert.deepEqual(s.events.map((e) => e.event), ['snapshot', 'snapshot', 'ready', 'insert']);
  assert.deepEqual(s.events.slice(0, 2).map((e) => e.data.new).sort((a, b) => a.id - b.id),
    [{ id: 40, task: 'a' }, { id: 42, task: 'c' }]);
  assert.equal(s.events[0].data.eventType, 'SNAPSHOT');
  s.close();
  cluster.sql('DELETE FROM todos');
});

test('refusals before the first byte, as PostgREST errors', async () => {
  const cases = [
    ['/todos?order=id', 400, 'PGRST520'],
    ['/todos?limit=1', 400, 'PGRST520'],
    ['/todos?offset=1', 400, 'PGRST520'],
    ['/todos?select=id.count()', 400, 'PGRST123'],
    ['/nothere', 404, 'PGRST205'],
    ['/todos?nope=eq.1', 400, '42703'],
    ['/todos?select=id,nope', 400, '42703'],
    ['/todos?id=eq.notanumber', 400, '22P02'],
    ['/nokey', 400, 'PGRST521'],
    ['/elsewhere', 400, 'PGRST521'],
    ['/todo_view', 400, 'PGRST521'],
  ];
  for (const [path, status, code] of cases) {
    const s = await stream(url, path);
    await s.until((e, x) => x.closed, 5000);
    assert.equal(s.status, status, `${path}: ${s.body}`);
    assert.equal(JSON.parse(s.body).code, code, path);
    assert.match(s.headers['content-type'], /application\/json/);
  }
  const ranged = await stream(url, '/todos', { headers: { range: '0-1' } });
  await ranged.until((e, x) => x.closed, 5000);
  assert.equal(ranged.status, 400);
  const posted = await fetch(new URL('/todos', url), {
    method: 'POST', headers: { accept: 'text/event-stream', 'content-type': 'application/json' }, body: '{}' });
  assert.equal(posted.status, 406);
  // a role without the privilege: 401 anonymous, 403 with a token
  cluster.sql('CREATE ROLE rt_nobody NOLOGIN; GRANT rt_nobody TO hostile_authenticator');
  const denied = await stream(url, '/todos', { token: token({ role: 'rt_nobody' }) });
  await denied.until((e, x) => x.closed, 5000);
  assert.equal(denied.status, 403);
  assert.equal(JSON.parse(denied.body).code, '42501');
});

test('Last-Event-ID resumes after a dropped connection: what was missed, in order, nothing twice', async () => {
  const s = await stream(url, '/todos?select=id');
  await s.until((e) => e.some((x) => x.event === 'ready'));
  cluster.sql(`INSERT INTO todos (id, task) VALUES (50, 'a')`);
  await s.waitFor(1);
  const lastId = s.changes()[0].id;
  s.close();
  cluster.sql(`INSERT INTO todos (id, task) VALUES (51, 'b')`);
  cluster.sql(`UPDATE todos SET task = 'c' WHERE id = 50`);
  const r = await stream(url, '/todos?select=id', { headers: { 'last-event-id': lastId } });
  await r.waitFor(2);
  cluster.sql(`INSERT INTO todos (id, task) VALUES (52, 'd')`);
  await r.waitFor(3);
  assert.deepEqual(r.events.map((e) => e.event), ['ready', 'insert', 'update', 'insert']);
  assert.equal(r.events[0].data.since, lastId);
  assert.deepEqual(r.changes().map((e) => e.data.new.id), [51, 50, 52]);
  assert.ok(compareIds(r.changes()[0].id, lastId) > 0);
  r.close();
  cluster.sql('DELETE FROM todos');
});

test('an id that cannot be resumed from: ready, then reset (too_old or new_epoch), then changes', async () => {
  const epoch = cluster.sql('SELECT epoch FROM pgrest.realtime_status()').trim();
  const other = epoch === '00000001' ? '00000002' : '00000001';
  for (const [id, reason] of [[`${epoch}-0000000000000010-0`, 'too_old'], [`${other}-0000000001000000-0`, 'new_epoch'], ['garbage', 'too_old']]) {
    const s = await stream(url, '/todos?select=id', { headers: { 'last-event-id': id } });
    await s.until((e) => e.some((x) => x.event === 'reset'));
    assert.deepEqual(s.events.map((e) => e.event), ['ready', 'reset'], id);
    const reset = s.events[1];
    assert.equal(reset.data.reason, reason);
    assert.equal(reset.data.since, s.events[0].id);
    cluster.sql(`INSERT INTO todos (id, task) VALUES (60, 'x')`);
    await s.waitFor(1);
    s.close();
    cluster.sql('DELETE FROM todos');
  }
});

test('heartbeats: a comment line when nothing changes', async () => {
  const s = await stream(url, '/todos?select=id');
  await s.until((e, x) => x.comments >= 2, 5000);
  s.close();
});

test('/metrics and pgrest.stats() count subscribers, events and resets', async () => {
  const stat = (name, labels = '{}') => Number(cluster.sql(
    `SELECT value FROM pgrest.stats() WHERE name = '${name}' AND labels = '${labels}'::jsonb`).trim());
  // the streams of the tests before are gone (a closed stream is seen at
  // its next heartbeat, 1 s here)
  for (let i = 0; i < 50 && stat('pgrest_realtime_subscribers') !== 0; i++) await sleep(100);
  const s = await stream(url, '/todos?select=id');
  const t = await stream(url, '/todos?select=id');
  await s.until((e) => e.some((x) => x.event === 'ready'));
  await t.until((e) => e.some((x) => x.event === 'ready'));
  assert.equal(stat('pgrest_realtime_subscribers'), 2);
  assert.equal(stat('pgrest_realtime_cohorts'), 1);
  const before = stat('pgrest_realtime_events_total');
  cluster.sql(`INSERT INTO todos (id, task) VALUES (70, 'x')`);
  await s.waitFor(1);
  await t.waitFor(1);
  assert.equal(stat('pgrest_realtime_events_total'), before + 2);
  assert.ok(stat('pgrest_realtime_resets_total', '{"reason": "too_old"}') >= 2);
  s.close();
  t.close();
  await sleep(300);
  // the server sees them go at its next heartbeat at the latest
  for (let i = 0; i < 50 && stat('pgrest_realtime_subscribers') !== 0; i++) await sleep(100);
  assert.equal(stat('pgrest_realtime_subscribers'), 0);
  cluster.sql('DELETE FROM todos');
});
