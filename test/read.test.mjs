// Reads through the real @supabase/postgrest-js client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PostgrestClient } from '@supabase/postgrest-js';

const db = new PostgrestClient(process.env.PGREST_URL, { schema: 'api' });
const ids = (data) => data.map((row) => row.id);

test('select columns, aliases, casts and JSON paths', async () => {
  const { data, error, status } = await db
    .from('films')
    .select('id, name:title, rating::text, director:meta->director->>name, first_tag:meta->tags->>0')
    .eq('id', 1);
  assert.equal(error, null);
  assert.equal(status, 200);
  assert.deepEqual(data, [
    { id: 1, name: 'Alien', rating: '8.5', director: 'Ridley Scott', first_tag: 'space' },
  ]);
});

test('comparison filters', async () => {
  const cases = [
    [db.from('films').select('id').eq('year', 1979), [1]],
    [db.from('films').select('id').neq('year', 1979).order('id'), [2, 3, 5]],
    [db.from('films').select('id').gt('year', 2000).order('id'), [2, 5]],
    [db.from('films').select('id').gte('year', 2001).order('id'), [2, 5]],
    [db.from('films').select('id').lt('rating', 8.1).order('id'), [3, 5]],
    [db.from('films').select('id').lte('rating', 8.3).order('id'), [2, 3, 5]],
  ];
  for (const [query, expected] of cases) {
    const { data, error } = await query;
    assert.equal(error, null);
    assert.deepEqual(ids(data), expected);
  }
});

test('pattern, list and null filters', async () => {
  let r = await db.from('films').select('id').like('title', 'A%').order('id');
  assert.deepEqual(ids(r.data), [1, 2]);
  r = await db.from('films').select('id').ilike('title', '%RA%').order('id');
  assert.deepEqual(ids(r.data), [3, 4]);
  r = await db.from('films').select('id').in('title', ['Dune', 'Amélie']).order('id');
  assert.deepEqual(ids(r.data), [2, 5]);
  r = await db.from('films').select('id').in('id', [4, 5, 6]).order('id');
  assert.deepEqual(ids(r.data), [4, 5]);
  r = await db.from('films').select('id').is('year', null);
  assert.deepEqual(ids(r.data), [4]);
  r = await db.from('films').select('id').not('year', 'is', null).order('id');
  assert.deepEqual(ids(r.data), [1, 2, 3, 5]);
});

test('array, jsonb and full-text filters', async () => {
  let r = await db.from('films').select('id').contains('genres', ['sci-fi']).order('id');
  assert.deepEqual(ids(r.data), [1, 3, 5]);
  r = await db.from('films').select('id').containedBy('genres', ['sci-fi', 'comedy', 'horror']).order('id');
  assert.deepEqual(ids(r.data), [1, 3, 5]);
  r = await db.from('films').select('id').overlaps('genres', ['romance', 'horror']).order('id');
  assert.deepEqual(ids(r.data), [1, 2]);
  r = await db.from('films').select('id').contains('meta', { tags: ['space'] }).order('id');
  assert.deepEqual(ids(r.data), [1, 5]);
  r = await db.from('films').select('id').textSearch('tsv', 'crew & space');
  assert.deepEqual(ids(r.data), [1]);
  r = await db.from('films').select('id').textSearch('synopsis', 'desert planet', { config: 'english', type: 'websearch' });
  assert.deepEqual(ids(r.data), [5]);
  r = await db.from('films').select('id').textSearch('tsv', 'deadly creature', { type: 'plain' });
  assert.deepEqual(ids(r.data), [1]);
});

test('or, match and filter', async () => {
  let r = await db.from('films').select('id').or('year.lt.1980,year.gt.2010').order('id');
  assert.deepEqual(ids(r.data), [1, 5]);
  r = await db.from('films').select('id').or('id.eq.4,and(year.gt.2000,title.not.like.D*)').order('id');
  assert.deepEqual(ids(r.data), [2, 4]);
  r = await db.from('films').select('id').match({ year: 1985, title: 'Brazil' });
  assert.deepEqual(ids(r.data), [3]);
  r = await db.from('films').select('id').filter('meta->director->>name', 'eq', 'Denis Villeneuve');
  assert.deepEqual(ids(r.data), [5]);
  r = await db.from('films').select('id').not('id', 'in', '(1,2,3)').order('id');
  assert.deepEqual(ids(r.data), [4, 5]);
});

test('order, range and limit', async () => {
  let r = await db.from('films').select('id').order('year', { ascending: false, nullsFirst: false });
  assert.deepEqual(ids(r.data), [5, 2, 3, 1, 4]);
  r = await db.from('films').select('id').order('year', { ascending: true, nullsFirst: true });
  assert.deepEqual(ids(r.data), [4, 1, 3, 2, 5]);
  r = await db.from('films').select('id').order('id').range(1, 2);
  assert.deepEqual(ids(r.data), [2, 3]);
  r = await db.from('films').select('id').order('id').limit(2);
  assert.deepEqual(ids(r.data), [1, 2]);
});

