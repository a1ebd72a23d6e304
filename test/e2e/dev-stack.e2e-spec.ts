import { ChildProcess, spawn } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join, resolve } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { freePort, testInfra, waitFor } from '@twostep/testing';

/**
 * `npm start` as a user runs it: scripts/dev-stack.js with DATABASE_URL and REDIS_URL unset (so it
 * initialises an embedded Postgres and starts its own redis-server), on free ports, in a data directory of
 * its own. The apps must be built (npm test builds before the e2e layer).
 */
const ROOT = resolve(__dirname, '../..');
const LAUNCHER = join(ROOT, 'scripts', 'dev-stack.js');
const PREFIX = `e2e-devstack-${process.pid}`;

/** With redis-server installed the launcher starts its own; otherwise it is given the tests' Redis. */
const HAS_REDIS_SERVER = (process.env.PATH ?? '').split(delimiter).some((dir) => {
  try {
    accessSync(join(dir, 'redis-server'), constants.X_OK);
    return true;
  } catch {
    return false;
  }
});

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function launch(env: NodeJS.ProcessEnv, args: string[] = []): Run {
  const child = spawn(process.execPath, [LAUNCHER, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.once('exit', (code, signal) => res({ code, signal })),
  );
  return { child, output: () => out, exited };
}

/** The environment of a user with nothing configured, plus the ports this test chose. */
function userEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', LOG_LEVEL: 'info', ...extra };
  for (const name of [
    'DATABASE_URL',
    'REDIS_URL',
    'DATA_DIR',
    'NODE_ENV',
    'HOST',
    'HEALTH_HOST',
    'MFA_LISTEN_HOST',
    'HEALTH_PORT',
    'APP_API_KEY',
    'SMTP_URL',
    'TWILIO_ACCOUNT_SID',
  ]) {
    if (!(name in extra)) delete env[name];
  }
  return env;
}

async function until<T>(what: string, timeoutMs: number, run: Run, pick: () => T | undefined): Promise<T> {
  let exit: { code: number | null } | undefined;
  void run.exited.then((e) => (exit = e));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = pick();
    if (value !== undefined) return value;
    if (exit) throw new Error(`dev-stack exited (code ${exit.code}) before ${what}:\n${run.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function exitWithin(run: Run, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([run.exited, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)))]);
  clearTimeout(timer);
  return result;
}

/** Linux /proc: every process whose parent chain leads to `pid` (services, redis-server, postmaster and its backends). */
function descendants(pid: number): Array<{ pid: number; cmd: string }> {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* exited meanwhile */
    }
  }
  const found: Array<{ pid: number; cmd: string }> = [];
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift()!;
    for (const [child, ppid] of parent) {
      if (ppid !== p) continue;
      queue.push(child);
      let cmd = '';
      try {
        cmd = readFileSync(`/proc/${child}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      } catch {
        /* exited meanwhile */
      }
      found.push({ pid: child, cmd });
    }
  }
  return found;
}

/** An address from /proc/net/tcp{,6} ("0100007F:0BB8"): IPv4 words and IPv6 words are little-endian. */
function procAddress(hex: string): { bytes: number[]; port: number } {
  const [addr, port] = hex.split(':');
  const bytes: number[] = [];
  for (let w = 0; w < addr.length; w += 8) {
    const word = addr.slice(w, w + 8);
    for (let b = 6; b >= 0; b -= 2) bytes.push(parseInt(word.slice(b, b + 2), 16));
  }
  return { bytes, port: parseInt(port, 16) };
}

function isLoopback(bytes: number[]): boolean {
  if (bytes.length === 4) return bytes[0] === 127;
  const zeros = (n: number) => bytes.slice(0, n).every((b) => b === 0);
  if (zeros(15) && bytes[15] === 1) return true; // ::1
  return zeros(10) && bytes[10] === 0xff && bytes[11] === 0xff && bytes[12] === 127; // ::ffff:127.x.y.z
}

