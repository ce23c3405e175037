// Hostile input: SQL injection in every place a request names something,
// malformed HTTP, and input built to exhaust the parser.  Every answer is
// a 4xx (never a 5xx), the canary table never changes, and the workers
// keep serving.  test/run fails the run if any server process died of a
// signal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';

const base = process.env.PGREST_URL;
const { hostname, port } = new URL(base);
const enc = encodeURIComponent;
const canaryRows = [{ id: 1, note: 'alive' }, { id: 2, note: 'still alive' }];

const payloads = [
  "'; DROP TABLE canary; --",
  '"; DROP TABLE canary; --',
  "1) OR (1=1",
  'x"; DELETE FROM canary; --',
  'id) FROM canary; --',
  "\\'; SELECT pg_sleep(10); --",
  '$1',
  'canary" WHERE true; --',
  '*/ DELETE FROM canary /*',
  'note::text); DELETE FROM canary; --',
];

async function req(path, init = {}) {
  const res = await fetch(base + path, init);
  await res.arrayBuffer();
  return res.status;
}

async function assertCanary() {
  const res = await fetch(`${base}/canary?order=id`, { headers: { 'Accept-Profile': 'api' } });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), canaryRows);
}

// the first line of the answer to raw bytes, or (closed)
function raw(bytes, timeout = 5000) {
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    let data = '';
    const done = (v) => { socket.destroy(); resolve(v); };
    socket.setTimeout(timeout, () => done(data ? data.split('\r\n')[0] : '(timeout)'));
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      if (data.includes('\r\n')) done(data.split('\r\n')[0]);
    });
    socket.on('error', () => done(data ? data.split('\r\n')[0] : '(closed)'));
    socket.on('end', () => done(data ? data.split('\r\n')[0] : '(closed)'));
    socket.on('connect', () => socket.write(bytes));
  });
}

test('SQL injection in names is refused, in values is only data', async () => {
  const json = { 'Content-Type': 'application/json' };
  for (const p of payloads) {
    const cases = [
      [`/${enc(p)}`, {}],
      [`/canary?${enc(p)}=eq.1`, {}],
      [`/canary?order=${enc(p)}`, {}],
      [`/canary?or=(${enc(p)})`, {}],
      [`/canary?id=eq.1&select=note::${enc(p)}`, {}],
      [`/canary?note=${enc(p)}`, {}],
      [`/canary?on_conflict=${enc(p)}`, { method: 'POST', headers: { ...json, Prefer: 'resolution=merge-duplicates' }, body: '{"id": 1, "note": "x"}' }],
      [`/canary?columns=${enc(p)}`, { method: 'POST', headers: json, body: '{"id": 9, "note": "x"}' }],
      ['/canary', { method: 'POST', headers: json, body: JSON.stringify({ [p]: 1 }) }],
      ['/canary?id=eq.1', { method: 'PATCH', headers: json, body: JSON.stringify({ [p]: 'x' }) }],
      [`/rpc/${enc(p)}`, { method: 'POST', headers: json, body: '{}' }],
      ['/canary', { headers: { Accept: p } }],
      ['/canary', { headers: { 'Accept-Profile': p } }],
      ['/canary', { headers: { Authorization: `Bearer ${p}` } }],
    ];
    for (const [path, init] of cases) {
      const status = await req(path, init);
      assert.ok(status >= 400 && status < 500, `${init.method ?? 'GET'} ${path} answered ${status}`);
    }
    // a select= list ends where its grammar does, as PostgREST reads it:
    // what follows a complete list (") FROM canary; --") is ignored, so
    // such a request may read the listed column; it never runs the rest
    // (assertCanary below)
    const status = await req(`/canary?select=${enc(p)}`);
    assert.ok(status < 500, `GET /canary?select=${enc(p)} answered ${status}`);
    // values are parameters: they match nothing, they change nothing
    for (const path of [`/canary?note=eq.${enc(p)}`, `/canary?note=in.(${enc(p)})`,
      `/canary?note=like.${enc(p)}`, `/canary?id=eq.1&select=${enc('x:note->>' + JSON.stringify(p))}`]) {
      const status = await req(path);
      assert.ok(status < 500, `GET ${path} answered ${status}`);
    }
    for (const [name, value] of [['Prefer', p], ['Range', p], ['Range-Unit', p], ['Cookie', `a=${p}`]]) {
      const status = await req('/canary', { headers: { [name]: value } });
      assert.ok(status < 500, `${name}: ${p} answered ${status}`);
    }
    await assertCanary();
  }
});

