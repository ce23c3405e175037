// Which pgrest workers ended during a cluster's life for a reason no test
// asked for.  A worker that ends is restarted by the postmaster a second
// later, and a crash restarts the whole server; either caused by a
// request is a defect.  An exit is expected only when the worker was told
// to end (pg_terminate_backend, a shutdown: "due to administrator
// command"); every other one (an ERROR or FATAL that ended it, a signal)
// is reported with the last reason its process logged.
//
//   import { unexpectedExits } from './exits.mjs'; unexpectedExits(logText)
//   node exits.mjs server.log        (exit status 1 and a list, if any)
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const exitLine = /background worker "(pgrest[^"]*)" \(PID (\d+)\) (exited with exit code \d+|was terminated by (signal|exception).*)$/;

export function unexpectedExits(text) {
  const lines = text.split('\n');
  const found = [];
  lines.forEach((line, n) => {
    const m = exitLine.exec(line);
    if (!m) return;
    const [, type, pid, how] = m;
    // the last FATAL, PANIC or ERROR the process logged before it ended
    const mark = new RegExp(`\\[${pid}\\] (FATAL|PANIC|ERROR|LOG):  `);
    let reason = '(nothing logged)';
    for (let i = n - 1; i >= 0; i--) {
      if (mark.test(lines[i]) && !/\] LOG:  (?!pgrest worker exits)/.test(lines[i])) {
        reason = lines[i].replace(/^.*?\[\d+\] /, '');
        break;
      }
    }
    if (how.startsWith('exited') && /FATAL: {2}terminating background worker "pgrest[^"]*" due to administrator command/.test(reason)) return;
    // a worker that could not log in starts again once it can (login.c):
    // a cluster's workers start before its login role exists
    if (how.startsWith('exited') && /LOG: {2}pgrest worker exits to log in as role /.test(reason)) return;
    found.push(`${type} ${pid} ${how}: ${reason}`);
  });
  return found;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const found = unexpectedExits(fs.readFileSync(process.argv[2], 'utf8'));
  for (const exit of found) console.error(`a pgrest worker ended: ${exit}`);
  process.exit(found.length > 0 ? 1 : 0);
}
