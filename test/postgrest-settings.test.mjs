// PostgREST's settings as pgrest takes them, written in postgresql.conf and
// served by the workers: a base64 JWT secret, a role claim given as a JSON
// path, PostgREST's app.settings.* (which postgresql.conf cannot name
// itself), a pre-request function that switches the request's role, the
// trace header, the minimal error verbosity, the root spec function.  A
// cluster of its own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { startCluster, sleep, unexpectedExits } from './cluster.mjs';

const secret = 'a-secret-given-in-base64-of-32-bytes-or-more';
let cluster;
let workers;

const b64url = (text) => Buffer.from(text).toString('base64url');
function mint(claims) {
  const input = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

async function get(path, headers = {}) {
  const res = await fetch(`${cluster.url}${path}`, { headers, signal: AbortSignal.timeout(10000) });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

// after ALTER SYSTEM and pg_reload_conf(): the workers read it soon after
async function until(check) {
  for (let i = 0; i < 50; i++) {
    if (await check()) return true;
    await sleep(100);
  }
  return false;
}

before(async () => {
  cluster = await startCluster({
    settings: {
      'pgrest.jwt_secret': `'${Buffer.from(secret).toString('base64')}'`,
      'pgrest.jwt_secret_is_base64': 'on',
      'pgrest.jwt_role_claim': `'$.app_metadata.roles[0]'`,
      'pgrest.app_settings': `'app_host = localhost, external_api_secret = "0123, 4567"'`,
      'pgrest.pre_request': `'public.switch_by_claim'`,
      'pgrest.server_trace_header': `'X-Request-Id'`,
    },
    sql: `CREATE ROLE hostile_user NOLOGIN;
          CREATE ROLE hostile_switched NOLOGIN;
          GRANT hostile_user, hostile_switched TO hostile_authenticator;
          CREATE VIEW whoami AS
              SELECT current_user AS role,
                     current_setting('app.settings.app_host') AS app_host,
                     current_setting('app.settings.external_api_secret') AS api_secret;
          GRANT SELECT ON whoami TO hostile_anon, hostile_user, hostile_switched;
          CREATE FUNCTION switch_by_claim() RETURNS void LANGUAGE plpgsql AS $$
          BEGIN
              IF current_setting('request.jwt.claims')::jsonb->>'switch' = 'yes' THEN
                  SET LOCAL ROLE hostile_switched;
              END IF;
          END $$;
          CREATE DOMAIN "application/openapi+json" AS json;
          CREATE FUNCTION my_root() RETURNS "application/openapi+json" LANGUAGE sql
              AS $$ SELECT '{"swagger": "2.0"}'::json $$;`,
  });
  workers = cluster.workers();
});

after(() => {
  const log = cluster.stop();
  assert.deepEqual(unexpectedExits(log), []);
});

test('a base64 secret and a JSON path to the role claim', async () => {
  const token = mint({ app_metadata: { roles: ['hostile_user', 'hostile_anon'] } });
  const r = await get('/whoami?select=role', { Authorization: `Bearer ${token}` });
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.body), [{ role: 'hostile_user' }]);
  // the path names nothing: the anonymous role
  const anon = await get('/whoami?select=role', { Authorization: `Bearer ${mint({ role: 'hostile_user' })}` });
  assert.deepEqual(JSON.parse(anon.body), [{ role: 'hostile_anon' }]);
});

test('a role claim path that does not parse is refused, the last good one stays', () => {
  assert.throws(() => cluster.sql("ALTER SYSTEM SET pgrest.jwt_role_claim = '$..role'"),
    /invalid value for parameter "pgrest.jwt_role_claim"/);
  assert.equal(cluster.sql('SHOW pgrest.jwt_role_claim').trim(), '$.app_metadata.roles[0]');
});

test('app.settings.* from postgresql.conf reach every request', async () => {
  const r = await get('/whoami?select=app_host,api_secret');
  assert.deepEqual(JSON.parse(r.body), [{ app_host: 'localhost', api_secret: '0123, 4567' }]);
});

test('the pre-request function may switch the role, and only for its request', async () => {
  const switched = await get('/whoami?select=role', {
    Authorization: `Bearer ${mint({ app_metadata: { roles: ['hostile_user'] }, switch: 'yes' })}`,
  });
  assert.deepEqual(JSON.parse(switched.body), [{ role: 'hostile_switched' }]);
  const plain = await get('/whoami?select=role', {
    Authorization: `Bearer ${mint({ app_metadata: { roles: ['hostile_user'] } })}`,
  });
  assert.deepEqual(JSON.parse(plain.body), [{ role: 'hostile_user' }]);
});

test('the trace header comes back on answers and errors, none when not sent', async () => {
  assert.equal((await get('/whoami', { 'X-Request-Id': 'req-1' })).headers.get('x-request-id'), 'req-1');
  assert.equal((await get('/nowhere', { 'x-request-id': 'req-2' })).headers.get('x-request-id'), 'req-2');
  assert.equal((await get('/whoami')).headers.get('x-request-id'), null);
});

test('minimal error verbosity, and a root spec function, after a reload', async () => {
  cluster.sql(`ALTER SYSTEM SET pgrest.client_error_verbosity = minimal;
               ALTER SYSTEM SET pgrest.root_spec = 'my_root';
               SELECT pg_reload_conf();`);
  assert.ok(await until(async () => !(await get('/nowhere')).body.includes('details')));
  assert.deepEqual(JSON.parse((await get('/nowhere')).body),
    { code: 'PGRST205', message: "Could not find the table 'public.nowhere' in the schema cache" });
  assert.ok(await until(async () => (await get('/')).body === '{"swagger": "2.0"}'));
  const root = await get('/', { Accept: 'application/openapi+json' });
  assert.equal(root.headers.get('content-type'), 'application/openapi+json; charset=utf-8');
  cluster.sql(`ALTER SYSTEM RESET pgrest.client_error_verbosity;
               ALTER SYSTEM RESET pgrest.root_spec;
               SELECT pg_reload_conf();`);
  assert.ok(await until(async () => (await get('/nowhere')).body.includes('"details"')));
  assert.deepEqual(cluster.workers(), workers);
});
