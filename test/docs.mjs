// Run the curl examples of Markdown files and compare what they print with
// the output written next to them.  test/docs starts the demo's cluster
// (examples/demo.sql) on free ports and calls this; see CONTRIBUTING.md.
//
//   node test/docs.mjs [--update] FILE.md...
//
// An example is a fenced `bash` block that contains "curl"; the fenced
// block right after it (only blank lines between) is its expected output.
// A line `<!-- not run -->` just before a block exempts it (steps for your
// own database, say); any other example without an output block is an
// error, so that no example goes unchecked by mistake.
//
// Each example runs in its own bash, with "localhost:3000" and
// "localhost:3001" in its text pointing at the test's ports
// (PGREST_DOCS_PORTS="3000=P,3001=Q") and $TOKEN set to the demo's token.
// Before each file the sample data is restored (PGREST_DOCS_RESET, a
// command), so the examples of one file run in order against the data
// its text describes.
//
// Comparing: when the expected output starts with "HTTP/", the example
// prints headers (curl -i): the status line must match, each header
// written must be there with that value (others are ignored: Date,
// Server, ...), and the bodies are compared.  A body that is JSON is
// compared as JSON (so the docs may indent it; keys keep their order);
// any other text line by line, ignoring trailing blanks.
//
// --update writes what the examples print into the files, for writing
// new examples: read every change before you commit it.
//
// Links between the files are checked too: a relative link must name a
// file that exists, and its #anchor a heading of that file.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const update = process.argv[2] === '--update';
const files = process.argv.slice(update ? 3 : 2);
const ports = Object.fromEntries((process.env.PGREST_DOCS_PORTS ?? '')
  .split(',').filter(Boolean).map((pair) => pair.split('=')));
const skipMarker = '<!-- not run -->';

// the fenced blocks of a Markdown text, with their line numbers
function blocks(lines) {
  const found = [];
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i].match(/^```(\S*)\s*$/);
    if (!open) continue;
    let end = i + 1;
    while (end < lines.length && lines[end] !== '```') end++;
    let before = i - 1;
    while (before >= 0 && lines[before].trim() === '') before--;
    found.push({
      lang: open[1], start: i, end, text: lines.slice(i + 1, end).join('\n'),
      skip: before >= 0 && lines[before].trim() === skipMarker,
    });
    i = end;
  }
  return found;
}

// the examples of a file: each bash block with curl and its output block
function examples(file, lines) {
  const all = blocks(lines);
  const found = [];
  const errors = [];
  all.forEach((block, k) => {
    if (block.lang !== 'bash' || !/\bcurl\b/.test(block.text) || block.skip) return;
    const next = all[k + 1];
    const between = next ? lines.slice(block.end + 1, next.start) : ['x'];
    if (!next || next.lang === 'bash' || between.some((l) => l.trim() !== '')) {
      errors.push(`${file}:${block.start + 1}: a curl example without an output block after it (or mark it ${skipMarker})`);
      return;
    }
    found.push({ command: block, output: next });
  });
  return { found, errors };
}

