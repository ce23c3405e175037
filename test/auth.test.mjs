// JWT authentication through the real @supabase/postgrest-js client, with
// HS256 tokens minted here as an identity provider would mint them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { PostgrestClient } from '@supabase/postgrest-js';

const url = process.env.PGREST_URL;
const secret = process.env.PGREST_JWT_SECRET;

const b64url = (text) => Buffer.from(text).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

function mint(claims, { key = secret, header = { alg: 'HS256', typ: 'JWT' } } = {}) {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

const client = (token) => new PostgrestClient(url, {
  schema: 'api',
  headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
});

const whoami = (token) => client(token).from('whoami').select('role, claims').single();

test('a valid token runs the request as its role, with its claims', async () => {
  const { data, error, status } = await whoami(mint({ role: 'test_user', sub: 'alice', exp: now() + 3600 }));
  assert.equal(error, null);
  assert.equal(status, 200);
  assert.equal(data.role, 'test_user');
  assert.equal(data.claims.sub, 'alice');
  assert.equal(data.claims.role, 'test_user');
});

test('no token, or no role claim: the anonymous role', async () => {
  let r = await whoami();
  assert.equal(r.data.role, 'test_anon');
  r = await whoami(mint({ sub: 'bob' }));
  assert.equal(r.error, null);
  assert.equal(r.data.role, 'test_anon');
  assert.deepEqual(r.data.claims, { sub: 'bob', role: 'test_anon' });
});

test('the same token twice, and the films a role may read', async () => {
  const db = client(mint({ role: 'test_user' }));
  for (let i = 0; i < 2; i++) {
    const { data, error } = await db.from('films').select('id').order('id').limit(2);
    assert.equal(error, null);
    assert.deepEqual(data, [{ id: 1 }, { id: 2 }]);
  }
});

test('exp, nbf and iat, with 30 seconds of clock skew', async () => {
  const cases = [
    [{ exp: now() - 3600 }, 'JWT expired'],
    [{ nbf: now() + 3600 }, 'JWT not yet valid'],
    [{ iat: now() + 3600 }, 'JWT issued at future'],
    [{ exp: 'soon' }, "The JWT 'exp' claim must be a number"],
    [{ aud: { not: 'a string' } }, "The JWT 'aud' claim must be a string or an array of strings"],
  ];
  for (const [claims, message] of cases) {
    const { error, status } = await whoami(mint({ role: 'test_user', ...claims }));
    assert.equal(status, 401);
    assert.equal(error.code, 'PGRST303');
    assert.equal(error.message, message);
  }
  // expired five seconds ago: still within the skew
  const { data, error } = await whoami(mint({ role: 'test_user', exp: now() - 5, iat: now() - 5 }));
  assert.equal(error, null);
  assert.equal(data.role, 'test_user');
});

test('tokens that do not verify are 401 PGRST301', async () => {
  const good = mint({ role: 'test_user' });
  const [header, payload] = good.split('.');
  const cases = [
    [mint({ role: 'test_user' }, { key: 'another-secret-that-is-long-enough-too' }), 'No suitable key or wrong key type'],
    [`${header}.${b64url('{"role":"postgres"}')}.${good.split('.')[2]}`, 'No suitable key or wrong key type'],
    [`${b64url('{"alg":"none"}')}.${payload}.`, 'Wrong or unsupported encoding algorithm'],
    // HS512 is verified, but this signature is HS256's; RS256 needs an RSA key
    [mint({ role: 'test_user' }, { header: { alg: 'HS512', typ: 'JWT' } }), 'No suitable key or wrong key type'],
    [mint({ role: 'test_user' }, { header: { alg: 'RS256', typ: 'JWT' } }), 'No suitable key or wrong key type'],
    [`${header}.${payload}`, 'Expected 3 parts in JWT; got 2'],
    ['not-a-token', 'Expected 3 parts in JWT; got 1'],
    ['%%%.%%%.%%%', 'JWT cryptographic operation failed'],
  ];
  for (const [token, message] of cases) {
    const { error, status } = await whoami(token);
    assert.equal(status, 401, message);
    assert.equal(error.code, 'PGRST301');
    assert.equal(error.message, message);
  }
});

test('a role the authenticator may not become is an error, never a fallback', async () => {
  let r = await whoami(mint({ role: 'test_outsider' }));
  assert.equal(r.status, 403);
  assert.equal(r.error.code, '42501');
  assert.equal(r.data, null);
  r = await whoami(mint({ role: 'test_nobody' }));
  assert.equal(r.status, 401);
  assert.equal(r.error.code, '22023');
});

test('permission denied: 403 with a role from a token, 401 without', async () => {
  let r = await client(mint({ role: 'test_user' })).from('secrets').select();
  assert.equal(r.status, 403);
  assert.equal(r.error.code, '42501');
  r = await client(mint({ sub: 'carol' })).from('secrets').select();
  assert.equal(r.status, 401);
  assert.equal(r.error.code, '42501');
});

test('WWW-Authenticate and the scheme, over plain fetch', async () => {
  let res = await fetch(`${url}/films?select=id&limit=1`, {
    headers: { 'Accept-Profile': 'api', Authorization: `bearer ${mint({ role: 'test_user' })}` },
  });
  assert.equal(res.status, 200);
  res = await fetch(`${url}/films`, {
    headers: { 'Accept-Profile': 'api', Authorization: `Bearer ${mint({ exp: now() - 3600 })}` },
  });
  assert.equal(res.status, 401);
  assert.equal(res.headers.get('www-authenticate'),
    'Bearer error="invalid_token", error_description="JWT expired"');
  res = await fetch(`${url}/films`, { headers: { 'Accept-Profile': 'api', Authorization: 'Bearer' } });
  assert.equal(res.status, 401);
  assert.equal((await res.json()).message, 'Empty JWT is sent in Authorization header');
  res = await fetch(`${url}/films`, { headers: { 'Accept-Profile': 'api', Authorization: 'Basic dXNlcjpwYXNz' } });
  assert.equal(res.status, 401);
  assert.equal((await res.json()).code, 'PGRST301');
  res = await fetch(`${url}/secrets`, { headers: { 'Accept-Profile': 'api' } });
  assert.equal(res.status, 401);
  assert.equal(res.headers.get('www-authenticate'), 'Bearer');
});
