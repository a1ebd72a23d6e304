import { Controller, Get, Module, Post } from '@nestjs/common';
import { SessionsService } from '../src/sessions/sessions.service';
import { admin, asUser, AuthApiHarness, call, signUpAndIn, startAuthApi } from './harness';
import { Access } from '../src/access/access.decorator';

@Controller('v1/probe')
class ProbeController {
  @Get('session')
  @Access('session')
  session() {
    return { ok: true };
  }

  @Get('partial')
  @Access('partial')
  partial() {
    return { ok: true };
  }

  @Get('fresh')
  @Access('fresh')
  fresh() {
    return { ok: true };
  }

  @Get('step-up')
  @Access('stepUp')
  stepUp() {
    return { ok: true };
  }

  @Get('public')
  @Access('public')
  open() {
    return { ok: true };
  }

  @Get('key')
  @Access('apiKey')
  key() {
    return { ok: true };
  }

  @Post('guest')
  @Access('guest')
  guest() {
    return { ok: true };
  }

  @Get('unclassified')
  unclassified() {
    return { ok: true };
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

describe('AccessGuard (real Postgres and Redis, no mfa-service: RPCs fail)', () => {
  let h: AuthApiHarness;
  let sessions: SessionsService;

  beforeAll(async () => {
    h = await startAuthApi({ label: 'guard', imports: [ProbeModule] });
    sessions = h.app.get(SessionsService);
  }, 30_000);

  afterAll(async () => {
    await h?.close();
  });

  const probe = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
    call(`${h.endpoint}/probe/${path}`, { method, headers: { ...h.headers(), ...headers } });

  it('answers 404 project_not_found for a missing or foreign project, on every access class', async () => {
    for (const path of ['public', 'session', 'key']) {
      const missing = await call(`${h.endpoint}/probe/${path}`);
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ type: 'project_not_found', code: 404 });
      const foreign = await call(`${h.endpoint}/probe/${path}`, { headers: { 'x-appwrite-project': 'other' } });
      expect(foreign.body).toMatchObject({ type: 'project_not_found' });
    }
  });

  it('refuses a route that declares no access class, even with a full session', async () => {
    const { credential } = await signUpAndIn(h);
    const res = await probe('unclassified', { 'x-appwrite-session': credential });
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ type: 'general_unknown' });
  });

  it('answers 401 general_unauthorized_scope on session routes without a valid session', async () => {
    for (const path of ['session', 'partial', 'fresh']) {
      const none = await probe(path);
      expect(none.status).toBe(401);
      expect(none.body).toMatchObject({ type: 'general_unauthorized_scope' });
      const forged = Buffer.from(JSON.stringify({ id: 'nobody', secret: 'a'.repeat(256) })).toString('base64');
      expect((await probe(path, { 'x-appwrite-session': forged })).body).toMatchObject({ type: 'general_unauthorized_scope' });
    }
  });

  it('accepts the credential from the cookie, the legacy cookie, X-Appwrite-Session and X-Fallback-Cookies', async () => {
    const { credential } = await signUpAndIn(h);
    const name = `a_session_${h.config.APP_PROJECT_ID}`;
    const variants: Array<Record<string, string>> = [
      { cookie: `${name}=${credential}` },
      { cookie: `${name}_legacy=${credential}` },
      { 'x-appwrite-session': credential },
      { 'x-fallback-cookies': JSON.stringify({ [name]: credential }) },
    ];
    for (const headers of variants) {
      expect((await probe('session', headers)).status).toBe(200);
    }
  });

  it('refuses a session credential that names another user than the session belongs to', async () => {
    const a = await signUpAndIn(h);
    const b = await signUpAndIn(h);
    const secretOfA = (JSON.parse(Buffer.from(a.credential, 'base64').toString()) as { secret: string }).secret;
    const mixed = Buffer.from(JSON.stringify({ id: b.userId, secret: secretOfA })).toString('base64');
    expect((await probe('session', { 'x-appwrite-session': mixed })).status).toBe(401);
  });

  it('refuses a session after its absolute expiry and after the idle timeout', async () => {
    const first = await signUpAndIn(h);
    expect((await probe('session', { 'x-appwrite-session': first.credential })).status).toBe(200);
    h.clock.advance(h.config.SESSION_IDLE_TIMEOUT_SECONDS + 1);
    expect((await probe('session', { 'x-appwrite-session': first.credential })).status).toBe(401);
    h.clock.offsetMs = 0;

    const second = await signUpAndIn(h);
    // keep it active (each touch moves last_active_at) but go past the absolute lifetime
    await h.pg.query(`UPDATE sessions SET expire = now() - interval '1 second' WHERE id = $1`, [second.sessionId]);
    const expired = await probe('session', { 'x-appwrite-session': second.credential });
    expect(expired.status).toBe(401);
    expect(expired.body).toMatchObject({ type: 'general_unauthorized_scope' });
  });

  it('answers 403 user_api_key_and_session_set when both an API key and a session are sent', async () => {
    const { credential } = await signUpAndIn(h);
    const res = await probe('public', { 'x-appwrite-key': h.config.APP_API_KEY, 'x-appwrite-session': credential });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ type: 'user_api_key_and_session_set' });
  });

  it('admits the API key on apiKey routes only, and refuses a wrong key', async () => {
    expect((await probe('key', { 'x-appwrite-key': h.config.APP_API_KEY })).status).toBe(200);
    expect((await probe('key')).status).toBe(401);
    const wrong = await probe('key', { 'x-appwrite-key': `${h.config.APP_API_KEY}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ type: 'general_unauthorized_scope' });
    expect((await probe('session', { 'x-appwrite-key': h.config.APP_API_KEY })).status).toBe(401);
  });

  it('answers 403 user_blocked for a blocked user', async () => {
    const u = await signUpAndIn(h);
    expect((await admin(h, 'PATCH', `/users/${u.userId}/status`, { status: false })).status).toBe(200);
    const res = await probe('session', { 'x-appwrite-session': u.credential });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ type: 'user_blocked' });
  });

  it('requires a second factor when MFA is on and the email is verified, without calling mfa-service', async () => {
    const u = await signUpAndIn(h);
    await admin(h, 'PATCH', `/users/${u.userId}/verification`, { emailVerification: true });
    await admin(h, 'PATCH', `/users/${u.userId}/mfa`, { mfa: true });
    const s = await probe('session', { 'x-appwrite-session': u.credential });
    expect(s.status).toBe(401);
    expect(s.body).toMatchObject({ type: 'user_more_factors_required' });
    expect((await asUser(h, u.credential, 'GET', '/account')).body).toMatchObject({ type: 'user_more_factors_required' });
    // partial routes (list factors, challenges, logout) stay reachable
    expect((await probe('partial', { 'x-appwrite-session': u.credential })).status).toBe(200);

    await sessions.addFactors(u.sessionId, ['email']);
    expect((await probe('session', { 'x-appwrite-session': u.credential })).status).toBe(200);
  });

  it('fails closed with 503 when the MFA rule needs mfa-service and it does not answer', async () => {
    const u = await signUpAndIn(h);
    await admin(h, 'PATCH', `/users/${u.userId}/mfa`, { mfa: true });
    const res = await probe('session', { 'x-appwrite-session': u.credential });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ type: 'general_service_unavailable' });
    expect((await probe('partial', { 'x-appwrite-session': u.credential })).status).toBe(200);
    // a session that already has two factors never needs the RPC
    await sessions.addFactors(u.sessionId, ['totp']);
    expect((await probe('session', { 'x-appwrite-session': u.credential })).status).toBe(200);
  });

  it('lets fresh routes through only within MFA_RECENT_SECONDS of a completed challenge', async () => {
    const u = await signUpAndIn(h);
    const before = await probe('fresh', { 'x-appwrite-session': u.credential });
    expect(before.status).toBe(401);
    expect(before.body).toMatchObject({ type: 'user_challenge_required' });

    const upgraded = await sessions.addFactors(u.sessionId, ['totp', 'totp', 'password'], { factor: 'totp', enrolledBySession: false });
    expect(upgraded.factors).toEqual(['password', 'totp']);
    expect(upgraded.mfaUpdatedAt).toBeInstanceOf(Date);
    expect((await probe('fresh', { 'x-appwrite-session': u.credential })).status).toBe(200);

    h.clock.advance(h.config.MFA_RECENT_SECONDS + 1);
    try {
      expect((await probe('fresh', { 'x-appwrite-session': u.credential })).body).toMatchObject({ type: 'user_challenge_required' });
      expect((await probe('session', { 'x-appwrite-session': u.credential })).status).toBe(200);
    } finally {
      h.clock.offsetMs = 0;
    }
  });

  it("while MFA is on, a step-up with a factor the session enrolled itself opens neither fresh nor stepUp routes; with MFA off Appwrite's rule stands", async () => {
    const u = await signUpAndIn(h);
    // MFA off: stepUp routes are plain session routes, fresh routes take any recent challenge
    expect((await probe('step-up', { 'x-appwrite-session': u.credential })).status).toBe(200);
    await sessions.addFactors(u.sessionId, ['totp'], { factor: 'totp', enrolledBySession: true });
    expect((await probe('fresh', { 'x-appwrite-session': u.credential })).status).toBe(200);

    // MFA on (the session already has two factors, so it is a full session)
    await h.pg.query('UPDATE users SET mfa = true, email_verification = true WHERE id = $1', [u.userId]);
    for (const path of ['fresh', 'step-up']) {
      const refused = await probe(path, { 'x-appwrite-session': u.credential });
      expect({ path, status: refused.status, type: refused.body?.type }).toEqual({ path, status: 401, type: 'user_challenge_required' });
    }
    const { rows } = await h.pg.query('SELECT mfa_factor, step_up_at FROM sessions WHERE id = $1', [u.sessionId]);
    expect(rows[0]).toEqual({ mfa_factor: 'totp', step_up_at: null });

    // a challenge with a factor the session did not enroll is a step-up
    await sessions.addFactors(u.sessionId, ['email'], { factor: 'email', enrolledBySession: false });
    expect((await probe('fresh', { 'x-appwrite-session': u.credential })).status).toBe(200);
    expect((await probe('step-up', { 'x-appwrite-session': u.credential })).status).toBe(200);
    // a later self-enrolled one neither renews nor cancels it
    h.clock.advance(h.config.MFA_RECENT_SECONDS - 10);
    try {
      await sessions.addFactors(u.sessionId, ['totp'], { factor: 'totp', enrolledBySession: true });
      h.clock.advance(20);
      expect((await probe('step-up', { 'x-appwrite-session': u.credential })).body).toMatchObject({ type: 'user_challenge_required' });
    } finally {
      h.clock.offsetMs = 0;
    }
  });

  it('refuses sign-in while a session is active: user_session_already_exists, or more factors if it is partial', async () => {
    const u = await signUpAndIn(h);
    const res = await probe('guest', { 'x-appwrite-session': u.credential }, 'POST');
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ type: 'user_session_already_exists' });
    await admin(h, 'PATCH', `/users/${u.userId}/verification/phone`, { phoneVerification: true });
    await admin(h, 'PATCH', `/users/${u.userId}/mfa`, { mfa: true });
    expect((await probe('guest', { 'x-appwrite-session': u.credential }, 'POST')).body).toMatchObject({
      type: 'user_more_factors_required',
    });
    // an unknown or expired credential does not block signing in again
    expect((await probe('guest', { 'x-appwrite-session': 'bogus' }, 'POST')).status).toBe(201);
  });
});