/** Linux /proc: every TCP socket in LISTEN state held by one of `pids`, with its address. */
function listeningSockets(pids: number[]): Array<{ pid: number; address: string; port: number; loopback: boolean }> {
  const listening = new Map<string, { bytes: number[]; port: number }>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== '0A') continue; // 0A = LISTEN
      listening.set(cols[9], procAddress(cols[1]));
    }
  }
  const found: Array<{ pid: number; address: string; port: number; loopback: boolean }> = [];
  for (const pid of pids) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // exited meanwhile
    }
    for (const fd of fds) {
      let target = '';
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      const socket = inode ? listening.get(inode) : undefined;
      if (socket) found.push({ pid, address: socket.bytes.join('.'), port: socket.port, loopback: isLoopback(socket.bytes) });
    }
  }
  return found;
}

/** Alive and not a zombie. */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function portIsFree(port: number, host: string): Promise<boolean> {
  return new Promise((res) => {
    const srv = createServer();
    srv.once('error', () => res(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => res(true)));
  });
}

function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

describe('npm start (scripts/dev-stack.js)', () => {
  let dataDir: string;
  const leftovers: number[] = [];
  let apiKeyOfFirstRun: string | undefined;

  beforeAll(() => {
    // under the repository's .data/ (not a 0700 mktemp dir in /tmp): the embedded Postgres runs as the
    // `postgres` user when the tests run as root, and must be able to reach its data directory
    mkdirSync(join(ROOT, '.data'), { recursive: true });
    dataDir = mkdtempSync(join(ROOT, '.data', 'e2e-dev-stack-'));
    chmodSync(dataDir, 0o755);
  });

  afterAll(async () => {
    killAll(leftovers.filter(isAlive));
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (!HAS_REDIS_SERVER) {
      // the stack used the tests' Redis: remove its keys
      const redis = new Redis(testInfra().redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await redis.connect();
        const keys: string[] = [];
        let cursor = '0';
        do {
          const [next, batch] = await redis.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 500);
          cursor = next;
          keys.push(...batch);
        } while (cursor !== '0');
        if (keys.length) await redis.del(...keys);
      } finally {
        redis.disconnect();
      }
    }
  });

  async function startStack() {
    const ports = {
      http: await freePort(),
      authHealth: await freePort(),
      rpc: await freePort(),
      mfaHealth: await freePort(),
      notifierHealth: await freePort(),
    };
    const run = launch(
      userEnv({
        PORT: String(ports.http),
        AUTH_HEALTH_PORT: String(ports.authHealth),
        MFA_SERVICE_URL: `tcp://127.0.0.1:${ports.rpc}`,
        MFA_HEALTH_PORT: String(ports.mfaHealth),
        NOTIFIER_HEALTH_PORT: String(ports.notifierHealth),
        REDIS_KEY_PREFIX: PREFIX,
        ...(HAS_REDIS_SERVER ? {} : { REDIS_URL: testInfra().redisUrl }),
      }),
      ['--data-dir', dataDir, ...(HAS_REDIS_SERVER ? ['--own-redis'] : [])],
    );
    leftovers.push(run.child.pid!);
    const banner = await until('the ready banner', 120_000, run, () =>
      /Press Ctrl-C to stop/.test(run.output()) ? run.output() : undefined,
    );
    const field = (label: string) => new RegExp(`^\\s+${label}\\s+(.+)$`, 'm').exec(banner)?.[1].trim();
    const pg = /embedded, 127\.0\.0\.1:(\d+) \(pid (\d+)\)/.exec(field('Postgres') ?? '');
    const redis = /started, 127\.0\.0\.1:(\d+) \(pid (\d+)\)/.exec(field('Redis') ?? '');
    const procs = descendants(run.child.pid!);
    leftovers.push(...procs.map((p) => p.pid));
    return {
      run,
      ports,
      endpoint: field('API endpoint'),
      projectId: field('Project ID'),
      apiKey: field('API key')?.split(/\s+/)[0],
      pgPort: pg ? Number(pg[1]) : undefined,
      redisPort: redis ? Number(redis[1]) : undefined,
      procs,
    };
  }

  async function expectNothingLeft(stack: Awaited<ReturnType<typeof startStack>>) {
    await waitFor(() => stack.procs.every((p) => !isAlive(p.pid)), 10_000, 100, 'the processes to end').catch(() => undefined);
    expect(stack.procs.filter((p) => isAlive(p.pid))).toEqual([]);
    const ports = [
      stack.ports.http,
      stack.ports.authHealth,
      stack.ports.rpc,
      stack.ports.mfaHealth,
      stack.ports.notifierHealth,
      stack.pgPort!,
    ];
    if (HAS_REDIS_SERVER) ports.push(stack.redisPort!);
    const busy: number[] = [];
    for (const port of ports) if (!(await portIsFree(port, '0.0.0.0'))) busy.push(port);
    expect(busy).toEqual([]);
  }

  it('runs embedded Postgres, its own Redis, the migrations and three ready services, and stops them all on Ctrl-C', async () => {
    const stack = await startStack();

    expect(stack.endpoint).toBe(`http://localhost:${stack.ports.http}/v1`);
    expect(stack.projectId).toBe('twostep');
    const keyFile = join(dataDir, 'keys', 'APP_API_KEY');
    expect(existsSync(keyFile)).toBe(true);
    expect(stack.apiKey).toBe(readFileSync(keyFile, 'utf8').trim());
    expect(stack.apiKey!.length).toBeGreaterThanOrEqual(32);
    apiKeyOfFirstRun = stack.apiKey;
    expect(stack.run.output()).toContain(join(dataDir, 'outbox'));

    // every service answers ready, auth-api on its Postgres and Redis
    for (const port of [stack.ports.authHealth, stack.ports.mfaHealth, stack.ports.notifierHealth]) {
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
      expect({ port, status: res.status }).toEqual({ port, status: 200 });
    }
    const ready = (await (await fetch(`http://127.0.0.1:${stack.ports.authHealth}/health/ready`)).json()) as {
      checks: Record<string, string>;
    };
    expect(ready.checks).toEqual({ postgres: 'up', redis: 'up' });

    // every listener of every process it started is on a loopback address (HOST etc. unset)
    const sockets = listeningSockets(stack.procs.map((p) => p.pid));
    const expected = [
      stack.ports.http,
      stack.ports.authHealth,
      stack.ports.rpc,
      stack.ports.mfaHealth,
      stack.ports.notifierHealth,
      stack.pgPort!,
    ];
    expect(expected.filter((port) => !sockets.some((s) => s.port === port))).toEqual([]);
    expect(sockets.filter((s) => !s.loopback)).toEqual([]);
    // the development outbox (every code in clear) is not served without an explicit NODE_ENV=development
    expect((await fetch(`http://127.0.0.1:${stack.ports.notifierHealth}/dev/outbox?to=someone@example.test`)).status).toBe(404);

    // the Postgres is really the embedded one, with a `twostep` database that the migrations filled
    expect(stack.pgPort).toEqual(expect.any(Number));
    expect(stack.pgPort).not.toBe(5432);
    const db = new Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${stack.pgPort}/twostep` });
    await db.connect();
    try {
      const { rows } = await db.query<{ schema_name: string }>(
        "SELECT schema_name FROM information_schema.schemata WHERE schema_name IN ('auth', 'mfa')",
      );
      expect(rows.map((r) => r.schema_name).sort()).toEqual(['auth', 'mfa']);
    } finally {
      await db.end();
    }
    expect(existsSync(join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
    if (HAS_REDIS_SERVER) expect(stack.redisPort).toEqual(expect.any(Number));

    // the processes it started: three services, redis-server and the postmaster (with its backends)
    expect(stack.procs.filter((p) => /apps\/(auth-api|mfa-service|notifier)\/dist\/main\.js/.test(p.cmd))).toHaveLength(3);
    expect(stack.procs.some((p) => p.cmd.includes('redis-server'))).toBe(HAS_REDIS_SERVER);
    expect(stack.procs.some((p) => /bin\/postgres -D/.test(p.cmd))).toBe(true);

    // it prints the API key and no other secret
    for (const name of ['MFA_ENCRYPTION_KEY', 'QUEUE_ENCRYPTION_KEY', 'MFA_RPC_KEY']) {
      const secret = readFileSync(join(dataDir, 'keys', name), 'utf8').trim();
      expect(secret.length).toBeGreaterThan(30);
      expect(stack.run.output()).not.toContain(secret);
    }

    const t0 = Date.now();
    stack.run.child.kill('SIGINT');
    const result = await exitWithin(stack.run, 60_000);
    expect(result).toEqual({ code: 0, signal: null });
    expect(Date.now() - t0).toBeLessThan(30_000);
    await expectNothingLeft(stack);

    // in order: the services (each by its own graceful shutdown), then Postgres and Redis, gracefully too
    const out = stack.run.output();
    const at = (pattern: RegExp) => out.search(pattern);
    const order = [
      /SIGINT received/,
      /\[auth-api\].*auth-api stopped/,
      /\[stack\]\s+stopping Postgres/,
      ...(HAS_REDIS_SERVER ? [/\[stack\]\s+stopping Redis/] : []),
      /\[stack\]\s+stopped$/m,
    ];
    expect(order.map(at).every((pos) => pos >= 0)).toBe(true);
    expect(order.map(at)).toEqual([...order.map(at)].sort((a, b) => a - b));
    for (const s of ['mfa-service', 'notifier']) expect(out).toMatch(new RegExp(`\\[${s}\\].*${s} stopped`));
    const pgLog = readFileSync(join(dataDir, 'postgres.log'), 'utf8');
    expect(pgLog).toContain('received fast shutdown request');
    expect(pgLog).not.toContain('immediate shutdown');
  }, 180_000);

  it('stops everything and exits non-zero when a service dies, keeping the generated keys across runs', async () => {
    const stack = await startStack();
    expect(stack.apiKey).toBe(apiKeyOfFirstRun);
    expect(stack.run.output()).not.toContain('initialising embedded Postgres');

    const notifier = stack.procs.find((p) => p.cmd.includes('apps/notifier/dist/main.js'));
    expect(notifier).toBeDefined();
    process.kill(notifier!.pid, 'SIGKILL');

    const result = await exitWithin(stack.run, 60_000);
    expect(result).toEqual({ code: 1, signal: null });
    expect(stack.run.output()).toMatch(/notifier exited unexpectedly/);
    await expectNothingLeft(stack);
  }, 180_000);

  it('says how to get a Redis when none answers and redis-server is not installed', async () => {
    const emptyBin = join(dataDir, 'empty-bin');
    mkdirSync(emptyBin, { recursive: true });
    const run = launch(
      userEnv({
        PATH: emptyBin,
        PORT: String(await freePort()),
        AUTH_HEALTH_PORT: String(await freePort()),
        MFA_SERVICE_URL: `tcp://127.0.0.1:${await freePort()}`,
        MFA_HEALTH_PORT: String(await freePort()),
        NOTIFIER_HEALTH_PORT: String(await freePort()),
      }),
      ['--data-dir', dataDir, '--own-redis'],
    );
    leftovers.push(run.child.pid!);
    const result = await exitWithin(run, 20_000);
    expect(result).toEqual({ code: 1, signal: null });
    expect(run.output()).toContain('redis-server is not installed');
    expect(run.output()).toMatch(/apt-get install redis-server/);
    expect(run.output()).toMatch(/REDIS_URL/);
  }, 30_000);

  it('names the Redis it was given when REDIS_URL does not answer', async () => {
    const closed = await freePort();
    const run = launch(
      {
        ...userEnv({
          PORT: String(await freePort()),
          AUTH_HEALTH_PORT: String(await freePort()),
          MFA_SERVICE_URL: `tcp://127.0.0.1:${await freePort()}`,
          MFA_HEALTH_PORT: String(await freePort()),
          NOTIFIER_HEALTH_PORT: String(await freePort()),
        }),
        REDIS_URL: `redis://:hunter2-secret@127.0.0.1:${closed}`,
      },
      ['--data-dir', dataDir],
    );
    leftovers.push(run.child.pid!);
    const result = await exitWithin(run, 20_000);
    expect(result).toEqual({ code: 1, signal: null });
    expect(run.output()).toContain(`127.0.0.1:${closed}`);
    expect(run.output()).toContain('does not answer');
    expect(run.output()).not.toContain('hunter2-secret');
  }, 30_000);
});