test('single and maybeSingle', async () => {
  let r = await db.from('films').select('title').eq('id', 5).single();
  assert.equal(r.error, null);
  assert.deepEqual(r.data, { title: 'Dune' });
  r = await db.from('films').select('title').gt('id', 1).single();
  assert.equal(r.status, 406);
  assert.equal(r.error.code, 'PGRST116');
  r = await db.from('films').select('title').eq('id', 99).maybeSingle();
  assert.equal(r.error, null);
  assert.equal(r.data, null);
  r = await db.from('films').select('title').eq('id', 2).maybeSingle();
  assert.deepEqual(r.data, { title: 'Amélie' });
});

test('csv', async () => {
  const { data, error } = await db.from('films').select('id,title,year').in('id', [1, 4]).order('id').csv();
  assert.equal(error, null);
  assert.equal(data, 'id,title,year\n1,Alien,1979\n4,"Crash, the ""Movie""",');
});

test('counts, with and without a body', async () => {
  let r = await db.from('films').select('*', { count: 'exact', head: true });
  assert.equal(r.error, null);
  assert.equal(r.count, 5);
  assert.equal(r.data, null);
  r = await db.from('films').select('id', { count: 'exact' }).order('id').range(0, 1);
  assert.equal(r.status, 206);
  assert.equal(r.count, 5);
  assert.deepEqual(ids(r.data), [1, 2]);
  r = await db.from('films').select('id', { count: 'planned' }).limit(1);
  assert.equal(typeof r.count, 'number');
});

test('schema() chooses another exposed schema', async () => {
  let r = await db.schema('v2').from('films').select('title');
  assert.deepEqual(r.data, [{ title: "Alien (director's cut)" }]);
  r = await db.schema('hidden').from('films').select('title');
  assert.equal(r.status, 406);
  assert.equal(r.error.code, 'PGRST106');
});

test('errors arrive as PostgREST error objects', async () => {
  let r = await db.from('nope').select();
  assert.equal(r.status, 404);
  assert.equal(r.error.code, 'PGRST205');
  r = await db.from('films').select('nope');
  assert.equal(r.status, 400);
  assert.equal(r.error.code, '42703');
  r = await db.from('films').select().eq('year', 'nineteen');
  assert.equal(r.status, 400);
  assert.equal(r.error.code, '22P02');
  r = await db.from('secrets').select();
  assert.equal(r.status, 401);
  assert.equal(r.error.code, '42501');
});

test('geojson: a FeatureCollection built by PostGIS', async () => {
  const { data, error, status } = await db.from('places').select('name, location').order('id').geojson();
  assert.equal(error, null);
  assert.equal(status, 200);
  assert.equal(data.type, 'FeatureCollection');
  assert.deepEqual(data.features.map((f) => [f.properties.name, f.geometry.coordinates]), [
    ['Oslo', [10.75, 59.91]],
    ['Lima', [-77.04, -12.05]],
  ]);
});

test('explain: the plan of the request, as postgrest-js asks for it', async () => {
  let r = await db.from('films').select('id').eq('id', 1).explain({ format: 'json', analyze: true });
  assert.equal(r.error, null);
  assert.equal(r.status, 200);
  // the statement a JSON read runs yields its rows (stream.c writes the body)
  assert.match(r.data[0].Plan['Node Type'], /Scan$/);
  assert.equal(r.data[0].Plan['Relation Name'], 'films');
  assert.ok('Execution Time' in r.data[0]);
  r = await db.from('films').select('id').explain();
  assert.equal(r.error, null);
  assert.match(r.data, /^[A-Za-z ]*Scan on films /);
});

test('HEAD: the headers of GET, without a Content-Length, and the connection stays open', async () => {
  const net = await import('node:net');
  const url = new URL(process.env.PGREST_URL);
  const socket = net.connect(Number(url.port), url.hostname);
  await new Promise((resolve) => socket.on('connect', resolve));
  let text = '';
  socket.on('data', (chunk) => { text += chunk.toString('latin1'); });
  const request = (method) => `${method} /films?select=id&id=eq.1 HTTP/1.1\r\nHost: x\r\nAccept-Profile: api\r\n\r\n`;
  // a HEAD, then a GET on the same connection: the GET's answer follows at once
  socket.write(request('HEAD') + request('GET'));
  for (let i = 0; i < 100 && !/\r\n\r\n\[\{"id":1\}\]$/.test(text); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  socket.destroy();
  const [head, get] = text.split(/(?=HTTP\/1\.1 )/);
  assert.match(head, /^HTTP\/1\.1 200 /);
  assert.match(head, /\r\nContent-Range: 0-0\/\*\r\n/i);
  assert.doesNotMatch(head, /\r\nContent-Length:/i);
  assert.match(get, /^HTTP\/1\.1 200 [^]*\r\nContent-Length: 10\r\n(?:[^]*\r\n)?\r\n\[\{"id":1\}\]$/i);
});
