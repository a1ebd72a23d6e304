import { AppwriteException, AuthenticationFactor, AuthenticatorType, Avatars, Client, ID, Query } from 'appwrite';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import * as server from 'node-appwrite';
import { randomBytes } from 'node:crypto';
import type { SmtpSink, TestStack, TwilioSink } from '@twostep/testing';
import { Api } from './support/http';
import { StackWithSinks, startStackWithSinks } from './support/stack-with-sinks';
import { removeWindow, WebApp } from './support/web-sdk';
import { awayFromStepBoundary, currentStep, totpAt } from './support/totp';

/**
 * Passwordless sign-in (email code, magic URL, phone code) and password recovery through the
 * official SDKs, against the three services as processes, with the messages read from the loopback
 * SMTP and Twilio servers (issue 12).
 */
describe('sign-in tokens and password recovery through the official Appwrite SDKs', () => {
  let stack: TestStack;
  let smtp: SmtpSink;
  let twilio: TwilioSink;
  let sinks: StackWithSinks;
  let users: server.Users;
  let api: Api;

  beforeAll(async () => {
    sinks = await startStackWithSinks('signin');
    ({ stack, smtp, twilio } = sinks);
    users = new server.Users(new server.Client().setEndpoint(stack.endpoint).setProject(stack.projectId).setKey(stack.apiKey));
    api = new Api(stack);
  }, 90_000);

  afterAll(async () => {
    removeWindow();
    await sinks?.stop();
  });

  const password = 'correct horse battery staple';
  const newEmail = () => `s${randomBytes(5).toString('hex')}@example.test`;
  const newPhone = () => `+1415556${String(Math.floor(1000 + (randomBytes(2).readUInt16BE() % 9000)))}`;
  const web = () => new WebApp(stack.endpoint, stack.projectId).use();

  async function appwriteError(p: Promise<unknown>): Promise<AppwriteException> {
    const error = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    // the web SDK and node-appwrite each throw their own AppwriteException
    expect(error instanceof AppwriteException || error instanceof server.AppwriteException).toBe(true);
    return error as AppwriteException;
  }

  async function expectAppwriteError(p: Promise<unknown>, type: string, code: number) {
    const e = await appwriteError(p);
    expect({ type: e.type, code: e.code }).toEqual({ type, code });
  }

  /** The 6-digit code of the next email with `subject` to `address` received after `since`. */
  async function mailedCode(address: string, since: number, subject = 'Sign-in code'): Promise<string> {
    const mail = await smtp.waitFor(
      (m) => m.envelopeTo.includes(address) && m.receivedAt.getTime() >= since && m.subject.startsWith(subject),
      10_000,
    );
    return /\b(\d{6})\b/.exec(mail.text)![1];
  }

  /** The link of the next email with `subject` to `address`. */
  async function mailedLink(address: string, since: number, subject: string): Promise<URL> {
    const mail = await smtp.waitFor(
      (m) => m.envelopeTo.includes(address) && m.receivedAt.getTime() >= since && m.subject.startsWith(subject),
      10_000,
    );
    return new URL(/https?:\/\/\S+secret=[0-9a-f]{64}\S*/.exec(mail.text)![0]);
  }

  /** A user with a verified TOTP authenticator, recovery codes and MFA on. */
  async function mfaUser() {
    const email = newEmail();
    const account = web();
    await account.create({ userId: ID.unique(), email, password });
    await account.createEmailPasswordSession({ email, password });
    const { secret } = await account.createMFAAuthenticator({ type: AuthenticatorType.Totp });
    await awayFromStepBoundary();
    const step = currentStep();
    await account.updateMFAAuthenticator({ type: AuthenticatorType.Totp, otp: totpAt(secret, step) });
    const { recoveryCodes } = await account.createMFARecoveryCodes();
    const { $id: userId } = await account.updateMFA({ mfa: true });
    await account.deleteSession({ sessionId: 'current' });
    return { userId, email, secret, step, recoveryCodes };
  }

  describe('email code sign-in', () => {
    it('creates the user for a new address, mails a 6-digit code and opens a session with factors ["email"]', async () => {
      const account = web();
      const email = newEmail();
      const userId = ID.unique();
      const since = Date.now();
      const token = await account.createEmailToken({ userId, email });
      expect(token.userId).toBe(userId);
      expect(token.secret).toBe('');
      expect(Date.parse(token.expire) - Date.now()).toBeLessThanOrEqual(900_000);
      const code = await mailedCode(email, since);
      const session = await account.createSession({ userId: token.userId, secret: code });
      expect(session.factors).toEqual(['email']);
      expect(session.provider).toBe('email');
      const me = await account.get();
      expect(me).toMatchObject({ $id: userId, email, emailVerification: true });
    }, 30_000);

    it('uses the existing account of a known address (the userId sent is ignored), with the same answer shape', async () => {
      const email = newEmail();
      const existing = await users.create({ userId: ID.unique(), email, password });
      const account = web();
      const known = await account.createEmailToken({ userId: ID.unique(), email });
      const unknown = await account.createEmailToken({ userId: ID.unique(), email: newEmail() });
      expect(known.userId).toBe(existing.$id);
      expect(Object.keys(known).sort()).toEqual(Object.keys(unknown).sort());
      expect(known.secret).toBe(unknown.secret);
    }, 30_000);

    it('accepts a code once; a wrong code, a reused code and a code for another user are 401 user_invalid_token', async () => {
      const account = web();
      const a = newEmail();
      const b = newEmail();
      const since = Date.now();
      const ta = await account.createEmailToken({ userId: ID.unique(), email: a });
      const tb = await account.createEmailToken({ userId: ID.unique(), email: b });
      const codeA = await mailedCode(a, since);
      const codeB = await mailedCode(b, since);
      const wrong = codeA === '000000' ? '000001' : '000000';
      await expectAppwriteError(account.createSession({ userId: ta.userId, secret: wrong }), 'user_invalid_token', 401);
      if (codeA !== codeB)
        await expectAppwriteError(account.createSession({ userId: tb.userId, secret: codeA }), 'user_invalid_token', 401);
      await account.createSession({ userId: ta.userId, secret: codeA });
      await account.deleteSession({ sessionId: 'current' });
      await expectAppwriteError(account.createSession({ userId: ta.userId, secret: codeA }), 'user_invalid_token', 401);
      // malformed input is a 400, never a 5xx
      const bad = await api.call('POST', '/account/sessions/token', { json: { userId: ta.userId, secret: 'x'.repeat(300) } });
      expect(bad.body).toMatchObject({ type: 'general_argument_invalid', code: 400 });
    }, 30_000);

    it('MFA user: the email-code session needs a different second factor; an email challenge is refused, TOTP completes it', async () => {
      const u = await mfaUser();
      const account = web();
      const since = Date.now();
      const token = await account.createEmailToken({ userId: ID.unique(), email: u.email });
      const session = await account.createSession({ userId: token.userId, secret: await mailedCode(u.email, since) });
      expect(session.factors).toEqual(['email']);
      await expectAppwriteError(account.get(), 'user_more_factors_required', 401);
      // the email is verified now, but it cannot be the second factor of this session
      expect(await account.listMFAFactors()).toMatchObject({ totp: true, email: false, recoveryCode: true });
      const refused = await appwriteError(account.createMFAChallenge({ factor: AuthenticationFactor.Email }));
      expect(refused.code).toBe(400);
      expect(refused.type).toBe('general_argument_invalid');
      expect(refused.message).toContain('different factor');
      const challenge = await account.createMFAChallenge({ factor: AuthenticationFactor.Totp });
      const full = await account.updateMFAChallenge({
        challengeId: challenge.$id,
        otp: totpAt(u.secret, Math.max(u.step + 1, currentStep())),
      });
      expect(full.factors).toEqual(['email', 'totp']);
      expect((await account.get()).email).toBe(u.email);
    }, 60_000);

    it('node-appwrite with an API key gets the session secret and uses it with setSession', async () => {
      const email = newEmail();
      const keyClient = new server.Client().setEndpoint(stack.endpoint).setProject(stack.projectId).setKey(stack.apiKey);
      const since = Date.now();
      const token = await new server.Account(keyClient).createEmailToken({ userId: server.ID.unique(), email });
      const session = await new server.Account(keyClient).createSession({ userId: token.userId, secret: await mailedCode(email, since) });
      expect(session.secret).not.toBe('');
      const asUser = new server.Client().setEndpoint(stack.endpoint).setProject(stack.projectId).setSession(session.secret);
      expect((await new server.Account(asUser).get()).email).toBe(email);
    }, 30_000);

    it('limits token requests per address: the 11th within the hour is 429', async () => {
      const email = newEmail();
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++)
        statuses.push((await api.call('POST', '/account/tokens/email', { json: { userId: 'unique()', email } })).status);
      expect(statuses.slice(0, 10).every((s) => s === 201)).toBe(true);
      expect(statuses[10]).toBe(429);
    }, 60_000);
  });

  describe('magic URL and phone code sign-in', () => {
    it('magic URL: the link carries userId, secret, expire and project, opens a session once with factors ["email"]', async () => {
      const account = web();
      const email = newEmail();
      const since = Date.now();
      const token = await account.createMagicURLToken({ userId: ID.unique(), email, url: 'https://app.example.test/magic?x=1' });
      const link = await mailedLink(email, since, 'Sign in to');
      expect(link.origin + link.pathname).toBe('https://app.example.test/magic');
      expect(link.searchParams.get('userId')).toBe(token.userId);
      expect(link.searchParams.get('project')).toBe(stack.projectId);
      const secret = link.searchParams.get('secret')!;
      const session = await account.createSession({ userId: token.userId, secret });
      expect(session).toMatchObject({ factors: ['email'], provider: 'magic-url' });
      await account.deleteSession({ sessionId: 'current' });
      // the deprecated alias is the same exchange, and the link is used up
      await expectAppwriteError(account.updateMagicURLSession({ userId: token.userId, secret }), 'user_invalid_token', 401);
    }, 30_000);

    it('phone code: the SMS goes through the real twilio SDK and opens a session with factors ["phone"]', async () => {
      const account = web();
      const phone = newPhone();
      const since = Date.now();
      const token = await account.createPhoneToken({ userId: ID.unique(), phone });
      const sms = await twilio.waitForTo(phone, 10_000, since);
      expect(sms.body).toMatch(/sign-in code/);
      const code = /\b(\d{6})\b/.exec(sms.body)![1];
      const session = await account.createSession({ userId: token.userId, secret: code });
      expect(session).toMatchObject({ factors: ['phone'], provider: 'phone', providerUid: phone });
      expect(await account.get()).toMatchObject({ phone, phoneVerification: true });
    }, 30_000);
  });

  describe('password recovery', () => {
    it('answers 201 alike for known and unknown addresses, and emails only the known one', async () => {
      const email = newEmail();
      await users.create({ userId: ID.unique(), email, password });
      const ghost = newEmail();
      const account = web();
      const since = Date.now();
      const known = await account.createRecovery({ email, url: 'https://app.example.test/reset' });
      const unknown = await account.createRecovery({ email: ghost, url: 'https://app.example.test/reset' });
      const shape = (t: typeof known) => ({ keys: Object.keys(t).sort(), userId: t.userId, secret: t.secret, phrase: t.phrase });
      expect(shape(known)).toEqual(shape(unknown));
      expect(known.userId).toBe('');
      await mailedLink(email, since, 'Reset your');
      await new Promise((r) => setTimeout(r, 1000));
      expect(smtp.messages.some((m) => m.envelopeTo.includes(ghost))).toBe(false);
    }, 30_000);

    it('resets the password once, opens no session, ends the other sessions and emails a notice', async () => {
      const email = newEmail();
      const user = await users.create({ userId: ID.unique(), email, password });
      const before = await api.signIn(email, password);
      const since = Date.now();
      await web().createRecovery({ email, url: 'https://app.example.test/reset' });
      const link = await mailedLink(email, since, 'Reset your');
      expect(link.searchParams.get('userId')).toBe(user.$id);
      const secret = link.searchParams.get('secret')!;
      // the sign-up password policy applies
      const short = await api.call('PUT', '/account/recovery', { json: { userId: user.$id, secret, password: 'short' } });
      expect(short.body).toMatchObject({ type: 'general_argument_invalid', code: 400 });
      const newPassword = 'a brand new passphrase';
      const reset = await api.call('PUT', '/account/recovery', { json: { userId: user.$id, secret, password: newPassword } });
      expect(reset.status).toBe(200);
      expect(reset.body).toMatchObject({ userId: user.$id, secret: '' });
      expect(reset.headers.get('set-cookie')).toBeNull();
      expect(reset.headers.get('x-fallback-cookies')).toBeNull();
      const again = await api.call('PUT', '/account/recovery', { json: { userId: user.$id, secret, password: 'yet another passphrase' } });
      expect(again.body).toMatchObject({ type: 'user_invalid_token', code: 401 });
      expect((await api.as(before.session, 'GET', '/account')).status).toBe(401);
      expect((await api.call('POST', '/account/sessions/email', { json: { email, password } })).status).toBe(401);
      await api.signIn(email, newPassword);
      await smtp.waitFor((m) => m.envelopeTo.includes(email) && m.subject.includes('password was reset'), 10_000);
    }, 30_000);

    it('an MFA user who reset the password still needs the second factor at the next sign-in (web SDK end to end)', async () => {
      const u = await mfaUser();
      const account = web();
      const since = Date.now();
      await account.createRecovery({ email: u.email, url: 'https://app.example.test/reset' });
      const link = await mailedLink(u.email, since, 'Reset your');
      const newPassword = 'recovered passphrase 42';
      await account.updateRecovery({
        userId: link.searchParams.get('userId')!,
        secret: link.searchParams.get('secret')!,
        password: newPassword,
      });
      const session = await account.createEmailPasswordSession({ email: u.email, password: newPassword });
      expect(session.factors).toEqual(['password']);
      await expectAppwriteError(account.get(), 'user_more_factors_required', 401);
      const challenge = await account.createMFAChallenge({ factor: AuthenticationFactor.Recoverycode });
      await account.updateMFAChallenge({ challengeId: challenge.$id, otp: u.recoveryCodes[0] });
      expect((await account.get()).mfa).toBe(true);
    }, 60_000);

    it('refuses a recovery secret for another user, a malformed one and a missing url with Appwrite-shaped 4xx', async () => {
      const a = newEmail();
      const b = await users.create({ userId: ID.unique(), email: newEmail(), password });
      await users.create({ userId: ID.unique(), email: a, password });
      const since = Date.now();
      await web().createRecovery({ email: a, url: 'https://app.example.test/reset' });
      const secretOfA = (await mailedLink(a, since, 'Reset your')).searchParams.get('secret')!;
      const foreign = await api.call('PUT', '/account/recovery', {
        json: { userId: b.$id, secret: secretOfA, password: 'some new passphrase' },
      });
      expect(foreign.body).toMatchObject({ type: 'user_invalid_token', code: 401 });
      const malformed = await api.call('PUT', '/account/recovery', {
        json: { userId: '../etc', secret: 'x', password: 'some new passphrase' },
      });
      expect(malformed.body).toMatchObject({ type: 'general_argument_invalid', code: 400 });
      const noUrl = await api.call('POST', '/account/recovery', { json: { email: a } });
      expect(noUrl.body).toMatchObject({ type: 'general_argument_invalid', message: 'Param "url" is not optional.' });
    }, 30_000);
  });

  describe('anonymous sessions', () => {
    it('opens a session with factors ["anonymous"] for a new user, converted by updateEmail and updatePassword', async () => {
      const account = web();
      const session = await account.createAnonymousSession();
      expect(session).toMatchObject({ provider: 'anonymous', factors: ['anonymous'] });
      const anon = await account.get();
      expect(anon).toMatchObject({ email: '', phone: '', mfa: false });
      await expectAppwriteError(account.createAnonymousSession(), 'user_session_already_exists', 401);
      const email = newEmail();
      // no old password is needed while the account has none; updateEmail also sets it
      await account.updateEmail({ email, password });
      const newPassword = 'converted passphrase 7';
      await account.updatePassword({ password: newPassword, oldPassword: password });
      expect((await account.get()).$id).toBe(anon.$id);
      await account.deleteSession({ sessionId: 'current' });
      const signedIn = await web().createEmailPasswordSession({ email, password: newPassword });
      expect(signedIn.userId).toBe(anon.$id);
      // another anonymous account sets a password first, without an old one
      const other = web();
      await other.createAnonymousSession();
      expect((await other.updatePassword({ password: 'first passphrase 1' })).passwordUpdate).not.toBe('');
      await expectAppwriteError(other.updatePassword({ password: 'second passphrase 2' }), 'user_invalid_credentials', 401);
    }, 30_000);
  });

  describe('JWTs', () => {
    const jwtClient = (jwt: string) =>
      new server.Account(new server.Client().setEndpoint(stack.endpoint).setProject(stack.projectId).setJWT(jwt));

    it('a JWT from the web SDK works with node-appwrite setJWT, and is refused once its session is deleted', async () => {
      const account = web();
      const email = newEmail();
      await account.create({ userId: ID.unique(), email, password });
      await account.createEmailPasswordSession({ email, password });
      const { jwt } = await account.createJWT();
      expect(jwt.split('.')).toHaveLength(3);
      const payload = JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as { exp: number; iat: number };
      expect(payload.exp - payload.iat).toBe(900);
      expect((await jwtClient(jwt).get()).email).toBe(email);
      await account.deleteSession({ sessionId: 'current' });
      await expectAppwriteError(jwtClient(jwt).get(), 'user_jwt_invalid', 401);
    }, 30_000);

    it('is issued only to a session that satisfies MFA; a JWT cannot mint another', async () => {
      const u = await mfaUser();
      const account = web();
      await account.createEmailPasswordSession({ email: u.email, password });
      await expectAppwriteError(account.createJWT(), 'user_more_factors_required', 401);
      const challenge = await account.createMFAChallenge({ factor: AuthenticationFactor.Recoverycode });
      await account.updateMFAChallenge({ challengeId: challenge.$id, otp: u.recoveryCodes[1] });
      const { jwt } = await account.createJWT({ duration: 60 });
      expect((await jwtClient(jwt).get()).mfa).toBe(true);
      await expectAppwriteError(jwtClient(jwt).createJWT(), 'general_unauthorized_scope', 401);
    }, 60_000);

    it('refuses a JWT with a session credential (403), a forged or tampered one (401 user_jwt_invalid) and a bad duration (400)', async () => {
      const u = await api.createUser();
      const { session } = await api.signIn(u.email, u.password);
      const res = await api.as<{ jwt: string }>(session, 'POST', '/account/jwts', {});
      expect(res.status).toBe(201);
      const jwt = res.body.jwt;
      const both = await api.call('GET', '/account', { session, headers: { 'x-appwrite-jwt': jwt } });
      expect(both.body).toMatchObject({ type: 'user_jwt_and_cookie_set', code: 403 });
      const [h, p, sig] = jwt.split('.');
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
      const other = await api.createUser();
      const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, userId: other.userId })).toString('base64url')}.${sig}`;
      const noneAlg = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${p}.`;
      for (const bad of [tampered, noneAlg, 'garbage', `${jwt}x`, 'a.b.c', 'x'.repeat(5000)]) {
        const r = await api.call('GET', '/account', { headers: { 'x-appwrite-jwt': bad } });
        expect({ bad: bad.slice(0, 20), body: r.body }).toMatchObject({ body: { type: 'user_jwt_invalid', code: 401 } });
      }
      const long = await api.as(session, 'POST', '/account/jwts', { duration: 3601 });
      expect(long.body).toMatchObject({ type: 'general_argument_invalid', code: 400 });
      const withKey = await api.call('GET', '/users', { key: true, headers: { 'x-appwrite-jwt': jwt } });
      expect(withKey.body).toMatchObject({ type: 'user_api_key_and_session_set', code: 403 });
    }, 30_000);
  });

  describe('audit log', () => {
    it('listLogs shows the events of a whole MFA flow, newest first, with limit/offset, and users.listLogs the same to an admin', async () => {
      const u = await mfaUser();
      const account = web();
      await expectAppwriteError(
        account.createEmailPasswordSession({ email: u.email, password: 'not the password' }),
        'user_invalid_credentials',
        401,
      );
      // a refused sign-in is recorded off the response path (timing): wait for it before going on
      for (
        let i = 0;
        i < 50 && !(await users.listLogs({ userId: u.userId })).logs.some((l) => l.event === 'session.create.failure.password');
        i++
      )
        await new Promise((r) => setTimeout(r, 100));
      await account.createEmailPasswordSession({ email: u.email, password });
      const totp = await account.createMFAChallenge({ factor: AuthenticationFactor.Totp });
      await expectAppwriteError(
        account.updateMFAChallenge({ challengeId: totp.$id, otp: totpAt(u.secret, currentStep() + 5) }),
        'user_invalid_token',
        401,
      );
      const rc = await account.createMFAChallenge({ factor: AuthenticationFactor.Recoverycode });
      await account.updateMFAChallenge({ challengeId: rc.$id, otp: u.recoveryCodes[2] });

      const { total, logs } = await account.listLogs();
      expect(logs.map((l) => l.event)).toEqual([
        'mfa.recovery-code.use',
        'mfa.challenge.success.recoveryCode',
        'mfa.challenge.failure',
        'session.create.password',
        'session.create.failure.password',
        'session.delete',
        'mfa.enable',
        'mfa.recovery-codes.create',
        'mfa.authenticator.create',
        'session.create.password',
      ]);
      expect(total).toBe(10);
      const times = logs.map((l) => Date.parse(l.time));
      expect([...times].sort((a, b) => b - a)).toEqual(times);
      expect(logs[0]).toMatchObject({ userEmail: u.email, mode: 'default', ip: '127.0.0.1', countryCode: '--' });
      expect(Object.keys(logs[0]).sort()).toEqual(
        [
          'event',
          'userId',
          'userEmail',
          'userName',
          'mode',
          'ip',
          'time',
          'osCode',
          'osName',
          'osVersion',
          'clientType',
          'clientCode',
          'clientName',
          'clientVersion',
          'clientEngine',
          'clientEngineVersion',
          'deviceName',
          'deviceBrand',
          'deviceModel',
          'countryCode',
          'countryName',
        ].sort(),
      );
      const page = await account.listLogs({ queries: [Query.limit(2), Query.offset(1)] });
      expect(page.logs.map((l) => l.event)).toEqual(['mfa.challenge.success.recoveryCode', 'mfa.challenge.failure']);
      expect(page.total).toBe(10);

      const asAdmin = await users.listLogs({ userId: logs[0].userId, queries: [server.Query.limit(3)] });
      expect(asAdmin.total).toBe(10);
      expect(asAdmin.logs.map((l) => l.event)).toEqual(logs.slice(0, 3).map((l) => l.event));
      // the log is for its owner and admins only
      await expectAppwriteError(
        new server.Users(new server.Client().setEndpoint(stack.endpoint).setProject(stack.projectId)).listLogs({ userId: logs[0].userId }),
        'general_unauthorized_scope',
        401,
      );
      const bad = await api.call(
        'GET',
        `/users/${logs[0].userId}/logs?queries[]=${encodeURIComponent('{"method":"limit","values":[0]}')}`,
        { key: true },
      );
      expect(bad.body).toMatchObject({ type: 'general_argument_invalid', code: 400 });
    }, 60_000);

    it('records sign-ins by method and refused token sign-ins', async () => {
      const account = web();
      const email = newEmail();
      const since = Date.now();
      const token = await account.createEmailToken({ userId: ID.unique(), email });
      const code = await mailedCode(email, since);
      await expectAppwriteError(
        account.createSession({ userId: token.userId, secret: code === '000000' ? '000001' : '000000' }),
        'user_invalid_token',
        401,
      );
      await account.createSession({ userId: token.userId, secret: code });
      expect((await account.listLogs()).logs.map((l) => l.event)).toEqual(['session.create.email', 'session.create.failure.token']);
    }, 30_000);
  });

  describe('QR avatar', () => {
    const decode = (png: Buffer) => {
      const image = PNG.sync.read(png);
      return { width: image.width, text: jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data };
    };

    it('getQR: the URL the web SDK builds for <img src> returns a PNG that decodes back to the otpauth URI', async () => {
      const account = web();
      const email = newEmail();
      await account.create({ userId: ID.unique(), email, password });
      await account.createEmailPasswordSession({ email, password });
      const { uri } = await account.createMFAAuthenticator({ type: AuthenticatorType.Totp });
      const url = new Avatars(new Client().setEndpoint(stack.endpoint).setProject(stack.projectId)).getQR({
        text: uri,
        size: 300,
        margin: 2,
      });
      expect(new URL(url).searchParams.get('project')).toBe(stack.projectId);
      // an <img> sends no headers: the project comes from the query string
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect(res.headers.get('cache-control')).toBe('no-store');
      const { width, text } = decode(Buffer.from(await res.arrayBuffer()));
      expect(width).toBe(300);
      expect(text).toBe(uri);
      const download = await fetch(`${url}&download=true`);
      expect(download.headers.get('content-disposition')).toBe('attachment; filename="qr.png"');
    }, 30_000);

    it('bounds size and margin and needs text and the project: Appwrite-shaped 4xx', async () => {
      const q = (query: string) => api.call('GET', `/avatars/qr?${query}`);
      for (const query of [
        'text=x&size=0',
        'text=x&size=1001',
        'text=x&margin=11',
        'text=x&margin=-1',
        'size=10',
        `text=${'x'.repeat(513)}`,
        'text=x&download=maybe',
      ]) {
        const res = await q(query);
        expect({ query, status: res.status, type: (res.body as { type?: string }).type }).toEqual({
          query,
          status: 400,
          type: 'general_argument_invalid',
        });
      }
      const noProject = await fetch(`${stack.endpoint}/avatars/qr?text=x`);
      expect(noProject.status).toBe(404);
      const otherProject = await fetch(`${stack.endpoint}/avatars/qr?text=x&project=other`);
      expect(otherProject.status).toBe(404);
      const small = await q('text=hello&size=100&margin=0');
      expect(small.status).toBe(200);
    }, 30_000);
  });

  describe('afterwards', () => {
    it('never answered a 5xx during the whole suite', () => {
      const statusLines = stack.logs['auth-api'].filter((l) => /"status":5\d\d/.test(l));
      expect(stack.logs['auth-api'].length).toBeGreaterThan(50);
      expect(statusLines).toEqual([]);
    });
  });
});
