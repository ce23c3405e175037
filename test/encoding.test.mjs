// A database whose encoding is LATIN1, served over HTTP, which speaks
// UTF-8: what comes in (bodies, targets, filters, header values, a
// token's claims) is converted to LATIN1, what goes out (bodies, streamed
// ones too, errors, the database's own messages, headers, CSV, OpenAPI)
// to UTF-8; a character LATIN1 cannot hold (€) is a 400, never a
// mangled row; pgrest.handle() speaks LATIN1, as SQL does.  No worker
// exits.  Runs its own cluster, and a WIN1252 one for the bytes that
// have no character.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startCluster, unexpectedExits } from './cluster.mjs';

const secret = 'a-latin1-test-secret-of-at-least-32-bytes';
let cluster;
let workers;

before(async () => {
  cluster = await startCluster({
    createdb: "ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0",
    settings: {
      'pgrest.jwt_secret': `'${secret}'`,
      'pgrest.sql_endpoint': 'on',
      'pgrest.stream_threshold': "'4kB'",
      'pgrest.workers': 2,
    },
    sql: `CREATE TABLE people (id int PRIMARY KEY, name text NOT NULL);
          COMMENT ON TABLE people IS 'Les gens, triés à la main';
          INSERT INTO people VALUES (1, 'café'), (2, 'Müller'), (3, 'plain');
          GRANT ALL ON people TO hostile_anon;
          CREATE TABLE "tåble" (id int PRIMARY KEY, "nåme" text);
          GRANT ALL ON "tåble" TO hostile_anon;
          CREATE TABLE many AS SELECT g AS id, repeat('é', 50) || g AS s FROM generate_series(1, 500) AS g;
          GRANT SELECT ON many TO hostile_anon;
          CREATE FUNCTION greet(who text) RETURNS text LANGUAGE sql STABLE
              AS $$ SELECT 'héllo ' || who $$;
          CREATE FUNCTION fail_politely() RETURNS void LANGUAGE plpgsql AS $$
          BEGIN
              RAISE EXCEPTION 'ça a échoué pour %', 'Zoë'
                  USING DETAIL = 'détail: ü', HINT = 'réessayez';
          END $$;
          CREATE FUNCTION choose_response() RETURNS void LANGUAGE plpgsql AS $$
          BEGIN
              RAISE SQLSTATE 'PGRST' USING
                  MESSAGE = '{"code": "X1", "message": "refusé", "hint": "à propos"}',
                  DETAIL = '{"status": 418, "headers": {"X-Why": "thé"}}';
          END $$;
          CREATE FUNCTION with_header() RETURNS text LANGUAGE plpgsql AS $$
          BEGIN
              PERFORM set_config('response.headers', '[{"X-Note": "crème brûlée"}]', true);
              RETURN 'ok';
          END $$;
          CREATE VIEW my_claims AS
              SELECT current_setting('request.jwt.claims', true)::jsonb->>'name' AS name,
                     current_setting('request.headers')::jsonb->>'x-who' AS header;
          GRANT SELECT ON my_claims TO hostile_anon;
          CREATE ROLE latin1_user NOLOGIN;
          GRANT latin1_user TO hostile_authenticator;
          GRANT SELECT ON my_claims TO latin1_user;`,
  });
  workers = cluster.workers();
});

after(() => {
  const log = cluster?.stop() ?? '';
  assert.deepEqual(unexpectedExits(log), [], 'a worker ended');
});

