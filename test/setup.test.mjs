// Set-up mistakes explain themselves: a port another program holds, two
// clusters configured for one port, invalid values in postgresql.conf
// (a short JWT secret among them), a misspelled or ungranted
// pgrest.anon_role, a pgrest.role the workers cannot log in as (it does
// not exist, lacks CONNECT) or that is a superuser.  Clusters of their
// own, each with one mistake or more; the messages are read from their
// server logs.  (pgrest not preloaded: sql/nopreload.sql; CREATE
// EXTENSION in another database: sql/guc.sql.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startCluster, freePort, sleep, connectTo, unexpectedExits } from './cluster.mjs';

let first;        // serves 127.0.0.1:P (named twice); invalid settings; anon_role misspelled
let second;       // configured for localhost:P, P held by the first
let third;        // configured for a port a plain TCP server holds
let holder;       // that TCP server
let heldPort;
const secret = 'short-secret-value';  // 18 bytes

function admin(cluster) {
  return `http://127.0.0.1:${cluster.adminPort}`;
}

async function startWithAdmin(settings, options = {}) {
  const adminPort = await freePort();
  const cluster = await startCluster({ settings: { 'pgrest.admin_port': adminPort, ...settings }, ...options });
  cluster.adminPort = adminPort;
  return cluster;
}

// the server log without each line's time and pid
function messages(cluster) {
  return cluster.logText().replace(/^\S+ \S+ UTC \[\d+\] /gm, '');
}

async function get(url, headers = {}) {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(10000) });
  return { status: res.status, body: await res.text() };
}

// the status of url once it is wanted (a reload reaches workers soon after
// pg_reload_conf() returns), or the last one after 5 s
async function statusBecomes(url, wanted) {
  let status;
  for (let i = 0; i < 50; i++) {
    status = (await get(url)).status;
    if (status === wanted) break;
    await sleep(100);
  }
  return status;
}

before(async () => {
  holder = net.createServer((socket) => socket.end('HTTP/1.1 418 Not pgrest\r\nContent-Length: 0\r\n\r\n'));
  heldPort = await freePort();
  await new Promise((resolve) => holder.listen(heldPort, '127.0.0.1', resolve));
  first = await startWithAdmin({
    // one address twice: pgrest's own socket, not another program's
    'pgrest.listen_addresses': "'127.0.0.1, 127.0.0.1'",
    'pgrest.anon_role': "'web_anno'",
    'pgrest.max_rows': '-5',
    'pgrest.tx_end': "'comit'",
    'pgrest.jwt_secret': `'${secret}'`,
    'pgrest.prot': '3001',
  });
  second = await startWithAdmin({ 'pgrest.port': first.port, 'pgrest.listen_addresses': "'localhost'" });
  third = await startWithAdmin({ 'pgrest.port': heldPort });
});

after(() => {
  for (const cluster of [first, second, third]) {
    const log = cluster?.stop() ?? '';
    assert.doesNotMatch(log, /terminated by signal/);
  }
  holder?.close();
});

test('a port another program holds: a warning names the address and the error, no worker claims the port', async () => {
  const log = messages(third);
  assert.match(log, new RegExp(`WARNING:  could not bind HTTP socket to 127\\.0\\.0\\.1:${heldPort}: Address already in use`));
  assert.match(log, new RegExp(`WARNING:  pgrest's HTTP server does not listen on port ${heldPort}: another program holds it`));
  assert.match(log, new RegExp(`WARNING:  pgrest workers have no HTTP socket: nothing listens on port ${heldPort} for them`));
  assert.doesNotMatch(log, /serving database/);
  const ready = await get(`${admin(third)}/ready`);
  assert.equal(ready.status, 503);
  assert.equal(JSON.parse(ready.body).reason, `pgrest could not listen on port ${heldPort}; see the server log`);
  // the port is still the other program's
  assert.equal((await get(`http://127.0.0.1:${heldPort}/canary`)).status, 418);
});

test('two clusters configured for one port: the second answers on none of its addresses', async () => {
  const log = messages(second);
  assert.match(log, new RegExp(`could not bind HTTP socket to 127\\.0\\.0\\.1:${first.port}: Address already in use`));
  assert.match(log, new RegExp(`pgrest's HTTP server does not listen on port ${first.port}: another program holds it`));
  assert.doesNotMatch(log, /serving database/);
  assert.equal((await get(`${admin(second)}/ready`)).status, 503);
  // localhost is also ::1, which was free: the second cluster let it go,
  // so a client of localhost:P never reaches it
  assert.notEqual(await connectTo('::1', first.port), 'connected');
  // the first cluster named 127.0.0.1 twice, and holds it once
  assert.match(messages(first), new RegExp(`pgrest worker 1 serving database "hostile" on 127\\.0\\.0\\.1:${first.port}\n`));
  assert.doesNotMatch(messages(first), /could not bind/);
});

