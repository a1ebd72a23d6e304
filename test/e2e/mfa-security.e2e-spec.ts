import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { randomInt } from 'node:crypto';
import { Client } from 'pg';
import { parseKeyring, rpcKeys, rpcNonce, signRpcRequest } from '@twostep/crypto';
import { waitFor } from '@twostep/testing';
import type { SmtpSink, TestStack, TwilioSink } from '@twostep/testing';
import { StackWithSinks, startStackWithSinks } from './support/stack-with-sinks';
import { Api } from './support/http';
import { RawRpcPeer } from './support/rpc';
import { awayFromStepBoundary, base32Decode, currentStep, totpAt } from './support/totp';
import { leakedSecrets } from './support/secret-scan';

/** Every key of a deployment's Redis prefix with its value, whatever its type, as one text. */
async function redisDump(
  redisUrl: string,
  prefix: string,
): Promise<{ dump: string; keys: string[]; jobs: Array<{ key: string; data: string }> }> {
  const redis = new Redis(redisUrl);
  try {
    const keys = await redis.keys(`${prefix}:*`);
    let dump = keys.join('\n');
    const jobs: Array<{ key: string; data: string }> = [];
    for (const key of keys) {
      const type = await redis.type(key);
      if (type === 'string') dump += await redis.get(key);
      else if (type === 'hash') {
        const h = await redis.hgetall(key);
        if (typeof h.data === 'string' && typeof h.name === 'string') jobs.push({ key, data: h.data });
        dump += JSON.stringify(h);
      } else if (type === 'list') dump += JSON.stringify(await redis.lrange(key, 0, -1));
      else if (type === 'set') dump += JSON.stringify(await redis.smembers(key));
      else if (type === 'zset') dump += JSON.stringify(await redis.zrange(key, 0, -1));
      else if (type === 'stream') dump += JSON.stringify(await redis.xrange(key, '-', '+'));
    }
    return { dump, keys, jobs };
  } finally {
    redis.disconnect();
  }
}

/** Sends one raw Nest TCP frame (`<length>#<json>`) to a port and closes the connection. */
/**
 * Writes one packet to mfa-service on Nest's TCP framing, authenticated with the deployment's MFA_RPC_KEY
 * (mfa-service hands nothing else to Nest), and closes the connection.
 */
async function sendRawFrame(port: number, rpcKey: string, packet: { pattern: string; data: unknown; id?: string }): Promise<void> {
  const peer = await RawRpcPeer.open(port);
  peer.send(signRpcRequest(rpcKeys(parseKeyring(rpcKey)), peer.serverNonce, rpcNonce(), 1, Date.now(), JSON.stringify(packet)));
  await new Promise((r) => setTimeout(r, 200));
  peer.destroy();
}

/**
 * The security checklist of security-bar.md section 6 (items named in issue 4), each rule proven
 * against the three services running as processes on real Postgres and Redis.
 */
