// Resource embedding and aggregates through the real @supabase/postgrest-js
// client, as application code writes them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PostgrestClient } from '@supabase/postgrest-js';

const db = new PostgrestClient(process.env.PGREST_URL, { schema: 'api' });

test("select('*, rel(*)'): to-one objects and to-many arrays", async () => {
  let r = await db.from('books').select('*, authors(*)').eq('id', 4);
  assert.equal(r.error, null);
  assert.deepEqual(r.data, [
    { id: 4, title: 'Solaris', year: 1961, author_id: 2, authors: { id: 2, name: 'Stanisław Lem' } },
  ]);
  r = await db.from('authors').select('name, books(title)').order('id').order('id', { referencedTable: 'books' });
  assert.equal(r.error, null);
  assert.deepEqual(r.data, [
    {
      name: 'Ursula K. Le Guin',
      books: [
        { title: 'A Wizard of Earthsea' },
        { title: 'The Left Hand of Darkness' },
        { title: 'The Dispossessed' },
      ],
    },
    { name: 'Stanisław Lem', books: [{ title: 'Solaris' }] },
    { name: 'Unpublished', books: [] },
  ]);
});

test('many-to-many, aliases and nesting', async () => {
  const r = await db
    .from('genres')
    .select('genre:name, books(title, writer:authors(name))')
    .eq('id', 2)
    .order('id', { referencedTable: 'books' });
  assert.equal(r.error, null);
  assert.deepEqual(r.data, [
    {
      genre: 'science fiction',
      books: [
        { title: 'The Left Hand of Darkness', writer: { name: 'Ursula K. Le Guin' } },
        { title: 'The Dispossessed', writer: { name: 'Ursula K. Le Guin' } },
        { title: 'Solaris', writer: { name: 'Stanisław Lem' } },
      ],
    },
  ]);
});

test('referencedTable (and the older foreignTable) for order, limit, range and or', async () => {
  let r = await db
    .from('authors')
    .select('name, books(title, year)')
    .eq('id', 1)
    .order('year', { referencedTable: 'books', ascending: false })
    .limit(2, { referencedTable: 'books' });
  assert.equal(r.error, null);
  assert.deepEqual(r.data[0].books.map((b) => b.year), [1974, 1969]);

  r = await db
    .from('authors')
    .select('name, books(year)')
    .eq('id', 1)
    .order('year', { foreignTable: 'books' })
    .range(1, 2, { foreignTable: 'books' });
  assert.equal(r.error, null);
  assert.deepEqual(r.data[0].books.map((b) => b.year), [1969, 1974]);

  r = await db
    .from('authors')
    .select('name, books(year)')
    .eq('id', 1)
    .or('year.lt.1969,year.gt.1970', { referencedTable: 'books' })
    .order('year', { referencedTable: 'books' });
  assert.equal(r.error, null);
  assert.deepEqual(r.data[0].books.map((b) => b.year), [1968, 1974]);
});

test('filters on embedded resources, !inner, and is null', async () => {
  let r = await db.from('authors').select('name, books(title)').eq('books.year', 1961).order('id');
  assert.equal(r.error, null);
  assert.deepEqual(r.data.map((a) => a.books.length), [0, 1, 0]);

  r = await db.from('authors').select('name, books!inner(title)').eq('books.year', 1961);
  assert.equal(r.error, null);
  assert.deepEqual(r.data, [{ name: 'Stanisław Lem', books: [{ title: 'Solaris' }] }]);

  r = await db.from('authors').select('name, books()').is('books', null);
  assert.equal(r.error, null);
  assert.deepEqual(r.data, [{ name: 'Unpublished' }]);

  r = await db.from('books').select('title, authors()').not('authors', 'is', null).order('id').limit(1);
  assert.equal(r.error, null);
  assert.deepEqual(r.data, [{ title: 'A Wizard of Earthsea' }]);
});

test('count counts parents, with !inner too', async () => {
  const r = await db
    .from('authors')
    .select('name, books!inner(title)', { count: 'exact' })
    .order('id')
    .range(0, 0);
  assert.equal(r.error, null);
  assert.equal(r.count, 2);
  assert.equal(r.data.length, 1);
});

