// Asymmetric JWTs: keys generated with `openssl genpkey` in this run,
// published to pgrest as a JWK Set in a file (pgrest.jwt_secret =
// '@file'), tokens signed with node's crypto.  Valid tokens of every
// algorithm pass; tampered signatures, unknown kids, algorithms that do
// not match the key (an HS256 token "signed" with an RSA public key) and
// DER-encoded ECDSA signatures fail; a rewritten key file takes effect on
// reload; RSA keys too weak to trust (1024 bits, exponent 3) keep the
// whole set from loading.  Runs its own cluster.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCluster, sleep, unexpectedExits } from './cluster.mjs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgrest-jwk-'));
fs.chmodSync(dir, 0o755);
const jwksPath = path.join(dir, 'jwks.json');
const hmacSecret = 'an-hmac-secret-that-is-long-enough-for-hs';

// a private key from openssl genpkey, as a node KeyObject
function genpkey(name, ...args) {
  const file = path.join(dir, `${name}.pem`);
  execFileSync('openssl', ['genpkey', ...args, '-out', file], { stdio: 'ignore' });
  return crypto.createPrivateKey(fs.readFileSync(file));
}
const keys = {
  rsa: genpkey('rsa', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'),
  ec256: genpkey('ec256', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'),
  ec384: genpkey('ec384', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'),
  ed: genpkey('ed', '-algorithm', 'ed25519'),
  other: genpkey('other', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'),
  // too weak to trust: a short modulus, a small exponent
  rsa1024: genpkey('rsa1024', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024'),
  rsa_e3: genpkey('rsa_e3', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-pkeyopt', 'rsa_keygen_pubexp:3'),
};
const jwk = (name, extra = {}) => ({ ...crypto.createPublicKey(keys[name]).export({ format: 'jwk' }), kid: name, ...extra });
const b64url = (buf) => Buffer.from(buf).toString('base64url');

function writeJwks(list) {
  fs.writeFileSync(jwksPath, JSON.stringify({ keys: list }) + '\n', { mode: 0o644 });
}
writeJwks([
  jwk('rsa'), jwk('ec256'), jwk('ec384'), jwk('ed'),
  { ...jwk('other'), kid: 'rs384-only', alg: 'RS384' },
  { kty: 'oct', kid: 'hs', k: b64url(hmacSecret) },
]);

// header.payload.signature; sign(data) gives the signature bytes
function token(header, payload, sign) {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${b64url(sign(Buffer.from(input)))}`;
}
const hash = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512', ES256: 'sha256', ES384: 'sha384' };
function signer(alg, key, options = {}) {
  if (alg.startsWith('HS')) return (data) => crypto.createHmac(`sha${alg.slice(2)}`, key).update(data).digest();
  if (alg === 'EdDSA') return (data) => crypto.sign(null, data, keys[key]);
  return (data) => crypto.sign(hash[alg], data, { key: keys[key], dsaEncoding: 'ieee-p1363', ...options });
}
const claims = { role: 'jwk_user', exp: Math.floor(Date.now() / 1000) + 600 };
const mint = (alg, key, kid = key, extra = {}) => token({ alg, typ: 'JWT', ...(kid ? { kid } : {}), ...extra.header }, claims, signer(alg, key, extra.options));

let cluster;
before(async () => {
  cluster = await startCluster({
    settings: { 'pgrest.jwt_secret': `'@${jwksPath}'` },
    sql: `CREATE ROLE jwk_user NOLOGIN;
          GRANT jwk_user TO hostile_authenticator;
          CREATE VIEW whoami AS SELECT current_user AS role;
          GRANT SELECT ON whoami TO jwk_user, hostile_anon;`,
  });
});
after(() => {
  const log = cluster?.stop() ?? '';
  fs.rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(unexpectedExits(log), [], 'a worker ended');
  assert.ok(!log.includes(hmacSecret) && !log.includes(b64url(hmacSecret)), 'a key reached the server log');
});

async function who(jwt) {
  const res = await fetch(`${cluster.url}/whoami`, { headers: { Authorization: `Bearer ${jwt}` } });
  const body = await res.json();
  return res.status === 200 ? [200, body[0].role] : [res.status, body.message];
}

test('every algorithm verifies with its key', async () => {
  for (const [alg, key] of [['RS256', 'rsa'], ['RS384', 'rsa'], ['RS512', 'rsa'], ['ES256', 'ec256'],
    ['ES384', 'ec384'], ['EdDSA', 'ed'], ['RS384', 'other']]) {
    const kid = key === 'other' ? 'rs384-only' : key;
    assert.deepEqual(await who(mint(alg, key, kid)), [200, 'jwk_user'], `${alg} with ${kid}`);
  }
  for (const alg of ['HS256', 'HS384', 'HS512']) {
    assert.deepEqual(await who(mint(alg, hmacSecret, 'hs')), [200, 'jwk_user'], alg);
  }
  // without a kid, every key of the algorithm's type is tried
  assert.deepEqual(await who(mint('ES256', 'ec256', null)), [200, 'jwk_user']);
});

test('tampered tokens, wrong kids and mismatched algorithms are refused', async () => {
  const good = mint('RS256', 'rsa');
  const [h, p, s] = good.split('.');
  const flip = (str, i) => str.slice(0, i) + (str[i] === 'A' ? 'B' : 'A') + str.slice(i + 1);
  const otherPayload = b64url(JSON.stringify({ ...claims, role: 'postgres' }));
  const rsaPublicPem = crypto.createPublicKey(keys.rsa).export({ type: 'spki', format: 'pem' });
  const cases = [
    ['signature tampered', `${h}.${p}.${flip(s, 20)}`, 'No suitable key or wrong key type'],
    ['payload swapped', `${h}.${otherPayload}.${s}`, 'No suitable key or wrong key type'],
    ['unknown kid', mint('RS256', 'rsa', 'nobody'), 'No suitable key or wrong key type'],
    ['an EC key\'s kid for RS256', mint('RS256', 'rsa', 'ec256'), 'No suitable key or wrong key type'],
    ['RS256 with the RS384-only key', mint('RS256', 'other', 'rs384-only'), 'No suitable key or wrong key type'],
    ['signed by another RSA key', mint('RS256', 'other', 'rsa'), 'No suitable key or wrong key type'],
    ['HS256 signed with the RSA public key, its kid', token({ alg: 'HS256', kid: 'rsa' }, claims, signer('HS256', rsaPublicPem)), 'No suitable key or wrong key type'],
    ['HS256 signed with the RSA public key, no kid', token({ alg: 'HS256' }, claims, signer('HS256', rsaPublicPem)), 'No suitable key or wrong key type'],
    ['HS256 signed with the RSA JWK\'s n', token({ alg: 'HS256' }, claims, signer('HS256', jwk('rsa').n)), 'No suitable key or wrong key type'],
    ['ES256 with a DER signature', mint('ES256', 'ec256', 'ec256', { options: { dsaEncoding: 'der' } }), 'No suitable key or wrong key type'],
    ['ES384 claimed, ES256 key', mint('ES256', 'ec256', 'ec384', { header: { alg: 'ES384' } }), 'No suitable key or wrong key type'],
    ['EdDSA with the EC key\'s kid', mint('EdDSA', 'ed', 'ec256'), 'No suitable key or wrong key type'],
    ['alg none', `${b64url(JSON.stringify({ alg: 'none' }))}.${b64url(JSON.stringify(claims))}.`, 'Wrong or unsupported encoding algorithm'],
    ['PS256', token({ alg: 'PS256', kid: 'rsa' }, claims, (d) => crypto.sign('sha256', d, { key: keys.rsa, padding: crypto.constants.RSA_PKCS1_PSS_PADDING })), 'Wrong or unsupported encoding algorithm'],
  ];
  for (const [label, jwt, message] of cases) {
    assert.deepEqual(await who(jwt), [401, message], label);
  }
});

test('a rewritten key file takes effect on reload', async () => {
  const before = mint('ES256', 'ec256');
  writeJwks([jwk('ed')]);
  assert.deepEqual(await who(before), [200, 'jwk_user'], 'the old keys hold until the reload');
  cluster.sql('SELECT pg_reload_conf()');
  // both workers: six requests in a row see the new keys
  let streak = 0;
  for (let i = 0; i < 100 && streak < 6; i++) {
    const [status] = await who(before);
    streak = status === 401 ? streak + 1 : 0;
    if (streak === 0) await sleep(100);
  }
  assert.equal(streak, 6, 'the workers kept the old keys');
  assert.deepEqual(await who(before), [401, 'No suitable key or wrong key type']);
  assert.deepEqual(await who(mint('EdDSA', 'ed')), [200, 'jwk_user']);
});

// the keys the workers hold once six requests in a row answer status
async function reloadUntil(jwt, status) {
  cluster.sql('SELECT pg_reload_conf()');
  let streak = 0;
  for (let i = 0; i < 100 && streak < 6; i++) {
    const res = await fetch(`${cluster.url}/whoami`, { headers: { Authorization: `Bearer ${jwt}` } });
    const body = await res.json();
    streak = res.status === status ? streak + 1 : 0;
    if (streak === 6) return body;
    await sleep(100);
  }
  throw new Error(`the workers did not answer ${status}`);
}

test('RSA keys too weak to trust are refused, in a set of good ones too', async () => {
  const good = mint('EdDSA', 'ed');
  for (const [name, details] of [
    ['rsa1024', "An RSA JWK's modulus has 1024 bits; pgrest accepts RSA keys of 2048 bits or more."],
    ['rsa_e3', "An RSA JWK's public exponent is 3; pgrest accepts odd exponents of 65537 or more."],
  ]) {
    writeJwks([jwk('ed'), jwk(name)]);
    const body = await reloadUntil(good, 500);
    assert.equal(body.code, 'PGRST300', name);
    assert.equal(body.details, details, name);
    assert.ok(cluster.logText().includes(`pgrest cannot use pgrest.jwt_secret: ${details}`), `${name} in the log`);
  }
  writeJwks([jwk('ed')]);
  await reloadUntil(good, 200);
});
