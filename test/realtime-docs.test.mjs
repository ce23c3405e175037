// The realtime examples of docs/api.md, run as they are written: the
// browser's EventSource example (Node's EventSource) and the Node fetch
// example with a token, against a cluster with the demo's schema
// (examples/demo.sql) and realtime on.  What they print for a few changes
// is what the docs say a stream sends: the public todos for the anonymous
// role, alice's and the public ones for her token.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRealtime, token, sleep, realtimeExits } from './realtime.mjs';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
let cluster;
before(async () => {
  cluster = await startRealtime({
    settings: {
      'pgrest.workers': 1,
      'pgrest.role': "'authenticator'",
      'pgrest.anon_role': "'web_anon'",
      'pgrest.schemas': "'api'",
    },
    sql: `${fs.readFileSync(path.join(root, 'examples/demo.sql'), 'utf8')}
          CREATE PUBLICATION pgrest_realtime FOR TABLE api.todos;`,
  });
});
after(() => {
  const log = cluster?.stop() ?? '';
  assert.deepEqual(realtimeExits(log), [], 'a worker ended');
});

// the js blocks of the section with this heading
function example(heading) {
  const text = fs.readFileSync(path.join(root, 'docs/api.md'), 'utf8');
  const start = text.indexOf(`### ${heading}`);
  assert.ok(start >= 0, heading);
  const block = /```js\n([\s\S]*?)\n```/.exec(text.slice(start));
  return block[1].replaceAll('http://localhost:3000', cluster.url);
}

// run a script with node; its lines of output as they come
function run(code, { args = [], env = {} } = {}) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pgrest-docs-')), 'example.mjs');
  fs.writeFileSync(file, code);
  const child = spawn(process.execPath, [...args, file], { env: { ...process.env, ...env } });
  const out = { lines: [], child, stderr: '' };
  let pending = '';
  child.stdout.on('data', (d) => {
    pending += d;
    const parts = pending.split('\n');
    pending = parts.pop();
    out.lines.push(...parts);
  });
  child.stderr.on('data', (d) => { out.stderr += d; });
  return out;
}

async function until(fn, ms = 15000) {
  for (let t = 0; t < ms; t += 50) {
    if (fn()) return;
    await sleep(50);
  }
  throw new Error('timed out');
}

const subscribers = () => Number(cluster.sql(
  "SELECT value FROM pgrest.stats() WHERE name = 'pgrest_realtime_subscribers'").trim());

test('the EventSource and fetch examples of docs/api.md print the changes each may see', async () => {
  const browser = run(example('In a browser'), { args: ['--experimental-eventsource', '--no-warnings'] });
  const alice = run(example('In Node'), { env: { TOKEN: token({ role: 'web_user', sub: 'alice' }) } });
  try {
    await until(() => browser.lines.includes('live'));
    await until(() => subscribers() === 2);
    cluster.sql(`INSERT INTO api.todos (id, owner, task, public) VALUES
                   (10, 'alice', 'Public task', true), (11, 'bob', 'Bob''s own', false),
                   (12, 'alice', 'Alice''s own', false)`);
    cluster.sql('UPDATE api.todos SET done = true WHERE id = 10');
    cluster.sql('DELETE FROM api.todos WHERE id IN (11, 12)');
    cluster.sql(`INSERT INTO api.todos (id, owner, task, public) VALUES (13, 'alice', 'End', true)`);
    await until(() => browser.lines.some((l) => l.includes('"id":13')) && alice.lines.some((l) => l.includes('"id":13')));
    await sleep(200);
    assert.deepEqual(browser.lines, [
      'live',
      'INSERT {"id":10,"task":"Public task","done":false}',
      'INSERT {"id":13,"task":"End","done":false}',
    ], browser.stderr);
    assert.deepEqual(alice.lines, [
      'INSERT {"id":10,"task":"Public task","done":false}',
      'INSERT {"id":12,"task":"Alice\'s own","done":false}',
      'UPDATE {"id":10,"task":"Public task","done":true}',
      'DELETE {"id":12}',
      'INSERT {"id":13,"task":"End","done":false}',
    ], alice.stderr);
  } finally {
    browser.child.kill();
    alice.child.kill();
  }
});
