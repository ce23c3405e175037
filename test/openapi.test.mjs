// GET / as OpenAPI 3.1: checked by a standard validator, turned into
// TypeScript types by openapi-typescript; and the same as a page for people.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import SwaggerParser from '@apidevtools/swagger-parser';
import openapiTS, { astToString } from 'openapi-typescript';

const url = process.env.PGREST_URL;

async function openapi(headers = {}) {
  const res = await fetch(`${url}/`, { headers });
  assert.equal(res.status, 200);
  return { res, doc: await res.json() };
}

test('the root is a valid OpenAPI 3.1 document', async () => {
  const { res, doc } = await openapi();
  assert.equal(res.headers.get('content-type'), 'application/openapi+json; charset=utf-8');
  assert.equal(doc.openapi, '3.1.0');
  // validate() dereferences in place: give it a copy
  await SwaggerParser.validate(structuredClone(doc));
  assert.deepEqual(doc.servers, [{ url }]);
  assert.deepEqual(doc.components.securitySchemes.bearer,
    { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
});

test('every exposed schema has a valid document of its own', async () => {
  const { doc } = await openapi({ 'Accept-Profile': 'v2' });
  await SwaggerParser.validate(structuredClone(doc));
  assert.deepEqual(Object.keys(doc.paths).sort(), ['/', '/films', '/films/{key}']);
});

test('the anonymous role sees what it may use, with the methods it is granted', async () => {
  const { doc } = await openapi({ Accept: 'application/json' });
  assert.ok(!('/secrets' in doc.paths));
  assert.deepEqual(Object.keys(doc.paths['/films']), ['get']);
  assert.deepEqual(Object.keys(doc.paths['/tasks']), ['get', 'post', 'patch', 'delete']);
  assert.ok('get' in doc.paths['/rpc/add_them'] && 'post' in doc.paths['/rpc/add_them']);
  assert.ok(!('get' in doc.paths['/rpc/add_project']), 'a volatile function is POST only');
});

test('openapi-typescript turns it into the types of rows and calls', async () => {
  const { doc } = await openapi();
  const ts = astToString(await openapiTS(doc));
  const films = ts.slice(ts.indexOf('        films: {'));
  const block = films.slice(0, films.indexOf('\n        };'));
  assert.match(block, /\n\s+id: number;/);
  assert.match(block, /\n\s+title: string;/);
  assert.match(block, /\n\s+rating: number \| null;/);
  assert.match(block, /\n\s+genres: string\[\] \| null;/);
  assert.match(block, /\n\s+readonly tsv: string \| null;/);
  // the arguments of a GET call are typed query parameters
  const addThem = ts.slice(ts.indexOf('"/rpc/add_them": {'));
  assert.match(addThem.slice(0, 800), /query: \{\s+a: number;\s+b: number;\s+\};/);
  // a set-returning function returns rows of its table
  const since = ts.slice(ts.indexOf('"/rpc/films_since": {'));
  assert.match(since.slice(0, 2500), /components\["schemas"\]\["films"\]\[\]/);
});

test('a browser gets one self-contained HTML page', async () => {
  const res = await fetch(`${url}/`, {
    headers: { Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' },
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
  const html = await res.text();
  assert.match(html, /^<!DOCTYPE html>/);
  assert.ok(!/<script|<link|<img|@import|url\(/i.test(html), 'nothing loaded from elsewhere');
  assert.match(html, /<h3>films <span class="kind">table<\/span><\/h3>/);
  assert.match(html, /<code>rating<\/code><\/td><td><code>numeric\(3,1\)<\/code>/);
  assert.match(html, /references<\/span> <a href="#rel-projects">projects<\/a>\.id/);
  // each curl line sends the token: this API takes one
  assert.match(html, new RegExp(`curl &#39;${url}/rpc/add_them\\?a=1&amp;b=1&#39; -H &quot;Authorization: Bearer \\$TOKEN&quot;\n`));
  assert.match(html, /The curl lines send <code>\$TOKEN<\/code>/);
});

test('HEAD and OPTIONS on the root', async () => {
  let res = await fetch(`${url}/`, { method: 'HEAD' });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/openapi+json; charset=utf-8');
  res = await fetch(`${url}/`, { method: 'OPTIONS' });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('allow'), 'OPTIONS,GET,HEAD');
});
