'use strict';
// The load generator: a child process of bench/run.js (node:child_process fork, commands over IPC).
// It holds every client-side state of a run: the seeded users and their credentials, the TOTP step each
// user last had accepted, the loopback SMTP and Twilio sinks the notifier delivers to, and the latencies.
// Closed-loop flows keep N keep-alive connections busy (one request in flight per connection); the email
// flow is open-loop at a fixed offered rate. Latencies are per request with performance.now().
const path = require('node:path');
const http = require('node:http');
const { performance } = require('node:perf_hooks');
const { randomBytes } = require('node:crypto');
const { summarize } = require('./lib/stats');
const { totpAt, base32Decode, stepNow, msToNextStep } = require('./lib/totp');
const { startSmtpSink } = require('./lib/smtp-sink');

function loadUndici() {
  for (const p of [path.join(__dirname, 'peer', 'node_modules', 'undici'), 'undici']) {
    try {
      return require(p);
    } catch {
      /* next */
    }
  }
  throw new Error('undici not found: run `npm ci --prefix bench/peer`');
}
const { Pool } = loadUndici();

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();
const PASSWORD = 'bench-Password-1234';

// ───────────────────────────── HTTP ─────────────────────────────

class Target {
  constructor(origin, connections) {
    this.origin = origin;
    this.pool = new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 60_000, keepAliveMaxTimeout: 600_000 });
  }
  async req(method, path, headers, body) {
    const res = await this.pool.request({ method, path, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, text };
  }
  close() {
    return this.pool.close().catch(() => undefined);
  }
}

function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** "401 user_invalid_token" for an Appwrite-style error, "401 INVALID_CODE" for Better Auth, "500" otherwise */
function errKey(r) {
  const j = parse(r.text);
  const type = j && (j.type || j.code);
  return type ? `${r.status} ${type}` : `${r.status}`;
}

class SetupError extends Error {}

function expect(r, status, what) {
  if (r.status !== status) {
    const j = parse(r.text);
    throw new SetupError(
      `${what}: expected ${status}, got ${r.status}${j?.type ? ` ${j.type}` : ''}${j?.message ? ` (${String(j.message).slice(0, 160)})` : r.text ? ` (${r.text.slice(0, 160)})` : ''}`,
    );
  }
  return parse(r.text);
}

/** runs fn(i) for i in [0, n) with at most `limit` in flight; stops at the first error and rethrows it */
async function mapLimit(n, limit, fn) {
  let next = 0;
  let failed;
  const results = new Array(n);
  const worker = async () => {
    while (!failed && next < n) {
      const i = next++;
      try {
        results[i] = await fn(i);
      } catch (error) {
        failed ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
  if (failed) throw failed;
  return results;
}

/** a ring buffer: O(1) push/shift for the TOTP user queue */
class Deque {
  constructor(items = []) {
    this.buf = new Array(Math.max(16, items.length * 2));
    this.head = 0;
    this.size = 0;
    for (const it of items) this.push(it);
  }
  push(v) {
    if (this.size === this.buf.length) {
      const old = this.buf;
      this.buf = new Array(old.length * 2);
      for (let i = 0; i < this.size; i++) this.buf[i] = old[(this.head + i) % old.length];
      this.head = 0;
    }
    this.buf[(this.head + this.size) % this.buf.length] = v;
    this.size++;
  }
  shift() {
    if (this.size === 0) return undefined;
    const v = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) % this.buf.length;
    this.size--;
    return v;
  }
}

// ───────────────────────────── sinks ─────────────────────────────

const sink = {
  smtp: null,
  twilio: null,
  messages: 0,
  sms: 0,
  lastAt: 0,
  /** set by the email flow: recipient (lower case) -> record */
  expect: null,
  other: 0,
};

function headerOf(raw, name) {
  const head = raw.split(/\r?\n\r?\n/, 1)[0].replace(/\r?\n[ \t]+/g, ' ');
  const m = new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head);
  if (!m) return '';
  return m[1].replace(/=\?([^?]+)\?([BQ])\?([^?]*)\?=/gi, (_, _cs, enc, data) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(data, 'base64').toString('utf8')
      : data.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, h) => String.fromCharCode(parseInt(h, 16))),
  );
}

