// RPC through the real @supabase/postgrest-js client: .rpc().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PostgrestClient } from '@supabase/postgrest-js';

const db = new PostgrestClient(process.env.PGREST_URL, { schema: 'api' });

test('rpc with arguments, by POST and by GET', async () => {
  let r = await db.rpc('add_them', { a: 1, b: 2 });
  assert.equal(r.error, null);
  assert.equal(r.data, 3);
  r = await db.rpc('add_them', { a: 5, b: 6 }, { get: true });
  assert.equal(r.data, 11);
});

test('rpc results take filters, order and range', async () => {
  let r = await db.rpc('films_since', { y: 1980 }).select('id,title').gt('rating', 8).order('id', { ascending: false });
  assert.equal(r.error, null);
  assert.deepEqual(r.data, [{ id: 2, title: 'Amélie' }]);
  r = await db.rpc('films_since', { y: 1900 }).select('id').order('id').range(1, 2);
  assert.deepEqual(r.data, [{ id: 2 }, { id: 3 }]);
  r = await db.rpc('films_since', { y: 1900 }, { head: true, count: 'exact' });
  assert.equal(r.count, 4);
  assert.equal(r.data, null);
  r = await db.rpc('films_since', { y: 2020 }).select('title').single();
  assert.deepEqual(r.data, { title: 'Dune' });
});

test('a volatile function writes by POST; by GET it runs read only, so its write fails', async () => {
  let r = await db.rpc('add_project', { name: 'rpc' }).select('name');
  assert.equal(r.error, null);
  assert.deepEqual(r.data, { name: 'rpc' });
  r = await db.rpc('add_project', { name: 'never' }, { get: true });
  assert.equal(r.status, 405);
  assert.equal(r.error.code, '25006');
  assert.equal(r.error.message, 'cannot execute INSERT in a read-only transaction');
  const { data } = await db.from('projects').select('name').eq('name', 'never');
  assert.deepEqual(data, []);
});

test('rpc errors', async () => {
  let r = await db.rpc('nope', {});
  assert.equal(r.status, 404);
  assert.equal(r.error.code, 'PGRST202');
  r = await db.rpc('add_them', { a: 'one', b: 2 });
  assert.equal(r.status, 400);
  assert.equal(r.error.code, '22P02');
});

test('rpc(): a single unnamed json parameter takes the whole body; overloads and missing functions as PostgREST words them', async () => {
  let r = await db.rpc('echo_json', { any: ['shape', 1] });
  assert.equal(r.error, null);
  assert.deepEqual(r.data, { any: ['shape', 1] });

  r = await db.rpc('pick', { a: 1 });
  assert.equal(r.status, 300);
  assert.equal(r.error.code, 'PGRST203');
  assert.equal(r.error.message,
    'Could not choose the best candidate function between: api.pick(a => integer), api.pick(a => integer, b => integer)');

  r = await db.rpc('add_them', { a: 1 });
  assert.equal(r.status, 404);
  assert.equal(r.error.code, 'PGRST202');
  assert.equal(r.error.message, 'Could not find the function api.add_them(a) in the schema cache');
  assert.equal(r.error.details,
    'Searched for the function api.add_them with parameter a or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.');
  assert.equal(r.error.hint, 'Perhaps you meant to call the function api.add_them(a, b)');
});

test('RAISE SQLSTATE \'PGRST\' chooses the error; response.status and response.headers the success', async () => {
  let r = await db.rpc('pay', { plan: 'free' });
  assert.equal(r.status, 402);
  assert.equal(r.data, null);
  assert.deepEqual(r.error, {
    code: '123', details: 'Quota exceeded', hint: 'Upgrade your plan', message: 'Payment Required',
  });
  let res = await fetch(`${process.env.PGREST_URL}/rpc/pay`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', 'Accept-Profile': 'api', 'Content-Profile': 'api' },
    body: '{"plan": "free"}',
  });
  assert.equal(res.headers.get('x-powered-by'), 'pgrest');

  r = await db.rpc('pay', { plan: 'pro' });
  assert.equal(r.error, null);
  assert.equal(r.status, 202);
  assert.equal(r.data, 'queued');
  res = await fetch(`${process.env.PGREST_URL}/rpc/pay`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Profile': 'api' },
    body: '{"plan": "pro"}',
  });
  assert.equal(res.status, 202);
  assert.equal(res.headers.get('location'), '/receipts/1');
});