describe('MFA security rules against the running services', () => {
  let stack: TestStack;
  let smtp: SmtpSink;
  let twilio: TwilioSink;
  let sinks: StackWithSinks;
  let api: Api;
  /** every secret the suite saw; none may appear in logs, Redis or database rows (items 44-46) */
  const secrets = new Set<string>();
  const remember = (...values: (string | undefined)[]) => values.forEach((v) => v && secrets.add(v));
  /** Redis as it was while a delivery job waited or was active (test 44), scanned again at the end */
  const heldDumps: string[] = [];

  beforeAll(async () => {
    sinks = await startStackWithSinks('mfasec');
    ({ stack, smtp, twilio } = sinks);
    api = new Api(stack);
    remember(
      twilio.authToken,
      stack.env.MFA_ENCRYPTION_KEY,
      stack.env.QUEUE_ENCRYPTION_KEY,
      stack.env.MFA_RPC_KEY,
      stack.env.JWT_SIGNING_KEY,
      stack.apiKey,
    );
  }, 90_000);

  afterAll(async () => {
    await sinks?.stop();
  });

  /** A user with a verified authenticator (enrolled at `step`), recovery codes and MFA on, plus a password-only session. */
  async function mfaUser(opts: { email?: boolean } = {}) {
    const u = await api.createUser();
    remember(u.password, u.email);
    const first = await api.signIn(u.email, u.password);
    const created = await api.as<{ secret: string; uri: string }>(first.session, 'POST', '/account/mfa/authenticators/totp', {});
    expect(created.status).toBe(200);
    const secret = created.body.secret;
    remember(secret, created.body.uri, first.session);
    await awayFromStepBoundary();
    const step = currentStep();
    expect((await api.as(first.session, 'PUT', '/account/mfa/authenticators/totp', { otp: totpAt(secret, step) })).status).toBe(200);
    const codes = await api.as<{ recoveryCodes: string[] }>(first.session, 'POST', '/account/mfa/recovery-codes', {});
    expect(codes.status).toBe(201);
    remember(...codes.body.recoveryCodes);
    if (opts.email) expect((await api.admin('PATCH', `/users/${u.userId}/verification`, { emailVerification: true })).status).toBe(200);
    expect((await api.as(first.session, 'PATCH', '/account/mfa', { mfa: true })).status).toBe(200);
    const s1 = await api.signIn(u.email, u.password);
    remember(s1.session);
    return { ...u, secret, step, recoveryCodes: codes.body.recoveryCodes, s1: s1.session, s1Id: s1.sessionId, full: first.session };
  }

  async function challenge(session: string, factor: string) {
    const res = await api.as<{ $id: string; expire: string; $createdAt: string }>(session, 'POST', '/account/mfa/challenges', { factor });
    expect(res.status).toBe(201);
    return res.body;
  }

  /** The code of the next "Verification Code" email to `address` (security notices go to the same address). */
  const seenMail = new Set<object>();
  async function emailCode(address: string, since: number) {
    const mail = await smtp.waitFor(
      (m) =>
        !seenMail.has(m) && m.receivedAt.getTime() >= since && m.envelopeTo.includes(address) && m.subject.startsWith('Verification Code'),
      10_000,
    );
    seenMail.add(mail);
    const code = /\b(\d{6})\b/.exec(mail.text)![1];
    remember(code);
    return code;
  }

  const verify = (session: string, challengeId: string, otp: string) =>
    api.as(session, 'PUT', '/account/mfa/challenges', { challengeId, otp });

  describe('brute force', () => {
    it('1: locks TOTP after 10 failures spread over new challenges and new sessions; the right code is then refused with 429 and Retry-After', async () => {
      const u = await mfaUser();
      let last: { session: string; challengeId: string } | undefined;
      for (let i = 0; i < 10; i++) {
        const s = i === 0 ? u.s1 : (await api.signIn(u.email, u.password)).session;
        const c = await challenge(s, 'totp');
        const res = await verify(s, c.$id, totpAt(u.secret, u.step + 7));
        expect(res.status).toBe(401);
        expect((res.body as { type: string }).type).toBe('user_invalid_token');
        last = { session: s, challengeId: c.$id };
      }
      // that challenge has attempts left, but the account's TOTP budget is spent
      const locked = await verify(last!.session, last!.challengeId, totpAt(u.secret, u.step + 1));
      expect(locked.status).toBe(429);
      expect((locked.body as { type: string }).type).toBe('general_rate_limit_exceeded');
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await api.as(last!.session, 'GET', '/account')).status).toBe(401);
    }, 60_000);

    it('2: 50 concurrent wrong guesses on one challenge are all refused and exhaust it', async () => {
      const u = await mfaUser();
      const c = await challenge(u.s1, 'totp');
      const wrong = totpAt(u.secret, u.step + 9);
      const results = await Promise.all(Array.from({ length: 50 }, () => verify(u.s1, c.$id, wrong)));
      expect(results.every((r) => r.status === 401 || r.status === 429)).toBe(true);
      const state = await api.as<{ status: string; attemptsLeft: number }>(u.s1, 'GET', `/account/mfa/challenges/${c.$id}`);
      expect(state.status).toBe(200);
      expect(state.body.attemptsLeft).toBe(0);
      expect(state.body.status).toBe('exhausted');
      // the exhausted challenge is dead even for the right code
      expect((await verify(u.s1, c.$id, totpAt(u.secret, u.step + 1))).status).not.toBe(200);
    }, 60_000);

    it('3: switching factors does not give a fresh budget', async () => {
      const u = await mfaUser({ email: true });
      // 20 wrong guesses spread so that no factor reaches its own limit of 10 (totp 5, recovery code 9, email 6)
      const plan: Array<[string, string, number]> = [
        ['totp', '000000', 5],
        ['recoverycode', 'ffffffffffffffff', 5],
        ['email', '000000', 5],
        ['recoverycode', 'ffffffffffffffff', 4],
        ['email', '000000', 1],
      ];
      const statuses: number[] = [];
      for (const [factor, otp, tries] of plan) {
        const c = await challenge(u.s1, factor);
        for (let i = 0; i < tries; i++) statuses.push((await verify(u.s1, c.$id, otp)).status);
      }
      expect(statuses).toEqual(new Array(20).fill(401));
      // yet the account is now locked for every factor, the right TOTP code included
      const fresh = await challenge(u.s1, 'totp');
      const res = await verify(u.s1, fresh.$id, totpAt(u.secret, u.step + 1));
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }, 120_000);
  });

  describe('replay', () => {
    it('9-11: an accepted TOTP step never works again, nor an older one', async () => {
      const u = await mfaUser();
      const c1 = await challenge(u.s1, 'totp');
      expect((await verify(u.s1, c1.$id, totpAt(u.secret, u.step + 1))).status).toBe(200);
      const s = (await api.signIn(u.email, u.password)).session;
      const since = Date.now();
      for (const step of [u.step + 1, u.step, u.step - 1]) {
        const c = await challenge(s, 'totp');
        const res = await verify(s, c.$id, totpAt(u.secret, step));
        expect(res.status).toBe(401);
      }
      // the holder is told, once, that a used code was tried (ASVS 4.0.3 2.8.5)
      const notice = await smtp.waitFor(
        (m) => m.receivedAt.getTime() >= since && m.envelopeTo.includes(u.email) && /reused verification code/i.test(m.subject),
        10_000,
      );
      expect(notice.text).toMatch(/already been used/);
      await new Promise((r) => setTimeout(r, 500));
      expect(
        smtp.messages.filter(
          (m) => m.receivedAt.getTime() >= since && /reused verification code/i.test(m.subject) && m.envelopeTo.includes(u.email),
        ),
      ).toHaveLength(1);
    }, 60_000);

    it('12: an email code works once, and its challenge never again', async () => {
      const u = await mfaUser({ email: true });
      const since = Date.now();
      const c = await challenge(u.s1, 'email');
      const code = await emailCode(u.email, since);
      expect((await verify(u.s1, c.$id, code)).status).toBe(200);
      const s = (await api.signIn(u.email, u.password)).session;
      expect((await verify(s, c.$id, code)).status).toBe(401);
      const since2 = Date.now();
      const c2 = await challenge(s, 'email');
      const code2 = await emailCode(u.email, since2);
      expect((await verify(s, c2.$id, code)).status).toBe(401);
      expect((await verify(s, c.$id, code2)).status).toBe(401);
    }, 60_000);

    it('13: a used recovery code fails on every path and a notice is emailed', async () => {
      const u = await mfaUser();
      const c = await challenge(u.s1, 'recoverycode');
      const since = Date.now();
      expect((await verify(u.s1, c.$id, u.recoveryCodes[0])).status).toBe(200);
      const notice = await smtp.waitFor(
        (m) => m.receivedAt.getTime() >= since && m.envelopeTo.includes(u.email) && /recovery code was used/i.test(m.subject),
        10_000,
      );
      expect(notice.subject).toBe('A recovery code was used on your Twostep Test account');
      const s = (await api.signIn(u.email, u.password)).session;
      const again = await challenge(s, 'recoveryCode');
      expect((await verify(s, again.$id, u.recoveryCodes[0])).status).toBe(401);
      expect((await verify(s, again.$id, u.recoveryCodes[0].toUpperCase())).status).toBe(401);
    }, 60_000);
  });

  describe('races', () => {
    it('15: one email code in 20 concurrent verifies elevates exactly once', async () => {
      const u = await mfaUser({ email: true });
      const since = Date.now();
      const c = await challenge(u.s1, 'email');
      const code = await emailCode(u.email, since);
      const results = await Promise.all(Array.from({ length: 20 }, () => verify(u.s1, c.$id, code)));
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    }, 60_000);

    it('16: one TOTP code from two sessions at once succeeds once', async () => {
      const u = await mfaUser();
      const s2 = (await api.signIn(u.email, u.password)).session;
      const [c1, c2] = [await challenge(u.s1, 'totp'), await challenge(s2, 'totp')];
      const code = totpAt(u.secret, u.step + 1);
      const results = await Promise.all([verify(u.s1, c1.$id, code), verify(s2, c2.$id, code)]);
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    }, 60_000);

    it('17: one recovery code in 20 concurrent requests over 10 challenges succeeds once', async () => {
      const u = await mfaUser();
      const sessions = [{ session: u.s1 }, ...(await Promise.all(Array.from({ length: 8 }, () => api.signIn(u.email, u.password))))];
      const challenges = await Promise.all(sessions.map((s) => challenge(s.session, 'recoverycode')));
      const requests = [...sessions, ...sessions].map((s, i) => verify(s.session, challenges[i % sessions.length].$id, u.recoveryCodes[3]));
      const results = await Promise.all(requests);
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    }, 60_000);
  });

  describe('expiry and invalidation', () => {
    it('19: challenges expire within 10 minutes', async () => {
      const u = await mfaUser();
      const c = await challenge(u.s1, 'totp');
      const lifetime = Date.parse(c.expire) - Date.parse(c.$createdAt);
      expect(lifetime).toBeGreaterThan(0);
      expect(lifetime).toBeLessThanOrEqual(600_000);
      expect(c.expire).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
    }, 60_000);

    it("20: a newer email challenge voids the older one's code", async () => {
      const u = await mfaUser({ email: true });
      const t1 = Date.now();
      const c1 = await challenge(u.s1, 'email');
      const code1 = await emailCode(u.email, t1);
      const t2 = Date.now();
      const c2 = await challenge(u.s1, 'email');
      const code2 = await emailCode(u.email, t2);
      expect((await verify(u.s1, c1.$id, code1)).status).toBe(401);
      expect((await verify(u.s1, c2.$id, code2)).status).toBe(200);
    }, 60_000);
  });

  describe('session and factor enforcement', () => {
    it('24: a password-only session of an MFA user can change nothing about its factors or credentials', async () => {
      const u = await mfaUser();
      const attempts: Array<[string, string, unknown?]> = [
        ['POST', '/account/mfa/authenticators/totp', {}],
        ['PUT', '/account/mfa/authenticators/totp', { otp: '123456' }],
        ['DELETE', '/account/mfa/authenticators/totp', {}],
        ['POST', '/account/mfa/recovery-codes', {}],
        ['PATCH', '/account/mfa/recovery-codes', {}],
        ['GET', '/account/mfa/recovery-codes'],
        ['PATCH', '/account/mfa', { mfa: false }],
        ['PATCH', '/account/email', { email: 'evil@example.test', password: u.password }],
        ['PATCH', '/account/phone', { phone: '+14155550100', password: u.password }],
        ['PATCH', '/account/password', { password: 'another long password', oldPassword: u.password }],
        ['GET', '/account'],
        ['GET', '/account/sessions'],
        ['DELETE', '/account/sessions', {}],
      ];
      for (const [method, path, json] of attempts) {
        const res = await api.as(u.s1, method, path, json);
        expect({ method, path, status: res.status, type: (res.body as { type?: string })?.type }).toEqual({
          method,
          path,
          status: 401,
          type: 'user_more_factors_required',
        });
      }
      // the four routes that finish sign-in stay open
      expect((await api.as(u.s1, 'GET', '/account/mfa/factors')).status).toBe(200);
      const c = await challenge(u.s1, 'totp');
      expect((await verify(u.s1, c.$id, totpAt(u.secret, u.step + 1))).status).toBe(200);
    }, 60_000);

    it('25: turning MFA off or removing the authenticator needs a recent challenge, then notifies by email', async () => {
      const u = await mfaUser();
      // u.full is a full session (factors password + totp) that never completed a challenge
      expect(((await api.as(u.full, 'PATCH', '/account/mfa', { mfa: false })).body as { type: string }).type).toBe(
        'user_challenge_required',
      );
      expect(((await api.as(u.full, 'DELETE', '/account/mfa/authenticators/totp', {})).body as { type: string }).type).toBe(
        'user_challenge_required',
      );
      // u.full created the recovery codes itself: using one is no step-up for it (issue 10, hole 1)
      const own = await challenge(u.full, 'recoverycode');
      expect((await verify(u.full, own.$id, u.recoveryCodes[1])).status).toBe(200);
      expect(((await api.as(u.full, 'PATCH', '/account/mfa', { mfa: false })).body as { type: string }).type).toBe(
        'user_challenge_required',
      );
      // u.s1 (a new sign-in) proving the same kind of factor is
      const c = await challenge(u.s1, 'recoverycode');
      expect((await verify(u.s1, c.$id, u.recoveryCodes[2])).status).toBe(200);
      const since = Date.now();
      expect((await api.as(u.s1, 'PATCH', '/account/mfa', { mfa: false })).status).toBe(200);
      const notice = await smtp.waitFor(
        (m) => m.receivedAt.getTime() >= since && m.envelopeTo.includes(u.email) && /turned off/.test(m.subject),
        10_000,
      );
      expect(notice.subject).toBe('Two-step verification was turned off for Twostep Test');
    }, 60_000);

    it('26: a challenge is bound to its user and its session', async () => {
      const a = await mfaUser();
      const b = await mfaUser();
      const ca = await challenge(a.s1, 'totp');
      expect((await verify(b.s1, ca.$id, totpAt(a.secret, a.step + 1))).status).toBe(401);
      const a2 = (await api.signIn(a.email, a.password)).session;
      expect((await verify(a2, ca.$id, totpAt(a.secret, a.step + 1))).status).toBe(401);
      expect((await verify(a.s1, ca.$id, totpAt(a.secret, a.step + 1))).status).toBe(200);
    }, 60_000);

    it('27: a challenge is bound to its factor, and other ids are not challenges', async () => {
      const u = await mfaUser({ email: true });
      const c = await challenge(u.s1, 'email');
      expect((await verify(u.s1, c.$id, totpAt(u.secret, u.step + 1))).status).toBe(401);
      expect((await verify(u.s1, c.$id, u.recoveryCodes[2])).status).toBe(401);
      expect((await verify(u.s1, u.s1Id, totpAt(u.secret, u.step + 1))).status).toBe(401);
      expect((await verify(u.s1, u.userId, totpAt(u.secret, u.step + 1))).status).toBe(401);
    }, 60_000);

    it('30-31: an unverified authenticator is no factor; a verified one cannot be re-created', async () => {
      const u = await api.createUser();
      const s = (await api.signIn(u.email, u.password)).session;
      const created = await api.as<{ secret: string }>(s, 'POST', '/account/mfa/authenticators/totp', {});
      remember(created.body.secret, u.password);
      expect(((await api.as(s, 'GET', '/account/mfa/factors')).body as { totp: boolean }).totp).toBe(false);
      expect((await api.as(s, 'PATCH', '/account/mfa', { mfa: true })).status).toBe(400);
      const c = await challenge(s, 'totp');
      expect((await verify(s, c.$id, totpAt(created.body.secret, currentStep()))).status).toBe(401);
      expect(
        (await api.as(s, 'PUT', '/account/mfa/authenticators/totp', { otp: totpAt(created.body.secret, currentStep() + 1) })).status,
      ).toBe(200);
      const again = await api.as(s, 'POST', '/account/mfa/authenticators/totp', {});
      expect(again.status).toBe(409);
      expect(again.text).not.toContain(created.body.secret);
      expect(again.text).not.toMatch(/otpauth|secret/);
    }, 60_000);
  });

  describe('input', () => {
    it('34: malformed codes are a 400 and never a success', async () => {
      const u = await mfaUser();
      const bad: unknown[] = [
        '',
        '1',
        '0',
        '12345',
        '1234567',
        ' 123456',
        '123456 ',
        '12345a',
        '١٢٣٤٥٦',
        '１２３４５６',
        123456,
        null,
        [],
        {},
        { $gt: '' },
      ];
      // at most 9 calls per challenge (each challenge allows 10 verify calls an hour)
      const challenges = [await challenge(u.s1, 'totp'), await challenge(u.s1, 'totp')];
      for (const [i, otp] of bad.entries()) {
        const res = await verify(u.s1, challenges[i % 2].$id, otp as string);
        expect({ otp, status: res.status }).toEqual({ otp, status: 400 });
      }
      const wrong = await verify(u.s1, challenges[1].$id, '000000');
      expect([401, 429]).toContain(wrong.status);
    }, 60_000);

    it('35: hostile ids are a 400, never a 5xx', async () => {
      const u = await mfaUser();
      const ids = ['../sms', '%2e%2e%2f', 'a#b', 'x'.repeat(10_240), "'; DROP TABLE users;--", '🙂', '..', 'a/b'];
      for (const challengeId of ids) {
        const res = await verify(u.s1, challengeId, '123456');
        expect(res.status).toBe(400);
        const state = await api.as(u.s1, 'GET', `/account/mfa/challenges/${encodeURIComponent(challengeId)}`);
        expect(state.status).toBeLessThan(500);
      }
    }, 60_000);

    it('41: factor names are case-insensitive; anything else is a 400', async () => {
      const u = await mfaUser();
      for (const factor of ['totp', 'TOTP', 'recoverycode', 'recoveryCode']) {
        expect((await api.as(u.s1, 'POST', '/account/mfa/challenges', { factor })).status).toBe(201);
      }
      const other = await mfaUser();
      for (const factor of ['sms', '__proto__', 1, '', null, 'custom']) {
        const res = await api.as(other.s1, 'POST', '/account/mfa/challenges', { factor });
        expect({ factor, status: res.status, type: (res.body as { type: string }).type }).toEqual({
          factor,
          status: 400,
          type: 'general_argument_invalid',
        });
      }
    }, 60_000);
  });

  describe('secrets', () => {
    it('33, 42: enrollment is the only response with the secret; the URI follows the key URI format', async () => {
      const u = await api.createUser();
      const s = (await api.signIn(u.email, u.password)).session;
      const created = await api.as<{ secret: string; uri: string }>(s, 'POST', '/account/mfa/authenticators/totp', {});
      remember(created.body.secret, created.body.uri, u.password);
      expect(base32Decode(created.body.secret).length).toBeGreaterThanOrEqual(20);
      expect(created.body.secret).not.toContain('=');
      const uri = new URL(created.body.uri);
      expect(uri.protocol).toBe('otpauth:');
      expect(decodeURIComponent(uri.pathname)).toContain('Twostep Test:');
      expect(uri.searchParams.get('issuer')).toBe('Twostep Test');
      expect(uri.searchParams.get('secret')).toBe(created.body.secret);
      expect(uri.searchParams.get('algorithm') ?? 'SHA1').toBe('SHA1');
      expect(uri.searchParams.get('digits') ?? '6').toBe('6');
      expect(uri.searchParams.get('period') ?? '30').toBe('30');
      const verified = await api.as(s, 'PUT', '/account/mfa/authenticators/totp', { otp: totpAt(created.body.secret, currentStep()) });
      const factors = await api.as(s, 'GET', '/account/mfa/factors');
      const c = await challenge(s, 'totp');
      for (const text of [verified.text, factors.text, JSON.stringify(c)]) expect(text).not.toContain(created.body.secret);
    }, 60_000);

    it('44: delivery jobs are sealed in Redis while they wait and while the notifier holds them (SMTP reply held)', async () => {
      const u = await mfaUser({ email: true });
      await waitFor(() => smtp.inFlight === 0, 10_000, 20, 'earlier emails to be delivered');
      smtp.setDelay(6_000);
      let code: string;
      try {
        const since = Date.now();
        await challenge(u.s1, 'email');
        heldDumps.push((await redisDump(stack.redisUrl, stack.prefix)).dump); // waiting or just taken
        await waitFor(() => smtp.inFlight > 0, 10_000, 20, 'the email to reach the SMTP sink');
        const held = await redisDump(stack.redisUrl, stack.prefix); // active: the notifier waits for the SMTP reply
        heldDumps.push(held.dump);
        // the scan saw the job itself, with its payload, not an empty queue
        const otpJobs = held.jobs.filter((j) => j.key.includes(':otp-delivery:'));
        expect(otpJobs.length).toBeGreaterThanOrEqual(1);
        for (const j of otpJobs) expect(j.data.length).toBeGreaterThan(40);
        const mail = await smtp.waitFor(
          (m) => m.receivedAt.getTime() >= since && m.envelopeTo.includes(u.email) && m.subject.startsWith('Verification Code'),
          40_000,
        );
        code = /\b(\d{6})\b/.exec(mail.text)![1];
      } finally {
        smtp.setDelay(0);
      }
      remember(code);
      for (const held of heldDumps) expect(leakedSecrets(held, [code, u.email, u.password, u.secret, u.s1])).toEqual([]);
    }, 90_000);

    it('45: a secret handed to the logger comes out redacted (raw TCP event with an unknown pattern, logged by mfa-service)', async () => {
      const u = await mfaUser();
      const code = totpAt(u.secret, currentStep());
      const phone = '+14155550199';
      remember(code, phone);
      const marker = `redactionprobe${Array.from({ length: 8 }, () => String.fromCharCode(97 + randomInt(26))).join('')}`;
      const crafted = [u.email, u.secret, u.s1, stack.apiKey, phone, code].join(' ');
      const before = stack.logs['mfa-service'].length;
      // an event (a packet without id) whose pattern no handler knows: Nest logs the pattern as it came
      await sendRawFrame(stack.ports.rpc, stack.env.MFA_RPC_KEY, { pattern: `${marker} ${crafted}`, data: {} });
      await waitFor(
        () => stack.logs['mfa-service'].slice(before).some((l) => l.includes(marker)),
        10_000,
        20,
        'the crafted line in the mfa-service log',
      );
      const line = stack.logs['mfa-service'].slice(before).find((l) => l.includes(marker))!;
      expect(line).toContain('[redacted]');
      expect(leakedSecrets(line, [u.email, u.secret, u.s1, stack.apiKey, phone, code])).toEqual([]);
    }, 60_000);

    it('44-46: no secret in clear in Postgres, in Redis or in any log line after all of the above', async () => {
      // a phone challenge too, so an SMS code and a phone number went through the system
      const u = await mfaUser();
      const phone = '+14155550123';
      remember(phone);
      await api.admin('PATCH', `/users/${u.userId}/phone`, { number: phone });
      await api.admin('PATCH', `/users/${u.userId}/verification/phone`, { phoneVerification: true });
      const since = Date.now();
      const c = await challenge(u.s1, 'phone');
      const sms = await twilio.waitForTo(phone, 10_000, since);
      const code = /\b(\d{6})\b/.exec(sms.body)![1];
      remember(code);
      expect((await verify(u.s1, c.$id, code)).status).toBe(200);

      // passwordless sign-in, a magic URL and a password recovery went through the system too (issue 12)
      const linkOf = async (address: string, after: number, subject: string) => {
        const mail = await smtp.waitFor(
          (m) => m.envelopeTo.includes(address) && m.receivedAt.getTime() >= after && m.subject.startsWith(subject),
          10_000,
        );
        const link = /https?:\/\/\S+secret=([0-9a-f]{64})\S*/.exec(mail.text)!;
        remember(link[0], link[1]);
        return link[1];
      };
      const otpAt = Date.now();
      const token = await api.call<{ userId: string }>('POST', '/account/tokens/email', { json: { userId: 'unique()', email: u.email } });
      const signInMail = await smtp.waitFor(
        (m) => m.envelopeTo.includes(u.email) && m.receivedAt.getTime() >= otpAt && m.subject.startsWith('Sign-in code'),
        10_000,
      );
      const signInCode = /\b(\d{6})\b/.exec(signInMail.text)![1];
      remember(signInCode);
      const otpSession = await api.call('POST', '/account/sessions/token', { json: { userId: token.body.userId, secret: signInCode } });
      expect(otpSession.status).toBe(201);
      remember(JSON.parse(otpSession.headers.get('x-fallback-cookies') ?? '{}')[`a_session_${stack.projectId}`]);
      const magicAt = Date.now();
      expect(
        (
          await api.call('POST', '/account/tokens/magic-url', {
            json: { userId: 'unique()', email: u.email, url: 'https://app.example.test/m' },
          })
        ).status,
      ).toBe(201);
      expect(
        (
          await api.call('POST', '/account/sessions/token', {
            json: { userId: u.userId, secret: await linkOf(u.email, magicAt, 'Sign in to') },
          })
        ).status,
      ).toBe(201);
      const jwt = await api.as<{ jwt: string }>(u.full, 'POST', '/account/jwts', {});
      expect(jwt.status).toBe(201);
      remember(jwt.body.jwt, jwt.body.jwt.split('.')[2]);
      expect((await api.call('GET', '/account', { headers: { 'x-appwrite-jwt': jwt.body.jwt } })).status).toBe(200);
      const recoveryAt = Date.now();
      expect(
        (await api.call('POST', '/account/recovery', { json: { email: u.email, url: 'https://app.example.test/reset' } })).status,
      ).toBe(201);
      const newPassword = `reset ${randomBytes(8).toString('hex')}`;
      remember(newPassword);
      const reset = await api.call('PUT', '/account/recovery', {
        json: { userId: u.userId, secret: await linkOf(u.email, recoveryAt, 'Reset your'), password: newPassword },
      });
      expect(reset.status).toBe(200);
      const phoneTokenAt = Date.now();
      const signInPhone = '+14155550188'; // not remembered: it is the new account's identifier, stored in users
      expect((await api.call('POST', '/account/tokens/phone', { json: { userId: 'unique()', phone: signInPhone } })).status).toBe(201);
      remember(/\b(\d{6})\b/.exec((await twilio.waitForTo(signInPhone, 10_000, phoneTokenAt)).body)![1]);
      await new Promise((r) => setTimeout(r, 500)); // let delivery results settle

      const values = [...secrets].filter((s) => s.length >= 6);
      // Postgres: every row of every table of both schemas, as text
      const pg = new Client({ connectionString: stack.db.url });
      await pg.connect();
      try {
        const tables = await pg.query<{ table_schema: string; table_name: string }>(
          `SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema IN ('auth', 'mfa') AND table_type = 'BASE TABLE'`,
        );
        expect(tables.rows.length).toBeGreaterThan(3);
        for (const t of tables.rows) {
          const rows = await pg.query(`SELECT * FROM "${t.table_schema}"."${t.table_name}"`);
          const dump = JSON.stringify(rows.rows);
          const checked = values.filter((v) => !v.includes('@') && v !== phone);
          expect({ table: t.table_name, leaked: leakedSecrets(dump, checked) }).toEqual({ table: t.table_name, leaked: [] });
        }
      } finally {
        await pg.end();
      }
      // Redis: every key of this deployment, whatever its type (jobs held while active: see the test below)
      const { dump } = await redisDump(stack.redisUrl, stack.prefix);
      expect({ where: 'redis', leaked: leakedSecrets(dump, values) }).toEqual({ where: 'redis', leaked: [] });
      for (const held of heldDumps)
        expect({ where: 'redis while a job was held', leaked: leakedSecrets(held, values) }).toEqual({
          where: 'redis while a job was held',
          leaked: [],
        });
      // logs of all three services at debug level
      const logs = stack.allLogs();
      expect(logs.length).toBeGreaterThan(1000);
      expect({ where: 'logs', leaked: leakedSecrets(logs, values) }).toEqual({ where: 'logs', leaked: [] });
    }, 90_000);
  });

  describe('clock', () => {
    it('61: steps T-1, T and T+1 are accepted, T-2 and T+2 are not', async () => {
      const results: Record<string, number> = {};
      for (const delta of [-2, -1, 0, 1, 2]) {
        // a fresh account per step: no step was accepted before
        const fresh = await api.createUser();
        remember(fresh.password);
        const s = (await api.signIn(fresh.email, fresh.password)).session;
        const created = await api.as<{ secret: string }>(s, 'POST', '/account/mfa/authenticators/totp', {});
        remember(created.body.secret);
        await awayFromStepBoundary();
        const res = await api.as(s, 'PUT', '/account/mfa/authenticators/totp', { otp: totpAt(created.body.secret, currentStep() + delta) });
        results[String(delta)] = res.status;
      }
      expect(results).toEqual({ '-2': 401, '-1': 200, '0': 200, '1': 200, '2': 401 });
    }, 90_000);
  });

  describe('afterwards', () => {
    it('never answered a 5xx during the whole suite', () => {
      const statusLines = stack.logs['auth-api'].filter((l) => /"status":5\d\d/.test(l));
      expect(stack.logs['auth-api'].length).toBeGreaterThan(100);
      expect(statusLines).toEqual([]);
    });
  });
});
