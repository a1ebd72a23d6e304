#!/usr/bin/env node
// `npm run bench`: the whole flow measured in one run against a raw floor and a peer (Better Auth).
// See bench/README.md. Options (CLI or env):
//   --smoke                      ~1-2 s per flow, tiny load (what `npm test` runs)
//   --duration=S   BENCH_DURATION     measured seconds per flow (15; smoke 1.5)
//   --warmup=S     BENCH_WARMUP       warm-up seconds per flow, not measured (3; smoke 0.5)
//   --concurrency=N BENCH_CONCURRENCY connections of each closed-loop flow (32; smoke 4)
//   --email-rate=R BENCH_EMAIL_RATE   offered email challenges per second (200; smoke 20)
//   --totp-users=N BENCH_TOTP_USERS   users for the TOTP flow (15000; smoke 400)
//   --signin-users=N BENCH_SIGNIN_USERS users for the sign-in flow (400; smoke 8)
//   --only=LIST    BENCH_ONLY         comma list of groups (ours, floor, peer) or flow ids (ours.totp, ...)
//   --email-steps=LIST BENCH_EMAIL_STEPS offered rates (/s) stepped up to find each email pipeline's sustainable
//                                     rate (50,100,150,200,300,400,600,800; smoke 20); --email-steps=0 skips it
//   --step-duration=S BENCH_STEP_DURATION measured seconds per step (5; smoke 1), after 1 s (smoke 0.5) warm-up
//   --out=FILE                        results JSON (default bench/results/bench-<time>.json; the SVG beside it)
//   --build                           run `npm run build` first
//   --keep                            keep the bench databases and Redis keys
//   --private-redis BENCH_PRIVATE_REDIS=1 run a redis-server of the bench's own (no persistence), so its CPU
//                                     figures are the bench's alone (needs redis-server on the PATH)
//   --timeout=S    BENCH_TIMEOUT      give up (clean up, exit 2) after this many seconds (600; smoke 300)
// BENCH_ENV_<NAME>=value: passed to every service as <NAME>=value.
// BENCH_TRACING=1: the services run with OpenTelemetry tracing on (100 % sampling) to a counting OTLP sink.
// BENCH_APP_ROOT: a checkout whose built services (apps/*/dist) are benched instead of this one's.
// Postgres: BENCH_DATABASE_URL or DATABASE_URL (a maintenance database; fresh databases are created next
// to it), default postgres://postgres@127.0.0.1:5432/postgres. Redis: BENCH_REDIS_URL or REDIS_URL, default
// redis://127.0.0.1:6379, under a unique key prefix.
'use strict';
const { fork } = require('node:child_process');
const { existsSync, mkdirSync, writeFileSync, mkdtempSync, rmSync, statSync, readdirSync } = require('node:fs');
const { randomBytes } = require('node:crypto');
const os = require('node:os');
const path = require('node:path');
const { Proc, runToEnd, freePort, sleep, rssMiB, Sampler } = require('./lib/proc');
const { seedFloor, seedTotpFloor, SCHEMA: FLOOR_SCHEMA, TOTP_SCHEMA } = require('./floor/schema');
const report = require('./lib/report');

const ROOT = path.resolve(__dirname, '..');
// where the built services are (apps/<name>/dist); another checkout's, to bench it with this harness
const APP_ROOT = process.env.BENCH_APP_ROOT ? path.resolve(process.env.BENCH_APP_ROOT) : ROOT;
const PEER_DIR = path.join(__dirname, 'peer');
const SERVICES = ['mfa-service', 'notifier', 'auth-api'];

// ───────────────────────────── options ─────────────────────────────