function onMail(raw, rcpts, t) {
  sink.messages++;
  sink.lastAt = t;
  if (!sink.expect) return;
  for (const to of rcpts) {
    let rec = sink.expect.get(to.toLowerCase());
    // a recipient with several requests (the peer's users): the oldest request still waiting for its code
    if (Array.isArray(rec)) rec = rec.find((r) => r.fired && !r.err && r.recv.length === 0) ?? rec.findLast((r) => r.fired);
    if (!rec) {
      sink.other++;
      continue;
    }
    const isCode = (rec.challengeId && raw.includes(rec.challengeId)) || /code/i.test(headerOf(raw, 'subject'));
    if (!isCode) {
      rec.otherMail++;
      continue;
    }
    rec.recv.push(t);
    if (rec.challengeId && raw.includes(rec.challengeId)) rec.byId = true;
    if (!rec.challengeId && !rec.noId) rec.raws.push(raw); // the response is not back yet: check the id later
  }
}

async function startSinks() {
  sink.smtp = await startSmtpSink(onMail);
  const accountSid = `AC${randomBytes(16).toString('hex')}`;
  const authToken = randomBytes(16).toString('hex');
  const twilio = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      sink.sms++;
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const sid = `SM${randomBytes(16).toString('hex')}`;
      const date = new Date().toUTCString();
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          sid,
          account_sid: accountSid,
          to: form.get('To'),
          from: form.get('From'),
          body: form.get('Body'),
          status: 'queued',
          num_segments: '1',
          direction: 'outbound-api',
          api_version: '2010-04-01',
          date_created: date,
          date_updated: date,
          date_sent: null,
          price: null,
          error_code: null,
          error_message: null,
          uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
          subresource_uris: {},
        }),
      );
    });
  });
  await new Promise((r) => twilio.listen(0, '127.0.0.1', r));
  sink.twilio = twilio;
  return { smtpPort: sink.smtp.port, twilioPort: twilio.address().port, accountSid, authToken };
}

/** waits until the SMTP sink has been idle for `idleMs` (queued notices drained), at most `maxMs` */
async function quiesce({ idleMs = 1500, maxMs = 120_000 }) {
  const t0 = now();
  const before = sink.messages;
  while (now() - t0 < maxMs) {
    if (now() - Math.max(sink.lastAt, t0) >= idleMs) break;
    await sleep(100);
  }
  return { messages: sink.messages - before, waitedMs: Math.round(now() - t0) };
}

// ───────────────────────────── our product: seeding ─────────────────────────────

const state = {
  runTag: randomBytes(3).toString('hex'),
  ours: null, // { target, project, apiKey, sessionMode }
  pools: {}, // name -> [user]
  setup: {}, // name -> { error?, degraded?, notes? }
  peer: null,
  floor: null,
};

const oursHeaders = (extra) => ({ 'x-appwrite-project': state.ours.project, 'content-type': 'application/json', ...extra });
const keyHeaders = () => oursHeaders({ 'x-appwrite-key': state.ours.apiKey });
const sessionHeaders = (cred) => oursHeaders({ 'x-appwrite-session': cred });

/** the X-Appwrite-Session value: the API returns it already encoded; a raw secret is encoded here */
function encodeCred(secret, userId) {
  const decoded = parse(Buffer.from(String(secret), 'base64').toString('utf8'));
  if (decoded && typeof decoded === 'object' && decoded.id && decoded.secret) return secret;
  return Buffer.from(JSON.stringify({ id: userId, secret })).toString('base64');
}

async function createUser(email, withPassword) {
  const body = { userId: 'unique()', name: 'Bench User' };
  if (email) body.email = email;
  if (withPassword) body.password = PASSWORD;
  const j = expect(await state.ours.target.req('POST', '/v1/users', keyHeaders(), body), 201, 'POST /v1/users');
  return j.$id;
}

async function newSession(userId, email) {
  const t = state.ours.target;
  if (state.ours.sessionMode === 'server') {
    const j = expect(await t.req('POST', `/v1/users/${userId}/sessions`, keyHeaders(), {}), 201, 'POST /v1/users/{id}/sessions');
    return encodeCred(j.secret, userId);
  }
  const j = expect(
    await t.req('POST', '/v1/account/sessions/email', keyHeaders(), { email, password: PASSWORD }),
    201,
    'POST /v1/account/sessions/email (API key)',
  );
  return encodeCred(j.secret, userId);
}

