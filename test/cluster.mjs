// A throwaway PostgreSQL cluster with pgrest preloaded, for the hostile
// suites that need settings, limits or a log of their own: initdb in a
// temporary directory, free ports on 127.0.0.1, the server started (as
// the postgres user when run as root) with an optional open-files limit,
// a database "hostile" (created with the options given, an encoding say)
// loaded with SQL, and stop() that removes it all and returns the
// server's log (check it with unexpectedExits).  psql speaks UTF-8.  It
// waits until the workers serve, unless told not to (wait: false, for
// workers that cannot log in); env: more of the server's environment.
// PGREST_BINDIR names PostgreSQL's binaries (test/run sets it).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export { unexpectedExits } from './exits.mjs';

const bindir = process.env.PGREST_BINDIR ?? '/usr/lib/postgresql/15/bin';
const asRoot = process.getuid?.() === 0;

function run(command, args, options = {}) {
  const argv = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  return execFileSync(argv[0], argv[1], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...options });
}

// run one of PostgreSQL's programs (as the postgres user when root)
export function pgRun(program, args, options = {}) {
  return run(`${bindir}/${program}`, args, options);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export async function startCluster({ settings = {}, sql = '', nofile = null, createdb = '', wait = true, env = {} } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgrest-hostile-'));
  if (asRoot) execFileSync('chown', ['postgres:', dir]);
  const pgport = await freePort();
  let httpport = await freePort();
  while (httpport === pgport) httpport = await freePort();
  run(`${bindir}/initdb`, ['-D', `${dir}/data`, '-A', 'trust', '-U', 'postgres']);
  const conf = {
    listen_addresses: "''",
    port: pgport,
    unix_socket_directories: `'${dir}'`,
    shared_preload_libraries: "'pgrest'",
    'pgrest.database': "'hostile'",
    'pgrest.role': "'hostile_authenticator'",
    'pgrest.anon_role': "'hostile_anon'",
    'pgrest.listen_addresses': "'127.0.0.1'",
    'pgrest.port': httpport,
    timezone: "'UTC'",
    ...settings,
  };
  fs.appendFileSync(`${dir}/data/postgresql.conf`,
    Object.entries(conf).map(([k, v]) => `${k} = ${v}\n`).join(''));
  const log = `${dir}/server.log`;
  const limit = nofile ? `ulimit -n ${nofile} && ` : '';
  run('bash', ['-c', `${limit}exec "${bindir}/pg_ctl" -D "${dir}/data" -l "${log}" -w start`],
    { stdio: 'ignore', env: { ...process.env, ...env } });
  const psql = (database, input) => run(`${bindir}/psql`,
    ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-h', dir, '-p', String(pgport), '-U', 'postgres', '-d', database],
    { input, env: { ...process.env, PGCLIENTENCODING: 'UTF8' } });
  psql('postgres', `CREATE DATABASE hostile ${createdb}`);
  psql('hostile', `
    CREATE EXTENSION pgrest;
    CREATE ROLE hostile_authenticator LOGIN NOINHERIT;
    CREATE ROLE hostile_anon NOLOGIN;
    GRANT hostile_anon TO hostile_authenticator;
    CREATE TABLE canary (id int PRIMARY KEY, note text NOT NULL);
    INSERT INTO canary VALUES (1, 'alive'), (2, 'still alive');
    GRANT SELECT ON canary TO hostile_anon;
    ${sql}`);
  if (wait && psql('hostile', 'SELECT pgrest.wait_ready(30000)').trim() !== 't') throw new Error('pgrest did not start');
  return {
    url: `http://127.0.0.1:${httpport}`,
    port: httpport,
    dir,
    pgport,
    log,
    // pg_ctl restart with a shutdown mode ('immediate' crashes it)
    restart(mode = 'fast') {
      run('bash', ['-c', `exec "${bindir}/pg_ctl" -D "${dir}/data" -l "${log}" -m ${mode} -w restart`], { stdio: 'ignore' });
    },
    sql: (text) => psql('hostile', text),
    // the pids of the HTTP workers now
    workers: () => psql('hostile', "SELECT pid FROM pg_stat_activity WHERE backend_type = 'pgrest' ORDER BY pid")
      .trim().split('\n').filter(Boolean).map(Number),
    logSize: () => fs.statSync(log).size,
    logText: () => fs.readFileSync(log, 'utf8'),
    stop() {
      try { run(`${bindir}/pg_ctl`, ['-D', `${dir}/data`, '-m', 'fast', '-w', 'stop'], { stdio: 'ignore' }); } catch { /* gone already */ }
      const text = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
      fs.rmSync(dir, { recursive: true, force: true });
      return text;
    },
  };
}

// CPU seconds (user + system) a process has used (/proc counts in 1/100 s)
export function cpuSeconds(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

// open n TCP connections to port that send nothing; resolves with them
export async function idleSockets(port, n) {
  const sockets = [];
  for (let i = 0; i < n; i++) {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => {});
    sockets.push(socket);
    if (i % 50 === 49) await new Promise((r) => setTimeout(r, 10));
  }
  await new Promise((r) => setTimeout(r, 200));
  return sockets;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// how a TCP connection to host:port ends: 'connected' or the error code
export function connectTo(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(3000);
    socket.on('connect', () => { socket.destroy(); resolve('connected'); });
    socket.on('timeout', () => { socket.destroy(); resolve('timeout'); });
    socket.on('error', (e) => resolve(e.code));
  });
}