function options(argv = process.argv.slice(2), env = process.env) {
  const flags = {};
  for (const a of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a}`);
    flags[m[1]] = m[2] ?? true;
  }
  const known = [
    'timeout',
    'smoke',
    'duration',
    'warmup',
    'concurrency',
    'email-rate',
    'totp-users',
    'signin-users',
    'only',
    'email-steps',
    'step-duration',
    'out',
    'build',
    'keep',
    'private-redis',
  ];
  for (const k of Object.keys(flags)) if (!known.includes(k)) throw new Error(`unknown option --${k} (known: ${known.join(', ')})`);
  const smoke = flags.smoke === true || env.BENCH_SMOKE === '1';
  const num = (flag, name, full, small) => {
    const raw = flags[flag] ?? env[name];
    const v = raw === undefined || raw === true ? (smoke ? small : full) : Number(raw);
    if (!Number.isFinite(v) || v <= 0) throw new Error(`--${flag} / ${name} must be a positive number`);
    return v;
  };
  const o = {
    smoke,
    durationS: num('duration', 'BENCH_DURATION', 15, 1.5),
    warmupS: num('warmup', 'BENCH_WARMUP', 3, 0.5),
    concurrency: Math.round(num('concurrency', 'BENCH_CONCURRENCY', 32, 4)),
    emailRate: num('email-rate', 'BENCH_EMAIL_RATE', 200, 20),
    totpUsers: Math.round(num('totp-users', 'BENCH_TOTP_USERS', 15000, 400)),
    signinUsers: Math.round(num('signin-users', 'BENCH_SIGNIN_USERS', 400, 8)),
    only: String(flags.only ?? env.BENCH_ONLY ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    out: flags.out && flags.out !== true ? path.resolve(flags.out) : undefined,
    build: flags.build === true,
    keep: flags.keep === true,
    privateRedis: flags['private-redis'] === true || env.BENCH_PRIVATE_REDIS === '1',
    timeoutS: num('timeout', 'BENCH_TIMEOUT', 900, 300),
    stepDurationS: num('step-duration', 'BENCH_STEP_DURATION', 5, 1),
    emailSteps: String(flags['email-steps'] ?? env.BENCH_EMAIL_STEPS ?? (smoke ? '20' : '50,100,150,200,300,400,600,800'))
      .split(',')
      .map(Number)
      .filter((v) => Number.isFinite(v) && v > 0),
    adminDatabaseUrl: env.BENCH_DATABASE_URL || env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: env.BENCH_REDIS_URL || env.REDIS_URL || 'redis://127.0.0.1:6379',
  };
  o.accountUsers = Math.max(o.concurrency, 8);
  o.peerTotpUsers = Math.max(o.concurrency, 8);
  o.peerSigninUsers = smoke ? 4 : 32;
  o.stepWarmupS = smoke ? 0.5 : 1;
  const usersFor = (rate, seconds) => Math.floor(rate * seconds) + 1;
  o.emailUsers =
    usersFor(o.emailRate, o.warmupS + o.durationS) + o.emailSteps.reduce((a, r) => a + usersFor(r, o.stepWarmupS + o.stepDurationS), 0);
  return o;
}

const FLOWS = [
  // [id, group, what]; run in this order, each product flow next to what it is compared with
  ['ours.signin', 'ours', 'sign-in: POST /v1/account/sessions/email'],
  ['peer.signin', 'peer', 'Better Auth: POST /api/auth/sign-in/email'],
  ['ours.account', 'ours', 'GET /v1/account, two-factor session, MFA on'],
  ['floor.account', 'floor', 'raw floor: node:http + pg, same lookup'],
  ['peer.session', 'peer', 'Better Auth: GET /api/auth/get-session'],
  ['ours.totp', 'ours', 'TOTP second factor: POST + PUT /v1/account/mfa/challenges'],
  ['floor.totp', 'floor', 'raw floor: the same two requests, node:http + pg'],
  ['peer.totp', 'peer', 'Better Auth: POST /api/auth/two-factor/verify-totp'],
  ['ours.email', 'ours', 'email second factor: challenge due → code at the SMTP sink'],
  ['floor.email', 'floor', 'raw floor: HTTP → BullMQ add → worker → nodemailer pooled → sink'],
  ['peer.email', 'peer', 'Better Auth: POST /api/auth/two-factor/send-otp, nodemailer inline'],
];
/** the email flows whose sustainable rate is found by stepping the offered rate */
const STEPPED = ['ours.email', 'floor.email', 'peer.email'];
/** a step is sustained when p99 due → receipt is under this, nothing lost or failed, and receipts keep up */
const SUSTAINED_P99_MS = 100;
/** processes counted by command name in the CPU figures (shared with everyone else on the machine) */
const SHARED = [
  { name: 'postgres', comm: /^postgres$/ },
  { name: 'redis', comm: /^redis-server$/ },
];

const log = (m) => process.stdout.write(`[bench] ${m}\n`);

/** An OTLP/HTTP trace receiver that only counts (BENCH_TRACING=1): answers every export with 200. */
async function otlpSink() {
  const http = require('node:http');
  const stats = { exports: 0, bytes: 0 };
  const server = http.createServer((req, res) => {
    req.on('data', (chunk) => (stats.bytes += chunk.length));
    req.on('end', () => {
      stats.exports += 1;
      res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/x-protobuf' }).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    stats,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

// ───────────────────────────── infrastructure ─────────────────────────────

async function withPg(url, fn) {
  const { Client } = require('pg');
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function createDatabase(adminUrl, name) {
  await withPg(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

async function dropDatabase(adminUrl, name) {
  await withPg(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

async function dropRedisPrefix(url, prefix) {
  const Redis = require('ioredis');
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await r.connect();
  try {
    let cursor = '0';
    let n = 0;
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) n += await r.del(...keys);
    } while (cursor !== '0');
    return n;
  } finally {
    r.disconnect();
  }
}

async function ensurePeerInstalled() {
  if (['better-auth', 'nodemailer', 'pg', 'undici'].every((p) => existsSync(path.join(PEER_DIR, 'node_modules', p, 'package.json'))))
    return;
  log('installing the bench-only peer package: npm ci --prefix bench/peer');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = await runToEnd(npm, ['ci', '--prefix', PEER_DIR, '--no-audit', '--no-fund'], { cwd: ROOT, env: process.env });
  if (r.code !== 0) throw new Error(`npm ci --prefix bench/peer failed:\n${r.output.slice(-2000)}`);
}

function newestMtime(dir) {
  let newest = 0;
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name === 'dist') continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ts$/.test(e.name) && !/\.(int-|e2e-)?spec\.ts$/.test(e.name)) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  if (existsSync(dir)) walk(dir);
  return newest;
}

/** null when the built services are there, else why not; warns when dist is older than the sources */
function checkBuilt() {
  const missing = [];
  for (const s of SERVICES)
    for (const f of ['main.js', ...(s === 'notifier' ? [] : ['migrate.js'])])
      if (!existsSync(path.join(APP_ROOT, 'apps', s, 'dist', f))) missing.push(`apps/${s}/dist/${f}`);
  if (missing.length) return `not built (${missing.join(', ')} missing): run \`npm run build\` or \`npm run bench -- --build\``;
  const built = Math.min(...SERVICES.map((s) => statSync(path.join(APP_ROOT, 'apps', s, 'dist', 'main.js')).mtimeMs));
  const src = Math.max(
    ...SERVICES.map((s) => newestMtime(path.join(APP_ROOT, 'apps', s, 'src'))),
    newestMtime(path.join(APP_ROOT, 'libs')),
  );
  if (src > built) log('warning: some sources are newer than apps/*/dist; the bench runs what was built (add --build to rebuild)');
  return null;
}