test('spread: to-one columns lifted, to-many arrays', async () => {
  let r = await db.from('books').select('title, ...authors(author:name)').eq('id', 1);
  assert.equal(r.error, null);
  assert.deepEqual(r.data, [{ title: 'A Wizard of Earthsea', author: 'Ursula K. Le Guin' }]);
  r = await db
    .from('authors')
    .select('name, ...books(title)')
    .eq('id', 1)
    .order('id', { referencedTable: 'books' });
  assert.equal(r.error, null);
  assert.deepEqual(r.data, [
    {
      name: 'Ursula K. Le Guin',
      title: ['A Wizard of Earthsea', 'The Left Hand of Darkness', 'The Dispossessed'],
    },
  ]);
});

test('aggregates: count(), sum, grouped, inside embeds', async () => {
  let r = await db.from('books').select('count()');
  assert.equal(r.error, null);
  assert.deepEqual(r.data, [{ count: 5 }]);
  r = await db.from('books').select('author_id, total:count(), year.max()').not('author_id', 'is', null).order('author_id');
  assert.equal(r.error, null);
  assert.deepEqual(r.data, [
    { author_id: 1, total: 3, max: 1974 },
    { author_id: 2, total: 1, max: 1961 },
  ]);
  r = await db.from('authors').select('name, books(count())').order('id');
  assert.equal(r.error, null);
  assert.deepEqual(r.data.map((a) => a.books[0].count), [3, 1, 0]);
});

test('a single object, a call and a write embed too', async () => {
  let r = await db.from('books').select('title, authors(name)').eq('id', 1).single();
  assert.equal(r.error, null);
  assert.deepEqual(r.data, { title: 'A Wizard of Earthsea', authors: { name: 'Ursula K. Le Guin' } });

  r = await db.rpc('books_after', { y: 1970 }).select('title, authors(name)');
  assert.equal(r.error, null);
  assert.deepEqual(r.data, [{ title: 'The Dispossessed', authors: { name: 'Ursula K. Le Guin' } },
    { title: 'Anonymous', authors: null }]);

  r = await db.from('books').insert({ id: 99, title: 'The Cyberiad', year: 1965, author_id: 2 })
    .select('title, authors(name)');
  assert.equal(r.error, null);
  assert.equal(r.status, 201);
  assert.deepEqual(r.data, [{ title: 'The Cyberiad', authors: { name: 'Stanisław Lem' } }]);
  r = await db.from('books').delete().eq('id', 99).select('id');
  assert.equal(r.error, null);
  assert.deepEqual(r.data, [{ id: 99 }]);
});

test('errors: no relationship (400 PGRST200), ambiguous (300 PGRST201), not embedded (PGRST108)', async () => {
  let r = await db.from('books').select('title, author(name)');
  assert.equal(r.status, 400);
  assert.equal(r.error.code, 'PGRST200');
  assert.equal(r.error.hint, "Perhaps you meant 'authors' instead of 'author'.");
  assert.equal(r.error.message, "Could not find a relationship between 'books' and 'author' in the schema cache");

  r = await db.from('reviews').select('id, authors(name)');
  assert.equal(r.status, 300);
  assert.equal(r.error.code, 'PGRST201');
  assert.deepEqual(r.error.details, [
    {
      cardinality: 'many-to-one',
      embedding: 'reviews with authors',
      relationship: 'reviews_reviewer_fkey using reviews(reviewer) and authors(id)',
    },
    {
      cardinality: 'many-to-one',
      embedding: 'reviews with authors',
      relationship: 'reviews_subject_fkey using reviews(subject) and authors(id)',
    },
  ]);
  r = await db.from('reviews').select('id, by:authors!reviewer(name), of:authors!subject(name)');
  assert.equal(r.error, null);
  assert.deepEqual(r.data, [{ id: 1, by: { name: 'Ursula K. Le Guin' }, of: { name: 'Stanisław Lem' } }]);

  r = await db.from('books').select('title').eq('authors.name', 'x');
  assert.equal(r.status, 400);
  assert.equal(r.error.code, 'PGRST108');
  assert.equal(r.error.message, "'authors' is not an embedded resource in this request");
});
