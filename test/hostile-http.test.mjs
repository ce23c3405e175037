// Hostile HTTP framing and oversized requests: every refusal is a JSON
// error with the right status, never silence, and a request whose length
// is ambiguous (RFC 9112), or whose header names are no tokens, closes its
// connection, so nothing can be smuggled behind it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';

const base = process.env.PGREST_URL;
const { hostname, port } = new URL(base);

// every byte the server sends until it closes (or timeout ms pass)
function exchange(bytes, timeout = 5000) {
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    let data = Buffer.alloc(0);
    let closed = false;
    const done = () => { socket.destroy(); resolve({ text: data.toString('latin1'), closed }); };
    const timer = setTimeout(done, timeout);
    socket.on('data', (chunk) => { data = Buffer.concat([data, chunk]); });
    socket.on('end', () => { closed = true; clearTimeout(timer); done(); });
    socket.on('error', () => { closed = true; clearTimeout(timer); done(); });
    socket.on('connect', () => socket.write(bytes));
  });
}

// the status and the JSON body of the first answer in text
function firstAnswer(text) {
  const end = text.indexOf('\r\n\r\n');
  assert.ok(end > 0, `no answer: ${JSON.stringify(text.slice(0, 200))}`);
  const head = text.slice(0, end);
  const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
  return { status: Number(head.split(' ')[1]), head, body: text.slice(end + 4, end + 4 + length) };
}

const smuggled = 'GET /canary HTTP/1.1\r\nHost: x\r\nAccept-Profile: api\r\n\r\n';

test('two different Content-Lengths: 400, connection closed, nothing smuggled', async () => {
  const { text, closed } = await exchange(
    `POST /canary HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: ${2 + smuggled.length}\r\n\r\n{}${smuggled}`);
  const answer = firstAnswer(text);
  assert.equal(answer.status, 400);
  assert.equal(JSON.parse(answer.body).code, 'PGRST505');
  assert.match(answer.head, /\r\nConnection: close/i);
  assert.ok(closed, 'the connection stayed open');
  assert.equal(text.split('HTTP/1.1 ').length - 1, 1, 'a second answer followed');
});

test('Content-Length with Transfer-Encoding: chunked: 400, connection closed', async () => {
  const { text, closed } = await exchange(
    `POST /canary HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 7\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`);
  const answer = firstAnswer(text);
  assert.equal(answer.status, 400);
  assert.equal(JSON.parse(answer.body).code, 'PGRST505');
  assert.ok(closed);
  assert.equal(text.split('HTTP/1.1 ').length - 1, 1, 'a second answer followed');
});

// the answers (status lines) in what the server sent
const answers = (text) => text.split(/(?=HTTP\/1\.1 \d\d\d )/).filter((a) => a.startsWith('HTTP/1.1 '));

test('Transfer-Encoding other than "chunked" alone: 400, connection closed, nothing smuggled', async () => {
  const variants = ['gzip, chunked', 'chunked, chunked', 'identity', 'gzip',
    'chunked ', 'chunked;x=1', 'chunked\r\nTransfer-Encoding: chunked',
    'gzip\r\nTransfer-Encoding: chunked', 'chunked\r\nTransfer-Encoding: gzip'];
  for (const te of variants) {
    const { text, closed } = await exchange(
      `POST /canary HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: ${te}\r\n\r\n2\r\n{}\r\n0\r\n\r\n${smuggled}`);
    const answer = firstAnswer(text);
    assert.equal(answer.status, 400, JSON.stringify(te));
    assert.equal(JSON.parse(answer.body).code, 'PGRST505');
    assert.match(answer.head, /\r\nConnection: close/i);
    assert.ok(closed, `${JSON.stringify(te)}: the connection stayed open`);
    assert.equal(answers(text).length, 1, `${JSON.stringify(te)}: a second answer followed`);
  }
});

test('Transfer-Encoding from an HTTP/1.0 client: 400, connection closed', async () => {
  const { text, closed } = await exchange(
    'POST /canary HTTP/1.0\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n');
  const answer = firstAnswer(text);
  assert.equal(answer.status, 400);
  assert.equal(JSON.parse(answer.body).code, 'PGRST505');
  assert.ok(closed);
});

