// The layers of src/, lowest first, and the rule between them: a file
// includes only headers of its own folder and of folders below it; the
// entry points at the top of src/ include anything.  Folders on one line
// are siblings: neither includes the other.  Exit status 1, and a line
// for each, when an include breaks the rule or a loop of includes exists.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const layers = [
  ['base'], ['server'], ['api'], ['auth', 'cache'], ['plan'], ['query'], ['run'], ['realtime'], ['response'], ['http'],
];
const rank = new Map(layers.flatMap((names, i) => names.map((n) => [n, i])));

const src = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src');
const files = [];
(function walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (/\.[ch]$/.test(e.name)) files.push(path.relative(src, p));
  }
})(src);

const folderOf = (f) => (f.includes('/') ? f.split('/')[0] : '');
const problems = [];
const edges = new Map();
for (const f of files) {
  const from = folderOf(f);
  if (from && !rank.has(from)) problems.push(`${f}: folder src/${from}/ is in no layer`);
  const text = fs.readFileSync(path.join(src, f), 'utf8');
  for (const m of text.matchAll(/^#include "([^"]+)"/gm)) {
    const target = m[1];
    if (!files.includes(target)) continue;	/* PostgreSQL's, libmicrohttpd's */
    const to = folderOf(target);
    if (target.replace(/\.h$/, '') !== f.replace(/\.[ch]$/, '')) {
      const key = f.replace(/\.[ch]$/, '');
      const dst = target.replace(/\.h$/, '');
      if (!edges.has(key)) edges.set(key, new Set());
      edges.get(key).add(dst);
    }
    if (from === '' || from === to) continue;
    if (to === '') problems.push(`${f}: includes the entry point's header "${target}"`);
    else if (!(rank.get(to) < rank.get(from))) problems.push(`${f}: includes "${target}" of src/${to}/, which is not below src/${from}/`);
  }
}
// loops between units (a .c and its .h are one unit)
const state = new Map();
const stack = [];
function visit(u) {
  state.set(u, 1);
  stack.push(u);
  for (const v of edges.get(u) ?? []) {
    if (state.get(v) === 1) problems.push(`a loop of includes: ${[...stack.slice(stack.indexOf(v)), v].join(' -> ')}`);
    else if (!state.has(v)) visit(v);
  }
  stack.pop();
  state.set(u, 2);
}
for (const u of edges.keys()) if (!state.has(u)) visit(u);

for (const p of problems) console.error(`layers: ${p}`);
process.exit(problems.length ? 1 : 0);