async function enrollTotp(cred) {
  const t = state.ours.target;
  const a = expect(
    await t.req('POST', '/v1/account/mfa/authenticators/totp', sessionHeaders(cred), {}),
    200,
    'POST /v1/account/mfa/authenticators/totp',
  );
  const key = base32Decode(a.secret);
  // a step boundary between the code and the check is covered by the ±1 window
  const step = stepNow();
  expect(
    await t.req('PUT', '/v1/account/mfa/authenticators/totp', sessionHeaders(cred), { otp: totpAt(key, step) }),
    200,
    'PUT /v1/account/mfa/authenticators/totp',
  );
  return { key, last: step };
}

async function setMfa(userId) {
  expect(await state.ours.target.req('PATCH', `/v1/users/${userId}/mfa`, keyHeaders(), { mfa: true }), 200, 'PATCH /v1/users/{id}/mfa');
}

async function completeTotp(cred, user) {
  const t = state.ours.target;
  const c = expect(
    await t.req('POST', '/v1/account/mfa/challenges', sessionHeaders(cred), { factor: 'totp' }),
    201,
    'POST /v1/account/mfa/challenges',
  );
  const step = Math.max(user.last + 1, stepNow());
  if (step > stepNow() + 1) throw new SetupError('no fresh TOTP step available');
  expect(
    await t.req('PUT', '/v1/account/mfa/challenges', sessionHeaders(cred), { challengeId: c.$id, otp: totpAt(user.key, step) }),
    200,
    'PUT /v1/account/mfa/challenges',
  );
  user.last = step;
}

const email = (pool, i) => `bench-${state.runTag}-${pool}-${i}@example.com`;

async function seedOurs({ origin, project, apiKey, sizes, concurrency = 32 }) {
  state.ours = { target: new Target(origin, concurrency), project, apiKey, sessionMode: undefined };
  const t = state.ours.target;
  const report = { pools: {} };
  const t0 = now();
  // Which way do we get a session credential for a user? POST /v1/users/{id}/sessions (no password, so no
  // argon2 per seeded user), else sign-in with the API key (every seeded user then needs a password).
  try {
    const probeEmail = email('probe', 0);
    const id = await createUser(probeEmail, true);
    const r = await t.req('POST', `/v1/users/${id}/sessions`, keyHeaders(), {});
    state.ours.sessionMode = r.status === 201 ? 'server' : 'password';
    report.sessionMode = state.ours.sessionMode;
    if (r.status !== 201)
      report.note = `POST /v1/users/{id}/sessions answered ${errKey(r)}: seeding signs users in with the API key (slower: a password hash per user)`;
  } catch (error) {
    report.error = `cannot seed users: ${error.message}`;
    for (const name of ['signin', 'account', 'totp', 'email']) state.setup[name] = { error: report.error };
    report.ms = Math.round(now() - t0);
    return report;
  }
  const withPw = state.ours.sessionMode !== 'server';
  // Users of the TOTP pools get no email address when the API allows it: enrolling a factor sends a
  // security notice by email, and thousands of seeded users would keep the notifier busy into the flows.
  let mfaEmail = (pool, i) => email(pool, i);
  if (!withPw) {
    try {
      const id = await createUser(undefined, false);
      await enrollTotp(await newSession(id));
      mfaEmail = () => undefined;
      report.mfaUsersWithoutEmail = true;
    } catch (error) {
      report.mfaUsersWithoutEmail = false;
      report.noteEmail = `users without email cannot enroll TOTP (${error.message}); seeded MFA users have addresses, so each enrollment mails a notice`;
    }
  }

  const seedPool = async (name, n, fn) => {
    const p0 = now();
    try {
      state.pools[name] = await mapLimit(n, concurrency, fn);
      state.setup[name] = { ...(state.setup[name] ?? {}) };
    } catch (error) {
      state.pools[name] = [];
      state.setup[name] = { ...(state.setup[name] ?? {}), error: `setup failed: ${error.message}` };
    }
    report.pools[name] = { users: state.pools[name].length, ms: Math.round(now() - p0), ...state.setup[name] };
  };

  // flow 4: users with TOTP and MFA on, and a session that completed a TOTP challenge (2 factors)
  await seedPool('account', sizes.account, async (i) => {
    const e = mfaEmail('acc', i);
    const userId = await createUser(e, withPw);
    const first = await newSession(userId, e);
    let totp;
    try {
      totp = await enrollTotp(first);
    } catch (error) {
      // MFA routes not there yet: measure GET /v1/account with a one-factor session, and say so
      state.setup.account = { degraded: `measured without MFA: ${error.message}` };
      expect(await t.req('GET', '/v1/account', sessionHeaders(first), undefined), 200, 'GET /v1/account');
      return { userId, cred: first };
    }
    await setMfa(userId);
    const cred = await newSession(userId, e);
    const partial = await t.req('GET', '/v1/account', sessionHeaders(cred), undefined);
    if (errKey(partial) !== '401 user_more_factors_required') {
      throw new SetupError(
        `GET /v1/account with a one-factor session of an MFA user: expected 401 user_more_factors_required, got ${errKey(partial)}`,
      );
    }
    await completeTotp(cred, totp);
    const acc = expect(await t.req('GET', '/v1/account', sessionHeaders(cred), undefined), 200, 'GET /v1/account after the challenge');
    if (acc.$id !== userId || acc.mfa !== true) throw new SetupError(`GET /v1/account returned ${JSON.stringify(acc).slice(0, 200)}`);
    return { userId, cred };
  });

  // flow 1: users with a password
  await seedPool('signin', sizes.signin, async (i) => {
    const e = email('si', i);
    await createUser(e, true);
    return { email: e, password: PASSWORD };
  });

  // flow 3: verified email and a session; each is sent one challenge
  await seedPool('email', sizes.email, async (i) => {
    const e = email('em', i);
    const userId = await createUser(e, withPw);
    expect(
      await t.req('PATCH', `/v1/users/${userId}/verification`, keyHeaders(), { emailVerification: true }),
      200,
      'PATCH /v1/users/{id}/verification',
    );
    return { userId, email: e, cred: await newSession(userId, e) };
  });

  // flow 2: TOTP enrolled, MFA on; each user completes at most one challenge per 30-s step
  await seedPool('totp', sizes.totp, async (i) => {
    const e = mfaEmail('tp', i);
    const userId = await createUser(e, withPw);
    const cred = await newSession(userId, e);
    const totp = await enrollTotp(cred);
    await setMfa(userId);
    return { userId, cred, key: totp.key, last: totp.last };
  });

  report.ms = Math.round(now() - t0);
  return report;
}