test('invalid values in postgresql.conf: which setting, what is wrong, that the default is used', async () => {
  const log = messages(first);
  assert.match(log, /WARNING:  invalid value for parameter "pgrest\.tx_end": "comit"/);
  assert.match(log, /WARNING:  parameter "pgrest\.tx_end" is set to its default, "commit-allow-override"\nDETAIL:  The value given in file ".*postgresql\.conf" line \d+ is invalid\./);
  assert.match(log, /-5 is outside the valid range for parameter "pgrest\.max_rows" \(0 \.\. 2147483647\)/);
  assert.match(log, /WARNING:  parameter "pgrest\.max_rows" is set to its default, "0"/);
  // a misspelled name is a warning at start, not an error
  assert.match(log, /WARNING:  invalid configuration parameter name "pgrest\.prot", removing it/);
  assert.equal(first.sql('SHOW pgrest.max_rows').trim(), '0');
});

test('a JWT secret shorter than 32 bytes: said without the secret; tokens get 500 PGRST300', async () => {
  const log = messages(first);
  assert.match(log, /WARNING:  invalid value for parameter "pgrest\.jwt_secret"\nDETAIL:  The JWT secret is 18 bytes long; it must be at least 32 bytes\./);
  assert.match(log, /WARNING:  parameter "pgrest\.jwt_secret" is set to its default, ""/);
  assert.ok(!log.includes(secret), 'the log holds the secret');
  const r = await get(`${first.url}/canary`, { Authorization: 'Bearer a.b.c' });
  assert.equal(r.status, 500);
  assert.equal(JSON.parse(r.body).code, 'PGRST300');
});

test('a misspelled pgrest.anon_role: logged once with a hint, reported by /ready, then fixed', async () => {
  for (let i = 0; i < 3; i++) assert.equal((await get(`${first.url}/canary`)).status, 401);
  let log = messages(first);
  const said = log.match(/WARNING:  role "web_anno" does not exist\nDETAIL:  "pgrest\.anon_role" names it: requests without a JWT get 401 until it exists\.\nHINT:  Create the role \(and GRANT it to hostile_authenticator\), or correct "pgrest\.anon_role" and reload the configuration\./g);
  assert.equal(said?.length, 1, 'said once');
  let ready = await get(`${admin(first)}/ready`);
  assert.equal(ready.status, 200);
  assert.deepEqual(JSON.parse(ready.body).warnings,
    ['pgrest.anon_role "web_anno" does not exist: requests without a JWT get 401']);

  first.sql("ALTER SYSTEM SET pgrest.anon_role = 'hostile_anon'; SELECT pg_reload_conf()");
  assert.equal(await statusBecomes(`${first.url}/canary`, 200), 200);
  assert.match(messages(first), /LOG:  pgrest serves requests without a JWT as role "hostile_anon" again/);
  ready = await get(`${admin(first)}/ready`);
  assert.equal(JSON.parse(ready.body).warnings, undefined);

  // a role the authenticator is not a member of
  first.sql(`CREATE ROLE lonely NOLOGIN; GRANT SELECT ON canary TO lonely;
             ALTER SYSTEM SET pgrest.anon_role = 'lonely'; SELECT pg_reload_conf()`);
  assert.equal(await statusBecomes(`${first.url}/canary`, 401), 401);
  assert.equal((await get(`${first.url}/canary`)).status, 401);
  log = messages(first);
  assert.equal(log.match(/WARNING:  role "hostile_authenticator" is not a member of role "lonely"\nDETAIL:  "pgrest\.anon_role" names "lonely": requests without a JWT get 401 until "pgrest\.role" may switch to it\.\nHINT:  GRANT lonely TO hostile_authenticator;/g)?.length, 1);
  ready = await get(`${admin(first)}/ready`);
  assert.deepEqual(JSON.parse(ready.body).warnings,
    ['pgrest.role may not switch to pgrest.anon_role "lonely": requests without a JWT get 401']);
  first.sql('GRANT lonely TO hostile_authenticator');
  assert.equal(await statusBecomes(`${first.url}/canary`, 200), 200);
});

// every line of the log that matches re
function lines(cluster, re) {
  return messages(cluster).split('\n').filter((l) => re.test(l));
}

// the status and JSON body of url once its status is wanted, or the last
// after 30 s (workers that can log in again restart a second later)
async function becomes(url, wanted) {
  let r;
  for (let i = 0; i < 150; i++) {
    try { r = await get(url); } catch (e) { r = { status: e.name, body: 'null' }; }
    if (r.status === wanted) break;
    await sleep(200);
  }
  return { status: r.status, json: JSON.parse(r.body) };
}

