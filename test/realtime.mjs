// Helpers of the realtime tests: a cluster with wal_level = logical and
// pgrest.realtime on (test/cluster.mjs), tokens, and a Server-Sent Events
// client that keeps every frame it reads.
//
// stream(url, path, { headers, token }) opens a GET with
// Accept: text/event-stream and resolves once the response's head is in:
// { status, headers, body (for an answer that is not a stream), events,
// until(predicate, ms), waitFor(count, type, ms), close(), closed }.  Each
// event is { id, event, data } with data parsed when it is JSON; comment
// lines (heartbeats) are counted in comments.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startCluster, sleep, unexpectedExits } from './cluster.mjs';

export const secret = 'realtime-tests-jwt-secret-of-at-least-32-bytes';

// a cluster that streams changes; sql runs in its database first
export async function startRealtime({ settings = {}, sql = '', wait = true } = {}) {
  const cluster = await startCluster({
    settings: {
      wal_level: 'logical',
      'pgrest.realtime': 'on',
      'pgrest.jwt_secret': `'${secret}'`,
      ...settings,
    },
    sql,
  });
  if (wait) await realtimeRunning(cluster);
  return cluster;
}

// wait until the decoder runs (its slot is made at first start)
export async function realtimeRunning(cluster, ms = 30000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const state = cluster.sql('SELECT state FROM pgrest.realtime_status()').trim();
    if (state === 'running') return;
    if (Date.now() > deadline) throw new Error(`realtime is ${state}, not running`);
    await sleep(100);
  }
}

// the workers' exits no test asked for; the decoder's start before the
// cluster's database exists (test/cluster.mjs creates it once the server
// runs) is not one
export function realtimeExits(log) {
  return unexpectedExits(log).filter((x) => !/realtime decoder .*database "hostile" does not exist/.test(x));
}

// an HS256 token for claims (role, sub, exp ...)
export function token(claims) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

// one frame's lines into an event; null for a frame of comments alone
function parseFrame(frame, s) {
  const event = { id: undefined, event: 'message', data: undefined, retry: undefined };
  let data = null;
  let fields = 0;
  for (const line of frame.split('\n')) {
    if (line === '') continue;
    if (line.startsWith(':')) { s.comments++; continue; }
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    fields++;
    if (name === 'id') event.id = value;
    else if (name === 'event') event.event = value;
    else if (name === 'retry') event.retry = Number(value);
    else if (name === 'data') data = data === null ? value : `${data}\n${value}`;
  }
  if (fields === 0) return null;
  if (data !== null) {
    try { event.data = JSON.parse(data); } catch { event.data = data; }
  }
  return event;
}

export function stream(base, path, { headers = {}, token: jwt, agent } = {}) {
  return new Promise((resolve, reject) => {
    const url = new URL(path, base);
    const s = {
      status: 0, headers: {}, body: '', events: [], comments: 0, closed: false,
      raw: '', waiters: [],
    };
    const h = { accept: 'text/event-stream', ...headers };
    if (jwt) h.authorization = `Bearer ${jwt}`;
    const req = http.get(url, { headers: h, agent: agent ?? false }, (res) => {
      s.status = res.statusCode;
      s.headers = res.headers;
      res.setEncoding('utf8');
      let pending = '';
      res.on('data', (chunk) => {
        s.raw += chunk;
        if (res.statusCode !== 200) { s.body += chunk; return; }
        pending += chunk;
        let end;
        while ((end = pending.indexOf('\n\n')) >= 0) {
          const frame = pending.slice(0, end);
          pending = pending.slice(end + 2);
          const event = parseFrame(frame, s);
          if (event && (event.data !== undefined || event.id !== undefined)) s.events.push(event);
        }
        for (const w of [...s.waiters]) w();
      });
      const done = () => { s.closed = true; for (const w of [...s.waiters]) w(); };
      res.on('end', done);
      res.on('close', done);
      res.on('error', done);
      resolve(s);
    });
    req.on('error', (e) => { if (!s.status) reject(e); else { s.closed = true; } });
    s.req = req;
    s.close = () => { req.destroy(); s.closed = true; };
    // resolves with the events so far once predicate(events) holds
    s.until = (predicate, ms = 10000) => new Promise((res2, rej2) => {
      const check = () => {
        if (predicate(s.events, s)) { cleanup(); res2(s.events); return true; }
        return false;
      };
      const timer = setTimeout(() => {
        cleanup();
        rej2(new Error(`timed out; events: ${JSON.stringify(s.events.map((e) => [e.event, e.id]))}`));
      }, ms);
      const cleanup = () => { clearTimeout(timer); s.waiters = s.waiters.filter((w) => w !== check); };
      if (!check()) s.waiters.push(check);
    });
    // count events of a type (all but ready/snapshot when type is null)
    s.changes = () => s.events.filter((e) => ['insert', 'update', 'delete', 'truncate'].includes(e.event));
    s.waitFor = (count, type = null, ms = 10000) => s.until((events) =>
      events.filter((e) => (type ? e.event === type : ['insert', 'update', 'delete', 'truncate'].includes(e.event))).length >= count, ms);
  });
}

// compare two ids of one epoch: <0, 0, >0
export function compareIds(a, b) {
  const [ea, la, sa] = a.split('-');
  const [eb, lb, sb] = b.split('-');
  if (ea !== eb) throw new Error(`ids of two epochs: ${a} ${b}`);
  const l = BigInt(`0x${la}`) - BigInt(`0x${lb}`);
  if (l !== 0n) return l < 0n ? -1 : 1;
  return Number(sa) - Number(sb);
}

// run psql on the cluster's database in the background: resolves with its
// output when it ends (a writer running beside the streams)
export function sqlAsync(cluster, text) {
  const dir = path.dirname(cluster.log);
  const conf = fs.readFileSync(`${dir}/data/postgresql.conf`, 'utf8');
  const port = /^port = (\d+)/m.exec(conf)[1];
  const bindir = process.env.PGREST_BINDIR ?? '/usr/lib/postgresql/15/bin';
  const args = ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-h', dir, '-p', port, '-U', 'postgres', '-d', 'hostile'];
  const asRoot = process.getuid?.() === 0;
  const child = asRoot ? spawn('runuser', ['-u', 'postgres', '--', `${bindir}/psql`, ...args])
    : spawn(`${bindir}/psql`, args);
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  child.stdin.end(text);
  return new Promise((resolve, reject) => child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(out)))));
}

export { sleep };
