// Writes through the real @supabase/postgrest-js client, and the table's
// contents after every request that fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PostgrestClient } from '@supabase/postgrest-js';

const db = new PostgrestClient(process.env.PGREST_URL, { schema: 'api' });
const url = (path) => `${process.env.PGREST_URL}${path}`;

async function tasks() {
  const { data, error } = await db.from('tasks').select('id,project_id,title,done,points').order('id');
  assert.equal(error, null);
  return data;
}

test('insert one object and many, with and without select', async () => {
  let r = await db.from('tasks').insert({ id: 1, project_id: 1, title: 'parse' });
  assert.equal(r.error, null);
  assert.equal(r.status, 201);
  assert.equal(r.data, null);
  r = await db.from('tasks').insert([
    { id: 2, project_id: 1, title: 'plan', points: 3 },
    { id: 3, project_id: 2, title: 'write', points: 5 },
  ]).select('id,title,done');
  assert.equal(r.status, 201);
  assert.deepEqual(r.data, [
    { id: 2, title: 'plan', done: false },
    { id: 3, title: 'write', done: false },
  ]);
  r = await db.from('tasks').insert({ id: 4, title: 'single' }).select('title').single();
  assert.deepEqual(r.data, { title: 'single' });
  r = await db.from('tasks').insert({ id: 5, title: 'counted' }, { count: 'exact' });
  assert.equal(r.count, 1);
});

test('upsert, on a key and ignoring duplicates', async () => {
  let r = await db.from('tasks').upsert({ id: 1, project_id: 1, title: 'parse it all' }).select('id,title');
  assert.equal(r.error, null);
  assert.equal(r.status, 200);
  assert.deepEqual(r.data, [{ id: 1, title: 'parse it all' }]);
  r = await db.from('tasks').upsert([{ id: 1, title: 'ignored' }, { id: 6, title: 'new' }], { ignoreDuplicates: true }).select('id,title');
  assert.equal(r.status, 201);
  assert.deepEqual(r.data, [{ id: 6, title: 'new' }]);
  r = await db.from('projects').upsert({ id: 7, name: 'web' }, { onConflict: 'name' }).select();
  assert.equal(r.status, 201);
  r = await db.from('projects').upsert([{ id: 7, name: 'web' }], { onConflict: 'name' }).select();
  assert.equal(r.status, 200);
  assert.deepEqual(r.data, [{ id: 7, name: 'web' }]);
  const projects = await db.from('projects').select().in('id', [1, 2, 7]).order('id');
  assert.deepEqual(projects.data, [{ id: 1, name: 'pgrest' }, { id: 2, name: 'docs' }, { id: 7, name: 'web' }]);
});

test('update and delete with filters', async () => {
  let r = await db.from('tasks').update({ done: true }).in('id', [2, 3]).select('id,done').order('id');
  assert.equal(r.status, 200);
  assert.deepEqual(r.data, [{ id: 2, done: true }, { id: 3, done: true }]);
  r = await db.from('tasks').update({ points: 1 }, { count: 'exact' }).is('points', null);
  assert.equal(r.status, 204);
  assert.equal(r.count, 4);
  r = await db.from('tasks').delete().eq('id', 6).select('id');
  assert.deepEqual(r.data, [{ id: 6 }]);
  r = await db.from('tasks').delete({ count: 'exact' }).gt('id', 100);
  assert.equal(r.count, 0);
  assert.deepEqual((await tasks()).map((t) => t.id), [1, 2, 3, 4, 5]);
});

test('failed writes return PostgREST error objects and change nothing', async () => {
  const before = await tasks();
  const failures = [
    [db.from('tasks').insert({ id: 1, title: 'duplicate key' }), 409, '23505'],
    [db.from('tasks').insert({ id: 10, title: null }), 400, '23502'],
    [db.from('tasks').insert({ id: 10, title: '' }), 400, '23514'],
    [db.from('tasks').insert({ id: 10, title: 'x', points: 'many' }), 400, '22P02'],
    [db.from('tasks').insert({ id: 10, title: 'x', nope: 1 }), 400, 'PGRST204'],
    [db.from('tasks').insert([{ id: 10, title: 'ok' }, { id: 11, title: null }]), 400, '23502'],
    [db.from('tasks').update({ title: null }).eq('id', 1), 400, '23502'],
    [db.from('nope').insert({ id: 1 }), 404, 'PGRST205'],
    [db.from('tasks').insert({ id: 12, title: 'two' }).select().single().gt('id', 0), null, null],
  ];
  for (const [query, status, code] of failures) {
    const r = await query;
    if (status === null) continue; // the last one is fine: one row
    assert.equal(r.status, status, JSON.stringify(r.error));
    assert.equal(r.error.code, code);
    assert.ok(typeof r.error.message === 'string' && r.error.message.length > 0);
  }
  await db.from('tasks').delete().eq('id', 12);
  assert.deepEqual(await tasks(), before);
});

test('a deferred foreign key fails at commit, and the insert is undone', async () => {
  const before = await tasks();
  const r = await db.from('tasks').insert({ id: 20, project_id: 99, title: 'orphan' });
  assert.equal(r.status, 409);
  assert.equal(r.error.code, '23503');
  assert.deepEqual(await tasks(), before);
});

test('Prefer: tx=rollback answers as usual and keeps nothing', async () => {
  const before = await tasks();
  const r = await db.from('tasks').insert({ id: 30, title: 'trial' }).select('id').rollback();
  assert.equal(r.status, 201);
  assert.deepEqual(r.data, [{ id: 30 }]);
  assert.deepEqual(await tasks(), before);
});

test('max-affected refuses a write that touches too many rows', async () => {
  const before = await tasks();
  const r = await db.from('tasks').update({ done: false }).gt('id', 0).maxAffected(2);
  assert.equal(r.status, 400);
  assert.equal(r.error.code, 'PGRST124');
  assert.deepEqual(await tasks(), before);
});

test('raw HTTP: CSV bodies, Location, /<table>/<key>, 415', async () => {
  let res = await fetch(url('/tasks'), {
    method: 'POST',
    headers: { 'Content-Type': 'text/csv', Prefer: 'return=headers-only' },
    body: 'id,title\n40,from csv\n',
  });
  assert.equal(res.status, 201);
  assert.equal(res.headers.get('location'), '/tasks?id=eq.40');
  res = await fetch(url('/tasks/40'), {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/json', Prefer: 'return=representation' },
    body: JSON.stringify({ points: 8 }),
  });
  assert.equal(res.status, 200);
  assert.deepEqual((await res.json()).map((t) => t.points), [8]);
  res = await fetch(url('/tasks/41'), { method: 'DELETE' });
  assert.equal(res.status, 404);
  res = await fetch(url('/tasks/40'), { method: 'DELETE' });
  assert.equal(res.status, 204);
  res = await fetch(url('/tasks'), { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x' });
  assert.equal(res.status, 415);
  assert.equal((await res.json()).code, 'PGRST102');
});