// ───────────────────────────── load generator (child process) ─────────────────────────────

function startLoadgen() {
  const child = fork(path.join(__dirname, 'loadgen.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  const pending = new Map();
  let seq = 0;
  child.on('message', (m) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(new Error(m.error));
  });
  child.on('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`load generator exited (${code})`));
    pending.clear();
  });
  return {
    child,
    pid: child.pid,
    call(cmd, args) {
      return new Promise((resolve, reject) => {
        const id = ++seq;
        pending.set(id, { resolve, reject });
        child.send({ id, cmd, args });
      });
    },
  };
}

// ───────────────────────────── main ─────────────────────────────

async function main() {
  const o = options();
  const wanted = (id, group) => o.only.length === 0 || o.only.includes(group) || o.only.includes(id);
  const flows = FLOWS.filter(([id, group]) => wanted(id, group));
  const groups = new Set(flows.map(([, g]) => g));
  const has = (id) => flows.some(([f]) => f === id);
  const t0 = Date.now();
  const tag = randomBytes(4).toString('hex');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const out = o.out ?? path.join(__dirname, 'results', `bench-${stamp}.json`);
  const results = {
    meta: {
      startedAt: new Date().toISOString(),
      mode: o.smoke ? 'smoke' : 'full',
      node: process.version,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      loadavgAtStart: os.loadavg().map((v) => Math.round(v * 100) / 100),
      config: {
        durationS: o.durationS,
        warmupS: o.warmupS,
        concurrency: o.concurrency,
        emailRate: o.emailRate,
        totpUsers: o.totpUsers,
        signinUsers: o.signinUsers,
        accountUsers: o.accountUsers,
        emailUsers: o.emailUsers,
        emailSteps: o.emailSteps,
        stepDurationS: o.stepDurationS,
        only: o.only,
      },
    },
    stack: {},
    seed: {},
    flows: {},
    memory: { rest: {}, afterSeed: {}, peakUnderLoad: {} },
  };
  const cleanups = [];
  const procs = {}; // name -> Proc
  let stopping = false;
  const cleanup = async () => {
    if (stopping) return;
    stopping = true;
    for (const fn of cleanups.reverse()) await fn().catch((e) => log(`cleanup: ${e.message}`));
  };
  setTimeout(() => {
    log(`gave up after ${o.timeoutS} s (--timeout)`);
    void cleanup().finally(() => process.exit(2));
  }, o.timeoutS * 1000).unref();
  process.on('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  process.on('SIGTERM', () => void cleanup().finally(() => process.exit(143)));

  try {
    if (o.build) {
      log('building: npm run build');
      const r = await runToEnd('npm', ['run', 'build', '--silent'], { cwd: ROOT, env: process.env });
      if (r.code !== 0) throw new Error(`npm run build failed:\n${r.output.slice(-3000)}`);
    }
    if (groups.has('peer')) {
      try {
        await ensurePeerInstalled();
      } catch (error) {
        results.stack.peer = { error: error.message };
      }
    }

    // a private redis-server: the shared one also serves everyone else, so its CPU time is not ours alone
    let shared = SHARED;
    if (o.privateRedis) {
      const port = await freePort();
      const p = new Proc('redis', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
        env: { PATH: process.env.PATH ?? '' },
      });
      procs.redis = p;
      cleanups.push(() => p.stop());
      o.redisUrl = `redis://127.0.0.1:${port}`;
      for (let i = 0; i < 50; i++) {
        if (p.tail.some((l) => /Ready to accept connections/.test(l))) break;
        if (!p.running) throw new Error(`redis-server did not start:\n${p.tail.join('\n')}`);
        await sleep(100);
      }
      shared = SHARED.filter((g) => g.name !== 'redis');
      results.stack.redis = { private: true, url: o.redisUrl };
    } else results.stack.redis = { private: false, url: o.redisUrl.replace(/\/\/[^@]*@/, '//') };

    const lg = startLoadgen();
    cleanups.push(async () => {
      await lg.call('exit').catch(() => undefined);
    });
    const sinks = await lg.call('sinks');
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'twostep-bench-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));

    // ── our stack, production settings
    const ourDb = `twostep_bench_${tag}`;
    const prefix = `bench-${tag}`;
    let ourDbUrl;
    if (groups.has('ours') || groups.has('floor')) {
      ourDbUrl = await createDatabase(o.adminDatabaseUrl, ourDb);
      if (!o.keep) cleanups.push(() => dropDatabase(o.adminDatabaseUrl, ourDb));
    }
    const ours = { apiKey: `bench_${randomBytes(24).toString('hex')}`, project: 'bench' };
    if (groups.has('ours')) {
      const notBuilt = checkBuilt();
      if (notBuilt) results.stack.ours = { error: notBuilt };
      else {
        if (!o.keep) cleanups.push(() => dropRedisPrefix(o.redisUrl, prefix).then(() => undefined));
        const ports = {
          http: await freePort(),
          authHealth: await freePort(),
          rpc: await freePort(),
          mfaHealth: await freePort(),
          notifierHealth: await freePort(),
        };
        const env = {
          PATH: process.env.PATH ?? '',
          NODE_ENV: 'production',
          LOG_LEVEL: 'warn',
          DATA_DIR: dataDir,
          DATABASE_URL: ourDbUrl,
          REDIS_URL: o.redisUrl,
          REDIS_KEY_PREFIX: prefix,
          HOST: '127.0.0.1',
          PORT: String(ports.http),
          MFA_SERVICE_URL: `tcp://127.0.0.1:${ports.rpc}`,
          APP_PROJECT_ID: ours.project,
          APP_PROJECT_NAME: 'Twostep Bench',
          APP_API_KEY: ours.apiKey,
          MFA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
          QUEUE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
          MFA_RPC_KEY: randomBytes(32).toString('base64'),
          JWT_SIGNING_KEY: randomBytes(32).toString('base64'),
          SMTP_URL: `smtp://127.0.0.1:${sinks.smtpPort}`,
          SMTP_FROM: 'Twostep Bench <no-reply@bench.example.com>',
          TWILIO_ACCOUNT_SID: sinks.accountSid,
          TWILIO_AUTH_TOKEN: sinks.authToken,
          TWILIO_FROM: '+15005550006',
          TWILIO_API_URL: `http://127.0.0.1:${sinks.twilioPort}`,
          SMS_ALLOWED_COUNTRIES: 'US',
        };
        // BENCH_ENV_<NAME>=value reaches every service as <NAME>=value (to try a setting)
        for (const [k, v] of Object.entries(process.env))
          if (k.startsWith('BENCH_ENV_') && v !== undefined) env[k.slice('BENCH_ENV_'.length)] = v;
        // BENCH_TRACING=1: the services trace every request (100 % sampling, OTLP http/protobuf) to a sink on loopback
        if (process.env.BENCH_TRACING === '1') {
          const sink = await otlpSink();
          cleanups.push(() => sink.close());
          Object.assign(env, { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_TRACES_SAMPLER: 'always_on' });
          results.meta.tracing = sink.stats;
        }
        ours.origin = `http://127.0.0.1:${ports.http}`;
        try {
          const mt0 = Date.now();
          for (const app of ['auth-api', 'mfa-service']) {
            const r = await runToEnd(process.execPath, [path.join(APP_ROOT, 'apps', app, 'dist', 'migrate.js')], { cwd: APP_ROOT, env });
            if (r.code !== 0) throw new Error(`${app} migrations failed (exit ${r.code}):\n${r.output.slice(-1500)}`);
          }
          const migrateMs = Date.now() - mt0;
          for (const s of SERVICES) {
            const healthPort = s === 'auth-api' ? ports.authHealth : s === 'mfa-service' ? ports.mfaHealth : ports.notifierHealth;
            const senv = { ...env, HEALTH_PORT: String(healthPort) };
            // the RPC key authenticates auth-api to mfa-service; the notifier never gets it
            if (s === 'notifier') delete senv.MFA_RPC_KEY;
            // BENCH_NODE_ARGS: node flags for the product's services, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
            const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
            const p = new Proc(s, process.execPath, [...nodeArgs, path.join(APP_ROOT, 'apps', s, 'dist', 'main.js')], {
              env: senv,
              cwd: APP_ROOT,
            });
            procs[s] = p;
            cleanups.push(() => p.stop());
            await p.waitHttp(`http://127.0.0.1:${healthPort}/health/ready`);
          }
          results.stack.ours = { endpoint: `${ours.origin}/v1`, migrateMs, redisKeyPrefix: prefix, database: ourDb };
          log(`stack up: ${ours.origin}/v1 (project ${ours.project}), migrations ${migrateMs} ms`);
        } catch (error) {
          results.stack.ours = { error: error.message };
          for (const s of SERVICES) if (procs[s]) results.stack.ours[`${s}Log`] = procs[s].tail.slice(-20);
          log(`our stack did not start: ${error.message.split('\n')[0]}`);
        }
      }
    }

    // ── Better Auth peer, its own database
    if (groups.has('peer') && !results.stack.peer?.error) {
      try {
        const peerDb = `twostep_bench_peer_${tag}`;
        const url = await createDatabase(o.adminDatabaseUrl, peerDb);
        if (!o.keep) cleanups.push(() => dropDatabase(o.adminDatabaseUrl, peerDb));
        const port = await freePort();
        const env = {
          PATH: process.env.PATH ?? '',
          NODE_ENV: 'production',
          DATABASE_URL: url,
          PORT: String(port),
          HOST: '127.0.0.1',
          BETTER_AUTH_SECRET: randomBytes(32).toString('hex'),
          BETTER_AUTH_TELEMETRY: '0',
          SMTP_URL: `smtp://127.0.0.1:${sinks.smtpPort}`,
        };
        if (process.env.PEER_SMTP_POOL) env.PEER_SMTP_POOL = process.env.PEER_SMTP_POOL;
        const server = path.join(PEER_DIR, 'server.mjs');
        const m = await runToEnd(process.execPath, [server, 'migrate'], { cwd: PEER_DIR, env });
        if (m.code !== 0) throw new Error(`better-auth migrations failed:\n${m.output.slice(-1500)}`);
        const p = new Proc('better-auth', process.execPath, [server], { env, cwd: PEER_DIR });
        procs['better-auth'] = p;
        cleanups.push(() => p.stop());
        await p.waitHttp(`http://127.0.0.1:${port}/health/ready`);
        const version = require(path.join(PEER_DIR, 'node_modules', 'better-auth', 'package.json')).version;
        results.stack.peer = { endpoint: `http://127.0.0.1:${port}/api/auth`, betterAuth: version, database: peerDb };
        results.stack.peer.origin = `http://127.0.0.1:${port}`;
      } catch (error) {
        results.stack.peer = { error: error.message };
      }
    }

    const live = () =>
      Object.entries(procs)
        .filter(([, p]) => p.running)
        .map(([name, p]) => ({ name, pid: p.pid }));
    const memNow = () => Object.fromEntries([...live(), { name: 'loadgen', pid: lg.pid }].map(({ name, pid }) => [name, rssMiB(pid)]));
    await sleep(1000);
    results.memory.rest = memNow();

    // ── seeding (through the APIs, from the load generator)
    if (groups.has('ours') && results.stack.ours && !results.stack.ours.error) {
      log('seeding our stack');
      const seedSampler = new Sampler(live());
      seedSampler.start();
      results.seed.ours = await lg.call('seedOurs', {
        origin: ours.origin,
        project: ours.project,
        apiKey: ours.apiKey,
        sizes: {
          account: has('ours.account') || has('floor.account') ? o.accountUsers : 0,
          signin: has('ours.signin') ? o.signinUsers : 0,
          email: has('ours.email') ? o.emailUsers : 0,
          totp: has('ours.totp') ? o.totpUsers : 0,
        },
        concurrency: Math.min(32, o.concurrency * 4),
      });
      results.seed.ours.notices = await lg.call('quiesce', { idleMs: 1500, maxMs: 120_000 });
      results.seed.ours.resources = seedSampler.stop();
      log(`seeded in ${(results.seed.ours.ms / 1000).toFixed(1)} s${results.seed.ours.error ? `: ${results.seed.ours.error}` : ''}`);
      for (const [name, p] of Object.entries(results.seed.ours.pools ?? {}))
        if (p.error || p.degraded) log(`  ${name}: ${p.error ?? p.degraded}`);
    }
    if (groups.has('peer') && results.stack.peer && !results.stack.peer.error) {
      results.seed.peer = await lg.call('seedPeer', {
        origin: results.stack.peer.origin,
        sizes: {
          signin: has('peer.signin') ? o.peerSigninUsers : 0,
          totp: has('peer.totp') || has('peer.session') || has('peer.email') ? o.peerTotpUsers : 0,
        },
      });
      log(`seeded Better Auth in ${(results.seed.peer.ms / 1000).toFixed(1)} s`);
    }
    // ── raw floor: the product's own auth tables and flow-4 sessions when they were seeded, else a mirror
    if (has('floor.account') || has('floor.totp')) {
      try {
        const product = groups.has('ours') && (await lg.call('poolReady', { name: 'account' }));
        const creds = product ? undefined : await withPg(ourDbUrl, (c) => seedFloor(c, o.accountUsers));
        const schema = product ? 'auth' : FLOOR_SCHEMA;
        const totpKey = randomBytes(32);
        const totpCreds = has('floor.totp') ? await withPg(ourDbUrl, (c) => seedTotpFloor(c, o.totpUsers, totpKey)) : undefined;
        const port = await freePort();
        const p = new Proc('floor', process.execPath, [path.join(__dirname, 'floor', 'server.js')], {
          env: {
            PATH: process.env.PATH ?? '',
            NODE_ENV: 'production',
            DATABASE_URL: ourDbUrl,
            FLOOR_SCHEMA: schema,
            FLOOR_TOTP_KEY: totpKey.toString('hex'),
            PORT: String(port),
            HOST: '127.0.0.1',
          },
        });
        procs.floor = p;
        cleanups.push(() => p.stop());
        await p.waitHttp(`http://127.0.0.1:${port}/health/ready`);
        const f = await lg.call('setFloor', { origin: `http://127.0.0.1:${port}`, creds, fromPool: product ? 'account' : undefined });
        results.stack.floor = {
          endpoint: `http://127.0.0.1:${port}/v1/account`,
          data: product
            ? 'the product auth.users/auth.sessions rows of the GET /v1/account flow'
            : `a mirror of auth.users/auth.sessions in schema ${FLOOR_SCHEMA} (the product could not seed its own)`,
          schema,
          users: f.users,
        };
        if (totpCreds) {
          await lg.call('setFloorTotp', { creds: totpCreds });
          results.stack.floor.totp = { schema: TOTP_SCHEMA, users: totpCreds.length };
        }
        await sleep(500);
        results.memory.rest.floor = rssMiB(p.pid);
      } catch (error) {
        results.stack.floor = { error: error.message };
      }
    }
    if (has('floor.email')) {
      try {
        const port = await freePort();
        const floorPrefix = `bench-${tag}-floor`;
        if (!o.keep) cleanups.push(() => dropRedisPrefix(o.redisUrl, floorPrefix).then(() => undefined));
        const p = new Proc('floor-pipeline', process.execPath, [path.join(__dirname, 'floor', 'pipeline.js')], {
          env: {
            PATH: process.env.PATH ?? '',
            NODE_ENV: 'production',
            REDIS_URL: o.redisUrl,
            FLOOR_PREFIX: floorPrefix,
            SMTP_URL: `smtp://127.0.0.1:${sinks.smtpPort}`,
            PORT: String(port),
            HOST: '127.0.0.1',
          },
          cwd: ROOT,
        });
        procs['floor-pipeline'] = p;
        cleanups.push(() => p.stop());
        await p.waitHttp(`http://127.0.0.1:${port}/health/ready`);
        await lg.call('setFloorEmail', { origin: `http://127.0.0.1:${port}` });
        results.stack.floorEmail = { endpoint: `http://127.0.0.1:${port}/send`, redisKeyPrefix: floorPrefix };
        results.memory.rest['floor-pipeline'] = rssMiB(p.pid);
      } catch (error) {
        results.stack.floorEmail = { error: error.message };
      }
    }
    results.memory.afterSeed = memNow();

    // ── flows
    for (const [id, group, what] of flows) {
      const stackErr =
        group === 'ours'
          ? results.stack.ours?.error
          : group === 'peer'
            ? results.stack.peer?.error
            : id === 'floor.email'
              ? results.stack.floorEmail?.error
              : results.stack.floor?.error;
      if (stackErr) {
        results.flows[id] = { what, error: `${group} not running: ${stackErr.split('\n')[0]}` };
        continue;
      }
      const sampler = new Sampler(live(), 200, shared);
      sampler.start();
      const f0 = Date.now();
      let r;
      try {
        r = await lg.call('flow', {
          name: id,
          connections: o.concurrency,
          warmupMs: o.warmupS * 1000,
          durationMs: o.durationS * 1000,
          rate: o.emailRate,
          graceMs: 10_000,
          // smoke mode proves each flow completes, on however loaded a machine: the window grows until a few ops fit
          minOps: o.smoke ? 3 : 0,
        });
      } catch (error) {
        r = { error: error.message };
      }
      const resources = sampler.stop();
      results.flows[id] = { what, ...r, wallMs: Date.now() - f0, resources };
      for (const [name, v] of Object.entries(resources)) {
        if (typeof v.rssPeakMiB === 'number')
          results.memory.peakUnderLoad[name] = Math.max(results.memory.peakUnderLoad[name] ?? 0, v.rssPeakMiB);
      }
      log(report.flowLine(id, results.flows[id]));
      await sleep(300);
    }

    // ── sustainable rate of each email pipeline: step the offered rate until a step is not sustained
    results.sustainable = {};
    for (const id of STEPPED) {
      if (!has(id) || o.emailSteps.length === 0 || results.flows[id]?.error) continue;
      const steps = [];
      let rate = 0;
      for (const offered of o.emailSteps) {
        const sampler = new Sampler(live(), 500, shared);
        sampler.start();
        let r;
        try {
          r = await lg.call('flow', {
            name: id,
            connections: o.concurrency,
            warmupMs: o.stepWarmupS * 1000,
            durationMs: o.stepDurationS * 1000,
            rate: offered,
            graceMs: 5000,
          });
        } catch (error) {
          r = { error: error.message };
        }
        const resources = sampler.stop();
        const step = report.stepOf(offered, r, resources, SUSTAINED_P99_MS);
        steps.push(step);
        log(`${id} at ${offered}/s: ${step.sustained ? 'sustained' : `not sustained (${step.why})`}, p99 ${step.p99Ms ?? '—'} ms`);
        await sleep(300);
        if (!step.sustained) break;
        rate = offered;
      }
      // every step sustained: the pipeline takes at least the last step, the search did not find its limit
      const capped = steps.length > 0 && steps[steps.length - 1].sustained;
      results.sustainable[id] = { rate, capped, p99LimitMs: SUSTAINED_P99_MS, steps };
    }

    results.memory.end = memNow();
    results.ratios = report.ratios(results.flows, results.sustainable);
    results.targets = report.targets(results, o);
    results.ok = report.allClean(results.flows);
    results.meta.wallS = Math.round((Date.now() - t0) / 100) / 10;
    results.meta.loadavgAtEnd = os.loadavg().map((v) => Math.round(v * 100) / 100);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
    const svgPath = out.replace(/\.json$/, '') + '.svg';
    writeFileSync(svgPath, report.svg(results));
    process.stdout.write(`\n${report.table(results)}\n`);
    log(`results: ${path.relative(process.cwd(), out)} (chart: ${path.relative(process.cwd(), svgPath)}), ${results.meta.wallS} s`);
    process.exitCode = results.ok ? 0 : 1;
  } finally {
    await cleanup();
  }
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`[bench] ${error.stack || error.message}\n`);
    process.exit(2);
  });
}

module.exports = { options, FLOWS, STEPPED };