// ───────────────────────────── Better Auth: seeding ─────────────────────────────

function cookieJar(res) {
  const set = res.headers['set-cookie'];
  const list = Array.isArray(set) ? set : set ? [set] : [];
  return list
    .map((c) => c.split(';')[0])
    .filter((c) => !/=$/.test(c))
    .join('; ');
}

async function seedPeer({ origin, sizes, concurrency = 16 }) {
  const target = new Target(origin, concurrency);
  state.peer = { target, origin, headers: { origin, 'content-type': 'application/json' } };
  const h = state.peer.headers;
  const report = { pools: {} };
  const t0 = now();
  const signUp = async (e) => {
    const r = await target.req('POST', '/api/auth/sign-up/email', h, { email: e, password: PASSWORD, name: 'Bench User' });
    expect(r, 200, 'POST /api/auth/sign-up/email');
    return cookieJar(r);
  };
  const seedPool = async (name, n, fn) => {
    const p0 = now();
    try {
      state.pools[name] = await mapLimit(n, concurrency, fn);
      state.setup[name] = {};
    } catch (error) {
      state.pools[name] = [];
      state.setup[name] = { error: `setup failed: ${error.message}` };
    }
    report.pools[name] = { users: state.pools[name].length, ms: Math.round(now() - p0), ...state.setup[name] };
  };
  await seedPool('peer.signin', sizes.signin, async (i) => {
    const e = email('pa-si', i);
    await signUp(e);
    return { email: e, password: PASSWORD };
  });
  await seedPool('peer.totp', sizes.totp, async (i) => {
    const e = email('pa-tp', i);
    let cookie = await signUp(e);
    const en = expect(
      await target.req('POST', '/api/auth/two-factor/enable', { ...h, cookie }, { password: PASSWORD }),
      200,
      'POST /api/auth/two-factor/enable',
    );
    const key = base32Decode(new URL(en.totpURI).searchParams.get('secret'));
    const v = await target.req('POST', '/api/auth/two-factor/verify-totp', { ...h, cookie }, { code: totpAt(key, stepNow()) });
    expect(v, 200, 'POST /api/auth/two-factor/verify-totp (enable)');
    cookie = cookieJar(v) || cookie; // enabling rotates the session
    const s = await target.req('GET', '/api/auth/get-session', { cookie }, undefined);
    const j = expect(s, 200, 'GET /api/auth/get-session');
    if (!j?.user?.twoFactorEnabled) throw new SetupError(`get-session after enabling 2FA: ${s.text.slice(0, 200)}`);
    return { email: e, cookie, key };
  });
  report.ms = Math.round(now() - t0);
  return report;
}