// /metrics once it matches re (both workers have started), or after 10 s
async function metricsOnce(cluster, re) {
  let body;
  for (let i = 0; i < 50; i++) {
    body = (await get(`${admin(cluster)}/metrics`)).body;
    if (re.test(body)) break;
    await sleep(200);
  }
  return body;
}

test('a pgrest.role that cannot log in: 503 at once naming the setting, one log line, served once fixed', async () => {
  // misspelled: hostile_authenticatr does not exist
  const cluster = await startWithAdmin({ 'pgrest.role': "'hostile_authenticatr'" }, { wait: false });
  const api = `${cluster.url}/canary`;
  const ready = `${admin(cluster)}/ready`;
  try {
    let r = await becomes(api, 503);
    assert.equal(r.status, 503);
    assert.deepEqual(r.json, {
      code: 'PGRST513',
      message: 'role "hostile_authenticatr" named by "pgrest.role" does not exist',
      details: 'The pgrest workers cannot log in, so every request gets 503 until they can; they check again every 5 seconds.',
      hint: 'Correct "pgrest.role" in postgresql.conf and restart the server, or create the role: CREATE ROLE hostile_authenticatr LOGIN NOINHERIT;',
    });
    r = await becomes(ready, 503);
    assert.equal(r.json.reason, 'role "hostile_authenticatr" named by "pgrest.role" does not exist');
    assert.match(await metricsOnce(cluster, /^pgrest_workers\{state="cannot_log_in"\} 2$/m), /^pgrest_workers\{state="cannot_log_in"\} 2$/m);
    // a while later: still one line, no FATAL, no worker restarted
    await sleep(6000);
    assert.equal((await get(api)).status, 503);
    assert.deepEqual(lines(cluster, /pgrest\.role/), [
      'WARNING:  role "hostile_authenticatr" named by "pgrest.role" does not exist',
      'HINT:  Correct "pgrest.role" in postgresql.conf and restart the server, or create the role: CREATE ROLE hostile_authenticatr LOGIN NOINHERIT;',
    ]);
    assert.deepEqual(lines(cluster, /FATAL|exited with exit code/), []);
    assert.equal(cluster.sql('SELECT pgrest.wait_ready(100)').trim(), 'f');

    // created: the workers log in and serve, and the log says so once
    cluster.sql('CREATE ROLE hostile_authenticatr LOGIN NOINHERIT; GRANT hostile_anon TO hostile_authenticatr');
    assert.equal((await becomes(api, 200)).status, 200);
    assert.equal((await becomes(ready, 200)).status, 200);
    // each worker says it starts again to log in
    assert.equal(lines(cluster, /LOG:  pgrest worker exits to log in as role "hostile_authenticatr" to database "hostile", which it can now/).length, 2);

    // CONNECT revoked: found at the workers' next start
    cluster.sql(`REVOKE CONNECT ON DATABASE hostile FROM PUBLIC;
                 SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE backend_type = 'pgrest'`);
    r = await becomes(api, 503);
    assert.equal(r.json.message, 'role "hostile_authenticatr" named by "pgrest.role" has no CONNECT privilege on database "hostile"');
    assert.equal(r.json.hint, 'GRANT CONNECT ON DATABASE hostile TO hostile_authenticatr;');
    cluster.sql('GRANT CONNECT ON DATABASE hostile TO hostile_authenticatr');
    assert.equal((await becomes(api, 200)).status, 200);
    assert.equal(lines(cluster, /WARNING:  role .* has no CONNECT privilege/).length, 1);

    // a superuser: /ready says so, not that pgrest is missing
    cluster.sql(`ALTER ROLE hostile_authenticatr SUPERUSER;
                 SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE backend_type = 'pgrest'`);
    r = await becomes(ready, 503);
    assert.equal(r.json.reason, 'pgrest.role "hostile_authenticatr" is a superuser: pgrest refuses to serve requests as one');
    r = await becomes(api, 503);
    assert.equal(r.json.code, 'PGRST501');
    assert.match(await metricsOnce(cluster, /^pgrest_workers\{state="superuser"\} 2$/m), /^pgrest_workers\{state="superuser"\} 2$/m);
    cluster.sql('ALTER ROLE hostile_authenticatr NOSUPERUSER');
    assert.equal((await becomes(ready, 200)).status, 200);
    assert.equal((await becomes(api, 200)).status, 200);
  } finally {
    const log = cluster.stop();
    assert.doesNotMatch(log, /terminated by signal/);
    // workers that could not log in, then could, started again: expected
    assert.deepEqual(unexpectedExits(log), [], 'a worker ended');
  }
});