test('"chunked" (in any case, as RFC 9112 names codings) is read, and the connection kept', async () => {
  for (const te of ['chunked', 'Chunked', 'CHUNKED']) {
    const { text } = await exchange(
      `GET /canary?id=eq.1 HTTP/1.1\r\nHost: x\r\nAccept-Profile: api\r\nTransfer-Encoding: ${te}\r\n\r\n0\r\n\r\n${smuggled.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n')}`);
    assert.deepEqual(answers(text).map((a) => a.slice(0, 12)), ['HTTP/1.1 200', 'HTTP/1.1 200'], te);
  }
});

test('a header name or method that is no token: 400, connection closed, nothing smuggled', async () => {
  // libmicrohttpd takes "Transfer-Encoding " for another header, and the
  // chunks for the next request; a proxy may have read them as chunks
  for (const request of [
    `POST /canary HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n${smuggled}`,
    `POST /canary HTTP/1.1\r\nHost: x\r\nContent-Length : ${smuggled.length}\r\n\r\n${smuggled}`,
    `GET( /canary HTTP/1.1\r\nHost: x\r\n\r\n${smuggled}`,
  ]) {
    const { text, closed } = await exchange(request);
    const answer = firstAnswer(text);
    assert.equal(answer.status, 400, request.split('\r\n')[0]);
    assert.equal(JSON.parse(answer.body).code, 'PGRST100');
    assert.match(answer.head, /\r\nConnection: close/i);
    assert.ok(closed, 'the connection stayed open');
    assert.equal(answers(text).filter((a) => !a.startsWith('HTTP/1.1 400')).length, 0, 'the smuggled request was answered');
  }
});

test('libmicrohttpd\'s own 400s close the connection too', async () => {
  for (const request of [
    `POST /canary HTTP/1.1\r\nHost: x\r\nContent-Length: 2x\r\n\r\n{}${smuggled}`,
    `POST /canary HTTP/1.1\r\nHost: x\r\nContent-Length: 2, 2\r\n\r\n{}${smuggled}`,
    `POST /canary HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n${smuggled}`,
    `GET /canary HTTP/1.1\r\nHost: x\r\nno colon\r\n\r\n${smuggled}`,
  ]) {
    const { text, closed } = await exchange(request);
    assert.match(text, /^HTTP\/1\.1 400 /, request.split('\r\n')[2]);
    assert.match(text, /\r\nConnection: close\r\n/i);
    assert.ok(closed, 'the connection stayed open');
    assert.doesNotMatch(text, /HTTP\/1\.1 200 /, 'the smuggled request was answered');
  }
});

test('a repeated, identical Content-Length is one length', async () => {
  const { text } = await exchange(
    'GET /canary?id=eq.1 HTTP/1.1\r\nHost: x\r\nAccept-Profile: api\r\nContent-Length: 0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  assert.equal(firstAnswer(text).status, 200);
});

test('too many query parameters or too long a target: 414 JSON, never silence', async () => {
  const params = (n) => Array.from({ length: n }, (_, i) => `a${i}=eq.1`).join('&');
  for (const n of [300, 440, 600, 1000]) {
    const res = await fetch(`${base}/canary?${params(n)}`, { headers: { 'Accept-Profile': 'api' } });
    assert.equal(res.status, 400, `${n} parameters`);
    assert.equal((await res.json()).code, '42703');
  }
  for (const path of [`/canary?${params(1001)}`, `/canary?${params(3000)}`, `/${'x'.repeat(17000)}`]) {
    const res = await fetch(base + path);
    assert.equal(res.status, 414, `${path.length} bytes`);
    assert.equal((await res.json()).code, 'PGRST506');
  }
  // past what a connection's memory holds, libmicrohttpd answers itself
  const { text } = await exchange(`GET /${'x'.repeat(40000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
  assert.equal(firstAnswer(text).status, 414);
});

test('too many header fields: 431 JSON', async () => {
  const headers = (n) => Array.from({ length: n }, (_, i) => `X-H${i}: v\r\n`).join('');
  let answer = firstAnswer((await exchange(`GET /canary?id=eq.1 HTTP/1.1\r\nHost: x\r\nAccept-Profile: api\r\nConnection: close\r\n${headers(197)}\r\n`)).text);
  assert.equal(answer.status, 200);
  answer = firstAnswer((await exchange(`GET /canary HTTP/1.1\r\nHost: x\r\n${headers(300)}\r\n`)).text);
  assert.equal(answer.status, 431);
  assert.equal(JSON.parse(answer.body).code, 'PGRST507');
  answer = firstAnswer((await exchange(`GET /canary HTTP/1.1\r\nHost: x\r\n${headers(1500)}\r\n`)).text);
  assert.equal(answer.status, 431);
});