// ───────────────────────────── flows ─────────────────────────────

/**
 * Closed loop: `connections` workers, each with one request (or one op of several requests) in flight.
 * Ops that start after the warm-up and end before the deadline count toward throughput and latency;
 * errors count in every phase. op(w) resolves {err?, t0?, parts?, stop?}; t0 replaces the start time when
 * the op waited for something (a TOTP step) before its first request; stop ends that worker.
 * With `minOps`, the window is extended (by at most `maxExtendMs`) until that many ops fit in it, so a
 * smoke run on a loaded machine still measures something; throughput is then over the window's real length.
 */
async function closedLoop({ connections, warmupMs, durationMs, op, ctx, minOps = 0, maxExtendMs = 60_000 }) {
  const lat = [];
  const parts = {};
  const errors = {};
  const samples = [];
  const start = now() + warmupMs;
  let end = start + durationMs;
  const hardEnd = end + maxExtendMs;
  ctx.deadline = end;
  /** moves the window's end to `t` while fewer than `minOps` ops were measured (never past hardEnd) */
  const extendTo = (t) => {
    if (lat.length >= minOps || t > hardEnd) return false;
    end = Math.max(end, t);
    ctx.deadline = end;
    return true;
  };
  let requests = 0;
  let allOps = 0;
  const worker = async (w) => {
    for (;;) {
      const a0 = now();
      if (a0 >= end && !extendTo(a0 + 1)) return;
      let r;
      try {
        r = await op(w);
      } catch (error) {
        r = { err: `ERR ${error.code || error.message}` };
      }
      if (r.stop) return;
      const b = now();
      const a = r.t0 ?? a0;
      requests += r.requests ?? 1;
      if (r.err) {
        errors[r.err] = (errors[r.err] ?? 0) + 1;
        if (samples.length < 5 && r.sample) samples.push(r.sample);
        continue;
      }
      allOps++;
      if (a >= start && (b <= end || extendTo(b))) {
        lat.push(b - a);
        for (const [k, v] of Object.entries(r.parts ?? {})) (parts[k] ??= []).push(v);
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, (_, w) => worker(w)));
  const ops = lat.length;
  const out = {
    ops,
    throughput: Math.round((ops / ((end - start) / 1000)) * 10) / 10,
    latencyMs: summarize(lat),
    errors,
    errorCount: Object.values(errors).reduce((a, b) => a + b, 0),
    requests,
    allOps,
  };
  if (Object.keys(parts).length) out.perRequestMs = Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, summarize(v)]));
  if (samples.length) out.errorSamples = samples;
  return out;
}

const sample = (r, what) => `${what} → ${r.status} ${r.text.slice(0, 200)}`;