test('input built to exhaust the parser', async () => {
  const deepOr = `/canary?or=(${'or('.repeat(3000)}id.eq.1${')'.repeat(3000)})`;
  assert.equal(await req(deepOr), 400);
  assert.equal(await req(`/canary?select=${'a('.repeat(5000)}`), 400);
  assert.equal(await req(`/canary?id=in.(${'1,'.repeat(5000)}1)`), 200);
  assert.equal(await req(`/canary?select=${'note->'.repeat(2000)}x`), 200);
  const deepJson = '['.repeat(100000) + ']'.repeat(100000);
  assert.equal(await req('/canary', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: deepJson }), 400);
  assert.equal(await req('/canary', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: `{"note": ${deepJson}}` }), 400);
  const manyKeys = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]));
  assert.equal(await req('/canary', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(manyKeys) }), 400);
  await assertCanary();
});

test('malformed HTTP gets 4xx or a closed connection, and the workers serve on', async () => {
  const cases = [
    ['GARBAGE\r\n\r\n', /^\(closed\)$|^HTTP\/1\.1 4\d\d/],
    ['GET /canary\r\n\r\n', /^HTTP\/1\.1 400/],
    ['GET /canary HTTP/1.1\r\nno colon\r\n\r\n', /^HTTP\/1\.1 400/],
    ['POST /canary HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n', /^HTTP\/1\.1 400/],
    ['POST /canary HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n', /^HTTP\/1\.1 4\d\d/],
    ['POST /canary HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n', /^HTTP\/1\.1 413/],
    ['POST /canary HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello', /^HTTP\/1\.1 4\d\d/],
    ['POST /canary HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n', /^\(closed\)$|^HTTP\/1\.1 4\d\d/],
    ['POST /canary HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nffffffffffffffffff\r\n{}\r\n', /^\(closed\)$|^HTTP\/1\.1 4\d\d/],
    [`GET /${'x'.repeat(65536)} HTTP/1.1\r\nHost: x\r\n\r\n`, /^\(closed\)$|^HTTP\/1\.1 41[44]/],
    [`GET /canary HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70000)}\r\n\r\n`, /^\(closed\)$|^HTTP\/1\.1 431/],
    ['GET /canary HTTP/1.1\r\nHost: x\r\nX-Nul: a\0b\r\n\r\n', /^\(closed\)$|^HTTP\/1\.1 [24]\d\d/],
    ['GET /can\0ary HTTP/1.1\r\nHost: x\r\n\r\n', /^\(closed\)$|^HTTP\/1\.1 4\d\d/],
    ['GET /canary HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \xff\xfe\r\n\r\n', /^HTTP\/1\.1 4\d\d/],
    ['\x8dET /canary HTTP/1.1\r\nHost: x\r\n\r\n', /^\(closed\)$|^HTTP\/1\.1 400/],
    ['GET /canary HTTP/1.1\r\nHost: x\r\nX-\x8d: a\r\n\r\n', /^\(closed\)$|^HTTP\/1\.1 400/],
  ];
  for (const [bytes, expected] of cases) {
    const line = await raw(bytes);
    assert.match(line, expected, JSON.stringify(bytes.slice(0, 80)));
    assert.equal(await req('/canary', { headers: { 'Accept-Profile': 'api' } }), 200);
  }
  await assertCanary();
});

// A request's bytes, then (a moment later) its end; resolves with the
// first line of the answer, or (closed).  The end goes separately because
// libmicrohttpd misses an end that arrives with the last bytes of an
// unfinished request, and then keeps the connection until the idle
// timeout.
function sendAll(bytes, timeout = 5000) {
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    let data = Buffer.alloc(0);
    const done = () => {
      socket.destroy();
      const text = data.toString('latin1');
      resolve(text ? text.split('\r\n')[0] : '(closed)');
    };
    socket.setTimeout(timeout, () => { data = Buffer.from('(timeout)'); done(); });
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      if (data.includes('\r\n')) done();
    });
    socket.on('error', done);
    socket.on('end', done);
    socket.on('connect', () => {
      socket.write(bytes);
      setTimeout(() => socket.end(), 20);
    });
  });
}