function run(command) {
  let script = command;
  for (const [from, to] of Object.entries(ports)) {
    script = script.replaceAll(`localhost:${from}`, `localhost:${to}`);
  }
  const result = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 30000 });
  return { stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

const parseJson = (text) => {
  try { return { ok: true, value: JSON.parse(text) }; } catch { return { ok: false }; }
};

function sameBody(expected, actual) {
  const e = parseJson(expected);
  const a = parseJson(actual);
  if (e.ok && a.ok) return JSON.stringify(e.value) === JSON.stringify(a.value);
  const lines = (t) => t.replace(/\r\n/g, '\n').trimEnd().split('\n').map((l) => l.trimEnd());
  return JSON.stringify(lines(expected)) === JSON.stringify(lines(actual));
}

// status line, headers and body of curl -i's output
function splitResponse(text) {
  const normal = text.replace(/\r\n/g, '\n');
  const cut = normal.indexOf('\n\n');
  const head = (cut < 0 ? normal : normal.slice(0, cut)).split('\n');
  return {
    status: head[0].trim(),
    headers: head.slice(1).map((l) => {
      const colon = l.indexOf(':');
      return [l.slice(0, colon).trim().toLowerCase(), l.slice(colon + 1).trim()];
    }),
    body: cut < 0 ? '' : normal.slice(cut + 2),
  };
}

function matches(expected, actual) {
  if (!expected.startsWith('HTTP/')) return sameBody(expected, actual);
  const e = splitResponse(expected);
  const a = splitResponse(actual);
  if (e.status !== a.status) return false;
  for (const [name, value] of e.headers) {
    if (!a.headers.some(([n, v]) => n === name && v === value)) return false;
  }
  return sameBody(e.body, a.body);
}

// JSON on one line, with a space after each comma and colon
function flatJson(value) {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(flatJson).join(', ')}]`;
  return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${flatJson(v)}`).join(', ')}}`;
}

// JSON laid out for reading: what fits in a line stays on one; nested
// values are indented by two more spaces (lead: what precedes on the line)
function layout(value, indent = 0, lead = 0) {
  const flat = flatJson(value);
  if (flat.length + indent + lead <= 88 || value === null || typeof value !== 'object') return flat;
  const pad = ' '.repeat(indent + 2);
  const close = ' '.repeat(indent);
  if (Array.isArray(value)) {
    return `[\n${value.map((v) => pad + layout(v, indent + 2)).join(',\n')}\n${close}]`;
  }
  const entries = Object.entries(value).map(([k, v]) =>
    `${pad}${JSON.stringify(k)}: ${layout(v, indent + 2, JSON.stringify(k).length + 2)}`);
  return `{\n${entries.join(',\n')}\n${close}}`;
}

// what --update writes for an example's output
const dropped = new Set(['date', 'server', 'content-length', 'connection', 'keep-alive']);
function render(actual) {
  const body = (text) => {
    const j = parseJson(text);
    return j.ok ? layout(j.value) : text.replace(/\r\n/g, '\n').trimEnd();
  };
  if (!actual.startsWith('HTTP/')) return body(actual);
  const r = splitResponse(actual);
  const head = [r.status, ...r.headers.filter(([n]) => !dropped.has(n))
    .map(([n, v]) => `${n.replace(/(^|-)\w/g, (c) => c.toUpperCase())}: ${v}`)];
  return r.body ? `${head.join('\n')}\n\n${body(r.body)}` : head.join('\n');
}

// the anchors GitHub makes of a Markdown file's headings
function anchors(file) {
  const text = fs.readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```$/gm, '');
  return new Set([...text.matchAll(/^#+ (.*)$/gm)].map(([, title]) => title.trim().toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-')));
}

// relative links of a file that name no file, or no heading of it
function brokenLinks(file, lines) {
  const text = lines.join('\n').replace(/^```[\s\S]*?^```$/gm, '');
  const broken = [];
  for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/.test(target)) continue;
    const [where, anchor] = target.split('#');
    const linked = where ? path.join(path.dirname(file), where) : file;
    if (!fs.existsSync(linked)) broken.push(`${file}: link to a missing file: ${target}`);
    else if (anchor && linked.endsWith('.md') && !anchors(linked).has(anchor)) {
      broken.push(`${file}: link to a missing heading: ${target}`);
    }
  }
  return broken;
}

let failed = 0;
let passed = 0;
for (const file of files) {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const { found, errors } = examples(file, lines);
  errors.push(...brokenLinks(file, lines));
  for (const e of errors) { console.log(`not ok ${e}`); failed++; }
  if (found.length === 0) continue;
  if (process.env.PGREST_DOCS_RESET) {
    execFileSync('bash', ['-c', process.env.PGREST_DOCS_RESET], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const replacements = [];
  for (const { command, output } of found) {
    const { stdout, stderr } = run(command.text);
    const where = `${file}:${command.start + 1}`;
    if (matches(output.text, stdout)) {
      passed++;
      continue;
    }
    if (update) {
      replacements.push({ output, text: render(stdout) });
      console.log(`updated ${where}`);
      continue;
    }
    failed++;
    console.log(`not ok ${where}\n--- command\n${command.text}\n--- expected\n${output.text}\n--- got\n${stdout}${stderr ? `\n--- stderr\n${stderr}` : ''}\n`);
  }
  if (replacements.length > 0) {
    for (const { output, text } of replacements.reverse()) {
      lines.splice(output.start + 1, output.end - output.start - 1, ...text.split('\n'));
    }
    fs.writeFileSync(file, lines.join('\n'));
  }
}
console.log(`docs: ${passed} examples passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