function flowOp(name, target, ctx) {
  switch (name) {
    case 'ours.signin': {
      const users = state.pools.signin;
      let i = 0;
      return async () => {
        const u = users[i++ % users.length];
        const r = await target.req('POST', '/v1/account/sessions/email', oursHeaders(), { email: u.email, password: u.password });
        return r.status === 201 ? {} : { err: errKey(r), sample: sample(r, 'POST /v1/account/sessions/email') };
      };
    }
    case 'ours.account': {
      const users = state.pools.account;
      return async (w) => {
        const r = await target.req('GET', '/v1/account', sessionHeaders(users[w % users.length].cred), undefined);
        return r.status === 200 ? {} : { err: errKey(r), sample: sample(r, 'GET /v1/account') };
      };
    }
    case 'floor.account': {
      const creds = state.floor.creds;
      return async (w) => {
        const r = await target.req('GET', '/v1/account', { 'x-appwrite-session': creds[w % creds.length].session }, undefined);
        return r.status === 200 ? {} : { err: errKey(r), sample: sample(r, 'floor GET /v1/account') };
      };
    }
    case 'ours.totp':
    case 'floor.totp': {
      // Each user has one TOTP step accepted at most once: use steps `now` and `now + 1` (both inside the
      // ±1 window even if a boundary passes in flight), then park the user until the next step starts.
      const ready = new Deque(state.pools[POOL_OF[name]]);
      const headersOf =
        name === 'ours.totp' ? sessionHeaders : (cred) => ({ 'content-type': 'application/json', 'x-appwrite-session': cred });
      let parked = [];
      let seen = stepNow();
      ctx.stallMs = 0;
      ctx.stalls = 0;
      return async () => {
        let user;
        while (!user) {
          const s = stepNow();
          if (s !== seen) {
            seen = s;
            for (const u of parked) ready.push(u);
            parked = [];
          }
          const u = ready.shift();
          if (!u) {
            // every user has used the current and the next step: wait for the next one, unless the flow ends first
            if (now() + msToNextStep() + 5 >= ctx.deadline) return { stop: true };
            const w0 = now();
            await sleep(msToNextStep() + 5);
            ctx.stallMs += now() - w0;
            ctx.stalls++;
            continue;
          }
          if (u.last > s) parked.push(u);
          else user = u;
        }
        const t0 = now();
        const step = Math.max(user.last + 1, stepNow());
        const headers = headersOf(user.cred);
        const c = await target.req('POST', '/v1/account/mfa/challenges', headers, { factor: 'totp' });
        const t1 = now();
        if (c.status !== 201) {
          ready.push(user);
          return { err: `create ${errKey(c)}`, sample: sample(c, 'POST /v1/account/mfa/challenges'), t0 };
        }
        const id = parse(c.text).$id;
        const r = await target.req('PUT', '/v1/account/mfa/challenges', headers, { challengeId: id, otp: totpAt(user.key, step) });
        user.last = step;
        ready.push(user);
        if (r.status !== 200) return { err: `complete ${errKey(r)}`, sample: sample(r, 'PUT /v1/account/mfa/challenges'), t0, requests: 2 };
        return { t0, parts: { create: t1 - t0, complete: now() - t1 }, requests: 2 };
      };
    }
    case 'peer.signin': {
      const users = state.pools['peer.signin'];
      let i = 0;
      return async () => {
        const u = users[i++ % users.length];
        const r = await target.req('POST', '/api/auth/sign-in/email', state.peer.headers, { email: u.email, password: u.password });
        return r.status === 200 ? {} : { err: errKey(r), sample: sample(r, 'POST /api/auth/sign-in/email') };
      };
    }
    case 'peer.totp': {
      const users = state.pools['peer.totp'];
      return async (w) => {
        const u = users[w % users.length];
        const r = await target.req(
          'POST',
          '/api/auth/two-factor/verify-totp',
          { ...state.peer.headers, cookie: u.cookie },
          { code: totpAt(u.key, stepNow()) },
        );
        return r.status === 200 ? {} : { err: errKey(r), sample: sample(r, 'POST /api/auth/two-factor/verify-totp') };
      };
    }
    case 'peer.session': {
      const users = state.pools['peer.totp'];
      return async (w) => {
        const r = await target.req('GET', '/api/auth/get-session', { cookie: users[w % users.length].cookie }, undefined);
        return r.status === 200 && r.text !== 'null'
          ? {}
          : { err: errKey(r) + (r.text === 'null' ? ' null-session' : ''), sample: sample(r, 'GET /api/auth/get-session') };
      };
    }
    default:
      throw new Error(`unknown flow ${name}`);
  }
}

const POOL_OF = {
  'ours.signin': 'signin',
  'ours.account': 'account',
  'ours.totp': 'totp',
  'floor.totp': 'floor.totp',
  'ours.email': 'email',
  'peer.email': 'peer.totp',
  'peer.signin': 'peer.signin',
  'peer.totp': 'peer.totp',
  'peer.session': 'peer.totp',
};

function originOf(name) {
  if (name.startsWith('ours.')) return state.ours?.target.origin;
  if (name.startsWith('peer.')) return state.peer?.origin;
  if (name === 'floor.email') return state.floorEmail?.origin;
  return state.floor?.origin;
}