// a small deterministic generator (mulberry32), so that every run sends
// the same requests
function generator(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('mutated requests get 2xx, 4xx or a closed connection, never a server error', async (t) => {
  const random = generator(20261122);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const withBody = (head, body) => `${head}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  const bases = [
    'GET /scratch?id=eq.1&select=id,note HTTP/1.1\r\nHost: x\r\nAccept-Profile: api\r\n\r\n',
    withBody('POST /scratch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nPrefer: return=representation\r\n', '{"id":7,"note":"n","n":2}'),
    withBody('PATCH /scratch?id=eq.1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n', '{"n":3}'),
    'POST /rpc/scratch_sum HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n7\r\n{"a":1}\r\n0\r\n\r\n',
    'OPTIONS /scratch HTTP/1.1\r\nHost: x\r\nOrigin: http://a\r\nAccess-Control-Request-Method: POST\r\n\r\n',
    'GET /scratch?or=(id.eq.1,note.like.o*)&order=n.desc HTTP/1.1\r\nHost: x\r\nAccept: text/csv\r\nRange: 0-1\r\nCookie: a=b; c\r\n\r\n',
    withBody('POST /scratch?columns=id,note HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n', 'id,note\n9,q\n'),
    'DELETE /scratch?id=gt.5 HTTP/1.1\r\nHost: x\r\nPrefer: count=exact\r\n\r\n',
  ];
  const junk = ['\0', '\r\n', '\r', '\n', ' ', ':', '%', '%00', '%zz', '\xff\xfe', '(', ')', '"', ',',
    '9'.repeat(30), '-1', 'chunked', 'Content-Length: ', 'Transfer-Encoding: chunked\r\n',
    'HTTP/1.0', '\t', '=', '&', '?', '/', '..', '\xc3\x28', 'A'.repeat(5000), '{', '[', '\\'];
  const mutate = (request) => {
    let r = request;
    for (let n = 1 + Math.floor(random() * 6); n > 0; n--) {
      const at = Math.floor(random() * (r.length + 1));
      const op = random();
      if (op < 0.4) r = r.slice(0, at) + pick(junk) + r.slice(at);
      else if (op < 0.7) r = r.slice(0, at) + r.slice(at + 1 + Math.floor(random() * 8));
      else if (op < 0.9) r = r.slice(0, at) + String.fromCharCode(Math.floor(random() * 256)) + r.slice(at + 1);
      else r = r.slice(0, at);
    }
    return r;
  };
  const seen = {};
  for (let i = 0; i < 400; i++) {
    const bytes = Buffer.from(mutate(pick(bases)), 'latin1');
    const line = await sendAll(bytes);
    const kind = line.startsWith('HTTP/1.') ? line.slice(9, 10) + 'xx' : line;
    seen[kind] = (seen[kind] ?? 0) + 1;
    // 505: libmicrohttpd's answer to an HTTP version it does not speak
    assert.match(line, /^HTTP\/1\.[01] ([234]\d\d|505)|^\(closed\)$/, JSON.stringify(bytes.toString('latin1')));
  }
  t.diagnostic(JSON.stringify(seen));
  assert.ok(seen['2xx'] > 5 && seen['4xx'] > 100, JSON.stringify(seen));
  assert.equal(await req('/canary', { headers: { 'Accept-Profile': 'api' } }), 200);
  await assertCanary();
});

test('a request that stops sending holds nothing up', async () => {
  // a body promised and never sent: another client is served meanwhile
  const socket = net.connect(Number(port), hostname);
  await new Promise((resolve) => socket.on('connect', resolve));
  socket.write('POST /canary HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"id":');
  assert.equal(await req('/canary'), 200);
  socket.destroy();
  await assertCanary();
});

test('an idle connection is closed after pgrest.idle_timeout (6 s here)', async () => {
  const socket = net.connect(Number(port), hostname);
  await new Promise((resolve) => socket.on('connect', resolve));
  const started = Date.now();
  const closed = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), 30000);
    socket.on('close', () => { clearTimeout(timer); resolve(true); });
  });
  assert.ok(closed, 'the idle connection stayed open for 30 s');
  assert.ok(Date.now() - started >= 4000, 'closed before the idle timeout');
});

// Requests on one keep-alive connection, one after the other; resolves
// with the status line and body of each answer.
function session(requests, timeout = 30000) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const answers = [];
    let data = Buffer.alloc(0);
    const fail = (why) => { socket.destroy(); reject(new Error(`${why} after ${answers.length} answers`)); };
    socket.setTimeout(timeout, () => fail('timeout'));
    socket.on('error', (e) => fail(e.message));
    socket.on('close', () => fail('connection closed'));
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = data.subarray(0, end).toString('latin1');
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (data.length < end + 4 + length) return;
      answers.push({ status: head.split('\r\n')[0], body: data.subarray(end + 4, end + 4 + length).toString() });
      data = data.subarray(end + 4 + length);
      if (answers.length === requests.length) {
        socket.removeAllListeners('close');
        socket.destroy();
        resolve(answers);
      } else socket.write(requests[answers.length]);
    });
    socket.on('connect', () => socket.write(requests[0]));
  });
}

test('a request that runs longer than pgrest.idle_timeout is answered, and its connection kept', async () => {
  const body = JSON.stringify({ seconds: 7 });
  const answers = await session([
    `POST /rpc/nap HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    'GET /canary?order=id HTTP/1.1\r\nHost: x\r\n\r\n',
  ]);
  assert.deepEqual(answers.map((a) => a.status), ['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
  assert.equal(answers[0].body, '"rested"');
  assert.deepEqual(JSON.parse(answers[1].body), canaryRows);
});