async function call(path, options = {}) {
  const res = await fetch(`${cluster.url}${path}`, options);
  const text = await res.text();
  let body;
  try { body = JSON.parse(text); } catch { body = text; }
  return { status: res.status, headers: res.headers, text, body };
}
const json = (method, body, headers = {}) => ({
  method, body: JSON.stringify(body), headers: { 'Content-Type': 'application/json', ...headers },
});
// a header value as the bytes it was sent as (fetch reads them as Latin-1)
const headerText = (value) => Buffer.from(value, 'latin1').toString('utf8');
const b64url = (s) => Buffer.from(s).toString('base64url');
function token(claims) {
  const input = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${crypto.createHmac('sha256', secret).update(input).digest('base64url')}`;
}

test('reads come out as UTF-8, filtered by non-ASCII values', async () => {
  const all = await call('/people?order=id');
  assert.equal(all.status, 200);
  assert.deepEqual(all.body.map((p) => p.name), ['café', 'Müller', 'plain']);
  assert.match(all.headers.get('content-type'), /charset=utf-8/);
  assert.deepEqual((await call('/people?name=eq.café')).body, [{ id: 1, name: 'café' }]);
  assert.deepEqual((await call('/people?name=like.*ü*')).body, [{ id: 2, name: 'Müller' }]);
  assert.deepEqual((await call('/people?name=in.(café,Müller)&select=id&order=id')).body, [{ id: 1 }, { id: 2 }]);
  assert.deepEqual((await call('/people?select=nom:name&id=eq.2')).body, [{ nom: 'Müller' }]);
  const csv = await call('/people?order=id', { headers: { Accept: 'text/csv' } });
  assert.equal(csv.text, 'id,name\n1,café\n2,Müller\n3,plain');
});

test('writes take UTF-8 in JSON, CSV and forms, and store LATIN1', async () => {
  let res = await call('/people', json('POST', { id: 10, name: 'Zoë à Noël' }, { Prefer: 'return=representation' }));
  assert.equal(res.status, 201);
  assert.deepEqual(res.body, [{ id: 10, name: 'Zoë à Noël' }]);
  res = await call('/people', { method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: 'id,name\n11,Ångström' });
  assert.equal(res.status, 201);
  res = await call('/people', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'id=12&name=na%C3%AFve' });
  assert.equal(res.status, 201);
  res = await call('/people?id=eq.10', json('PATCH', { name: 'Zoë' }));
  assert.equal(res.status, 204);
  // an escape for a Latin-1 character is the character
  res = await call('/people', json('POST', { id: 13, name: 'x' }));
  res = await call('/people?id=eq.13', { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: '{"name": "\\u00e9t\\u00e9"}' });
  assert.equal(res.status, 204);
  // the database holds LATIN1 text, one byte per character
  assert.equal(cluster.sql("SELECT string_agg(name || ':' || octet_length(name), ',' ORDER BY id) FROM people WHERE id >= 10").trim(),
    'Zoë:3,Ångström:8,naïve:5,été:3');
  // a key of the row written, in Location, percent-encoded as UTF-8
  res = await call('/t%C3%A5ble', json('POST', { id: 1, 'nåme': 'ø' }, { Prefer: 'return=headers-only' }));
  assert.equal(res.status, 201);
  assert.equal(res.headers.get('location'), '/t%C3%A5ble?id=eq.1');
  assert.deepEqual((await call('/tåble?select=nåme')).body, [{ 'nåme': 'ø' }]);
});

test('a character LATIN1 cannot hold is a 400, wherever it comes', async () => {
  const euro = [
    ['a JSON body', '/people', json('POST', { id: 20, name: '5 €' })],
    ['an escaped JSON body', '/people', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"id": 20, "name": "\\u20ac"}' }],
    ['a CSV body', '/people', { method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: 'id,name\n20,€' }],
    ['a filter', '/people?name=eq.€', {}],
    ['a path', '/€', {}],
    ['a function argument', '/rpc/greet?who=€', {}],
    ['a header value', '/people?id=eq.1', { headers: { 'X-Who': Buffer.from('€').toString('latin1') } }],
    ['a token claim', '/my_claims', { headers: { Authorization: `Bearer ${token({ role: 'latin1_user', name: '€' })}` } }],
  ];
  for (const [what, path, options] of euro) {
    const res = await call(path, options);
    assert.equal(res.status, 400, what);
    assert.ok(['22P05', '22021'].includes(res.body.code), `${what}: ${res.text}`);
  }
  assert.equal(cluster.sql('SELECT count(*) FROM people WHERE id = 20').trim(), '0');
  // bytes that are not UTF-8 at all
  const res = await call('/people?name=eq.%E9');
  assert.equal(res.status, 400);
  assert.equal(res.body.code, 'PGRST100');
});

test('errors speak UTF-8: PostgreSQL\'s, RAISE\'s and pgrest\'s', async () => {
  let res = await call('/rpc/fail_politely', json('POST', {}));
  assert.equal(res.status, 400);
  assert.deepEqual(res.body, { code: 'P0001', details: 'détail: ü', hint: 'réessayez', message: 'ça a échoué pour Zoë' });
  res = await call('/rpc/choose_response', json('POST', {}));
  assert.equal(res.status, 418);
  assert.deepEqual(res.body, { code: 'X1', details: null, hint: 'à propos', message: 'refusé' });
  assert.equal(headerText(res.headers.get('x-why')), 'thé');
  res = await call('/tâble');
  assert.equal(res.status, 404);
  assert.match(res.body.message, /'public\.tâble'/);
  res = await call('/people?nâme=eq.1');
  assert.equal(res.status, 400);
  assert.match(res.text, /nâme/);
  res = await call('/people', json('POST', { id: 1, name: 'dupe' }));
  assert.equal(res.status, 409);
  assert.match(res.body.details, /\(id\)=\(1\)/);
});

test('functions, headers, OpenAPI and /sql', async () => {
  assert.equal((await call('/rpc/greet?who=wörld')).body, 'héllo wörld');
  assert.equal((await call('/rpc/greet', json('POST', { who: 'Jürgen' }))).body, 'héllo Jürgen');
  const res = await call('/rpc/with_header', json('POST', {}));
  assert.equal(res.status, 200);
  assert.equal(headerText(res.headers.get('x-note')), 'crème brûlée');
  const doc = await call('/', { headers: { Accept: 'application/openapi+json' } });
  assert.equal(doc.status, 200);
  assert.ok('/t%C3%A5ble' in doc.body.paths, Object.keys(doc.body.paths).join(' '));
  assert.equal(doc.body.components.schemas.people.description, 'Les gens, triés à la main');
  const sql = await call('/sql', json('POST', { query: "SELECT name, 'ß' AS s FROM people WHERE name = 'café'" }));
  assert.deepEqual(sql.body, [{ name: 'café', s: 'ß' }]);
  const euro = await call('/sql', json('POST', { query: "SELECT '€' AS e" }));
  assert.equal(euro.status, 400);
});

test('a token\'s claims and header values reach SQL as LATIN1', async () => {
  const res = await call('/my_claims', {
    headers: { Authorization: `Bearer ${token({ role: 'latin1_user', name: 'José' })}`, 'X-Who': Buffer.from('Renée').toString('latin1') },
  });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.body, [{ name: 'José', header: 'Renée' }]);
});

test('a streamed read converts every batch', async () => {
  const res = await call('/many?order=id');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-length'), null, 'the body was streamed');
  assert.equal(res.body.length, 500);
  assert.ok(res.body.every((r) => r.s === 'é'.repeat(50) + r.id));
});

test('pgrest.handle() takes and gives LATIN1 text, as SQL does', () => {
  assert.equal(cluster.sql("SELECT body FROM pgrest.handle('GET', '/people?name=eq.Müller&select=name')").trim(),
    '[{"name":"Müller"}]');
  assert.equal(cluster.sql(`SELECT status || ' ' || (body::jsonb->>'message') FROM pgrest.handle('GET', '/nöpe')`).trim(),
    "404 Could not find the table 'public.nöpe' in the schema cache");
  assert.equal(cluster.sql(`SELECT status || ' ' || body FROM pgrest.handle('POST', '/rpc/greet', NULL,
    '{"Content-Type": "application/json"}', '{"who": "Ørsted"}')`).trim(), '200 "héllo Ørsted"');
});

test('no worker exited', () => {
  assert.deepEqual(cluster.workers(), workers);
});

// WIN1252 leaves five bytes without a character (0x81, 0x8D, 0x8F, 0x90,
// 0x9D), which the database stores and UTF-8 cannot say: an error is
// answered after its transaction, where no conversion may fail, so such
// a byte becomes U+FFFD there; a row holding one fails PostgreSQL's own
// conversion inside the transaction (400), as it would for psql.
test('a WIN1252 database: bytes without a character never stop an answer', async () => {
  const win = await startCluster({
    createdb: "ENCODING 'WIN1252' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0",
    sql: `CREATE FUNCTION odd_error() RETURNS void LANGUAGE plpgsql AS $$
          BEGIN
              RAISE EXCEPTION 'odd: %', convert_from('\\x81'::bytea, 'WIN1252') USING HINT = '5 €';
          END $$;
          CREATE FUNCTION odd_header() RETURNS text LANGUAGE plpgsql AS $$
          BEGIN
              PERFORM set_config('response.headers',
                  '[{"X-Odd": "a' || convert_from('\\x81'::bytea, 'WIN1252') || 'b €"}]', true);
              RETURN 'ok';
          END $$;
          CREATE FUNCTION odd_value() RETURNS text LANGUAGE sql STABLE
              AS $$ SELECT 'x' || convert_from('\\x81'::bytea, 'WIN1252') $$;`,
  });
  try {
    const before = win.workers();
    let res = await fetch(`${win.url}/rpc/odd_error`, { method: 'POST' });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { code: 'P0001', details: null, hint: '5 €', message: 'odd: \uFFFD' });
    res = await fetch(`${win.url}/rpc/odd_header`, { method: 'POST' });
    assert.equal(res.status, 200);
    assert.equal(headerText(res.headers.get('x-odd')), 'a\uFFFDb €');
    res = await fetch(`${win.url}/rpc/odd_value`);
    assert.equal(res.status, 400);
    assert.equal((await res.json()).code, '22P05');
    assert.deepEqual(win.workers(), before);
  } finally {
    assert.deepEqual(unexpectedExits(win.stop()), [], 'a worker ended');
  }
});