async function runFlow({ name, connections, warmupMs, durationMs, rate, graceMs, minOps }) {
  const pool = POOL_OF[name];
  if (pool) {
    const setup = state.setup[pool];
    if (!setup || setup.error) return { error: setup?.error ?? 'not seeded' };
  } else if (!originOf(name)) return { error: 'floor not set up' };
  const origin = originOf(name);
  if (name.endsWith('.email')) return emailFlow({ mode: name.split('.')[0], origin, rate, warmupMs, durationMs, graceMs });
  const target = new Target(origin, connections);
  const ctx = {};
  try {
    const op = flowOp(name, target, ctx);
    const res = await closedLoop({ connections, warmupMs, durationMs, op, ctx, minOps });
    res.concurrency = connections;
    if (name === 'ours.totp' || name === 'floor.totp') {
      res.users = state.pools[pool].length;
      res.stallMs = Math.round(ctx.stallMs);
      if (ctx.stalls)
        res.warning = `user pool exhausted ${ctx.stalls} times (every user had used the current and next step): raise BENCH_TOTP_USERS`;
    }
    if (pool && state.setup[pool].degraded) res.degraded = state.setup[pool].degraded;
    return res;
  } finally {
    await target.close();
  }
}

/**
 * Open loop at `rate` requests/s; latency = from the request being due to the code arriving at the sink.
 * mode `ours`: POST /v1/account/mfa/challenges {factor: email}, each user of the pool once (the pool is
 * consumed across runs: the sustainable-rate steps take the next users); `floor`: the pipeline floor's
 * POST /send to a fresh address; `peer`: Better Auth's POST /api/auth/two-factor/send-otp with the session
 * of a user with 2FA on, users in turn (a code is matched to the oldest request of its recipient).
 */
async function emailFlow({ mode = 'ours', origin, rate, warmupMs, durationMs, graceMs = 10_000 }) {
  const total = Math.floor((rate * (warmupMs + durationMs)) / 1000);
  let users;
  if (mode === 'ours') {
    const pool = state.pools.email;
    const from = state.emailCursor ?? 0;
    if (pool.length - from < total) return { error: `email pool has ${pool.length - from} unused users, the flow needs ${total}` };
    users = pool.slice(from, from + total);
    state.emailCursor = from + total;
  } else if (mode === 'floor') {
    const run = (state.floorEmailRun = (state.floorEmailRun ?? 0) + 1);
    users = Array.from({ length: total }, (_, i) => ({ email: `floor-${state.runTag}-${run}-${i}@example.com` }));
  } else {
    const pool = state.pools['peer.totp'];
    users = Array.from({ length: total }, (_, i) => pool[i % pool.length]);
  }
  const target = new Target(origin, 64);
  const interval = 1000 / rate;
  const okStatus = mode === 'peer' ? 200 : 201;
  const recs = users.map((u) => ({
    user: u,
    tDue: 0,
    tResp: 0,
    status: 0,
    err: null,
    challengeId: null,
    recv: [],
    raws: [],
    otherMail: 0,
    byId: false,
    fired: false,
    noId: mode === 'peer',
  }));
  sink.expect = new Map();
  for (const r of recs) {
    const key = r.user.email.toLowerCase();
    if (mode === 'peer') {
      if (!sink.expect.has(key)) sink.expect.set(key, []);
      sink.expect.get(key).push(r);
    } else sink.expect.set(key, r);
  }
  sink.other = 0;
  const errors = {};
  const samples = [];
  let inflight = 0;
  const request = (rec) =>
    mode === 'ours'
      ? target.req('POST', '/v1/account/mfa/challenges', sessionHeaders(rec.user.cred), { factor: 'email' })
      : mode === 'floor'
        ? target.req('POST', '/send', { 'content-type': 'application/json' }, { to: rec.user.email })
        : target.req('POST', '/api/auth/two-factor/send-otp', { ...state.peer.headers, cookie: rec.user.cookie }, {});
  const fire = async (rec) => {
    inflight++;
    rec.fired = true;
    try {
      const r = await request(rec);
      rec.tResp = now();
      rec.status = r.status;
      if (r.status === okStatus) {
        rec.challengeId = mode === 'peer' ? null : parse(r.text).$id;
        if (rec.raws.some((raw) => raw.includes(rec.challengeId))) rec.byId = true;
        rec.raws = [];
      } else {
        rec.err = errKey(r);
        if (samples.length < 5) samples.push(sample(r, `${mode} email request`));
      }
    } catch (error) {
      rec.tResp = now();
      rec.err = `ERR ${error.code || error.message}`;
    } finally {
      inflight--;
    }
  };
  const t0 = now() + 20;
  const windowStart = t0 + warmupMs;
  let i = 0;
  let maxLagMs = 0;
  await new Promise((resolve) => {
    const tick = () => {
      const t = now();
      while (i < total && t0 + i * interval <= t) {
        const rec = recs[i];
        rec.tDue = t0 + i * interval;
        maxLagMs = Math.max(maxLagMs, t - rec.tDue);
        i++;
        void fire(rec);
      }
      if (i >= total) return resolve();
      setTimeout(tick, Math.max(0, t0 + i * interval - now()));
    };
    tick();
  });
  const sendEnd = now();
  while (inflight > 0 && now() - sendEnd < graceMs) await sleep(10);
  // wait for the stragglers, then a little longer to catch duplicates
  const deadline = now() + graceMs;
  while (now() < deadline && recs.some((r) => r.status === okStatus && r.recv.length === 0)) await sleep(20);
  await sleep(Math.min(1000, graceMs / 4));
  sink.expect = null;
  await target.close();

  const accepted = recs.filter((r) => r.status === okStatus);
  for (const r of recs) if (r.err) errors[r.err] = (errors[r.err] ?? 0) + 1;
  const measured = accepted.filter((r) => r.tDue >= windowStart && r.recv.length > 0);
  const lost = accepted.filter((r) => r.recv.length === 0).length;
  const duplicated = recs.reduce((a, r) => a + Math.max(0, r.recv.length - 1), 0);
  const res = {
    offeredRate: rate,
    sent: total,
    accepted: accepted.length,
    received: accepted.length - lost,
    lost,
    duplicated,
    /** code messages for challenges whose request failed */
    unexpected: recs.filter((r) => r.status !== okStatus && r.recv.length > 0).length,
    otherMessages: sink.other + recs.reduce((a, r) => a + r.otherMail, 0),
    correlatedByChallengeId: mode === 'peer' ? null : accepted.filter((r) => r.byId).length,
    throughput: Math.round((measured.length / (durationMs / 1000)) * 10) / 10,
    allOps: accepted.length - lost,
    latencyMs: summarize(measured.map((r) => r.recv[0] - r.tDue)),
    perRequestMs: {
      request: summarize(accepted.filter((r) => r.tDue >= windowStart).map((r) => r.tResp - r.tDue)),
      responseToReceipt: summarize(measured.map((r) => r.recv[0] - r.tResp)),
    },
    schedulerMaxLagMs: Math.round(maxLagMs * 10) / 10,
    errors,
    errorCount: Object.values(errors).reduce((a, b) => a + b, 0),
  };
  if (samples.length) res.errorSamples = samples;
  return res;
}

