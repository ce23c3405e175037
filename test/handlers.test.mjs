// Media type handlers over HTTP: binary bodies go out byte for byte, with
// their media type and exact length, and binary bodies come in the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';

const url = process.env.PGREST_URL;
const get = (path, accept, init = {}) =>
  fetch(url + path, { ...init, headers: { Accept: accept, 'Accept-Profile': 'api', ...(init.headers ?? {}) } });

test('a function returning a media type domain sends its bytes', async () => {
  let r = await get('/rpc/image?id=1', 'image/png');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'image/png');
  const body = Buffer.from(await r.arrayBuffer());
  assert.deepEqual(body, Buffer.from('89504e470d0a1a0a0000000d4948445200', 'hex'));
  assert.equal(r.headers.get('content-length'), String(body.length));

  // no value: an empty body of that type
  r = await get('/rpc/image?id=99', 'image/png');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'image/png');
  assert.equal((await r.arrayBuffer()).byteLength, 0);

  // HEAD: the headers alone
  r = await get('/rpc/image?id=1', 'image/png', { method: 'HEAD' });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'image/png');
  assert.equal((await r.arrayBuffer()).byteLength, 0);

  // other types of Accept: JSON, or nothing
  r = await get('/rpc/image?id=2', 'application/json');
  assert.deepEqual(await r.json(), '\\x00ff00fe');
  r = await get('/rpc/image?id=2', 'image/gif');
  assert.equal(r.status, 406);
  assert.deepEqual(await r.json(), {
    code: 'PGRST107', details: null, hint: null,
    message: 'None of these media types are available: image/gif',
  });
});

test('a jsonb domain is sent in jsonb binary form, as PostgREST sends it', async () => {
  const r = await get('/rpc/doc', 'application/vnd.pgrest.doc+json');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/vnd.pgrest.doc+json');
  const body = Buffer.from(await r.arrayBuffer());
  assert.equal(body[0], 1);
  assert.deepEqual(JSON.parse(body.subarray(1).toString()), { pages: 2 });
});

test('an octet-stream body to a bytea parameter, and back, every byte value', async () => {
  const bytes = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
  const r = await fetch(url + '/rpc/upload', {
    method: 'POST',
    headers: { 'Content-Type': 'application/octet-stream', Accept: 'application/octet-stream' },
    body: bytes,
  });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/octet-stream');
  assert.deepEqual(Buffer.from(await r.arrayBuffer()), bytes);
});

test("an aggregate turns a relation's rows into the body, for the default select only", async () => {
  let r = await get('/images?order=id', 'application/octet-stream');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/octet-stream');
  assert.deepEqual(Buffer.from(await r.arrayBuffer()),
    Buffer.from('89504e470d0a1a0a0000000d494844520000ff00fe', 'hex'));
  r = await get('/images?id=eq.2', 'application/octet-stream');
  assert.deepEqual(Buffer.from(await r.arrayBuffer()), Buffer.from('00ff00fe', 'hex'));
  r = await get('/images?select=id', 'application/octet-stream');
  assert.equal(r.status, 406);
  assert.equal((await r.json()).code, 'PGRST107');
  // JSON as ever
  r = await get('/images?select=id&order=id', '*/*');
  assert.deepEqual(await r.json(), [{ id: 1 }, { id: 2 }]);
});