// ───────────────────────────── IPC ─────────────────────────────

const handlers = {
  sinks: () => startSinks(),
  seedOurs: (a) => seedOurs(a),
  seedPeer: (a) => seedPeer(a),
  /** the floor presents either the flow-4 sessions (product tables) or mirror credentials */
  setFloor: ({ origin, creds, fromPool }) => {
    const list = fromPool ? state.pools[fromPool].map((u) => ({ userId: u.userId, session: u.cred })) : creds;
    state.floor = { origin, creds: list };
    return { users: list.length };
  },
  setFloorTotp: ({ creds }) => {
    state.pools['floor.totp'] = creds.map((c) => ({ userId: c.userId, cred: c.cred, key: Buffer.from(c.key, 'base64'), last: 0 }));
    state.setup['floor.totp'] = {};
    return { users: creds.length };
  },
  setFloorEmail: ({ origin }) => {
    state.floorEmail = { origin };
    return {};
  },
  poolReady: ({ name }) => Boolean(state.pools[name]?.length && !state.setup[name]?.error),
  quiesce: (a) => quiesce(a ?? {}),
  flow: (a) => runFlow(a),
  sinkStats: () => ({ messages: sink.messages, sms: sink.sms }),
  exit: async () => {
    await state.ours?.target.close();
    await state.peer?.target.close();
    sink.smtp?.close();
    sink.twilio?.close();
    setImmediate(() => process.exit(0));
    return {};
  },
};

process.on('message', (msg) => {
  Promise.resolve()
    .then(() => handlers[msg.cmd](msg.args))
    .then(
      (result) => process.send({ id: msg.id, ok: true, result }),
      (error) => process.send({ id: msg.id, ok: false, error: error.message, stack: error.stack }),
    );
});
process.on('disconnect', () => process.exit(0));
