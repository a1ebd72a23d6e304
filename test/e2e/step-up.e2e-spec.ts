import * as server from 'node-appwrite';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { SmtpSink, TestStack } from '@twostep/testing';
import { StackWithSinks, startStackWithSinks } from './support/stack-with-sinks';
import { awayFromStepBoundary, currentStep, totpAt } from './support/totp';

/**
 * Issue 10, hole 1: while MFA is on for an account, every change to its factors or to the addresses
 * they deliver to needs a step-up on this session (a challenge completed within MFA_RECENT_SECONDS),
 * and a factor the session enrolled itself never earns one. Driven through node-appwrite against the
 * three services as processes.
 */
describe('step-up for factor and address changes while MFA is on', () => {
  let stack: TestStack;
  let smtp: SmtpSink;
  let sinks: StackWithSinks;
  let users: server.Users;
  const password = 'correct horse battery staple';
  const newEmail = () => `u${randomBytes(5).toString('hex')}@example.test`;

  beforeAll(async () => {
    sinks = await startStackWithSinks('stepup');
    ({ stack, smtp } = sinks);
    users = new server.Users(new server.Client().setEndpoint(stack.endpoint).setProject(stack.projectId).setKey(stack.apiKey));
  }, 90_000);

  afterAll(async () => {
    await sinks?.stop();
  });

  /** An email/password sign-in (as a server app does it: the API key gets the session secret back). */
  async function signIn(email: string): Promise<server.Account> {
    const keyed = new server.Account(new server.Client().setEndpoint(stack.endpoint).setProject(stack.projectId).setKey(stack.apiKey));
    const session = await keyed.createEmailPasswordSession({ email, password });
    return new server.Account(new server.Client().setEndpoint(stack.endpoint).setProject(stack.projectId).setSession(session.secret));
  }

  async function refusal(p: Promise<unknown>): Promise<{ code?: number; type?: string }> {
    return p.then(
      () => ({ code: 200, type: 'accepted' }),
      (e: { code?: number; type?: string }) => ({ code: e.code, type: e.type }),
    );
  }

  const challengeRequired = { code: 401, type: 'user_challenge_required' };

  async function emailCode(account: server.Account, email: string): Promise<void> {
    const since = Date.now();
    const challenge = await account.createMFAChallenge({ factor: server.AuthenticationFactor.Email });
    const mail = await smtp.waitFor(
      (m) => m.receivedAt.getTime() >= since && m.envelopeTo.includes(email) && /\b\d{6}\b/.test(m.text),
      10_000,
    );
    const code = /\b(\d{6})\b/.exec(mail.text)?.[1];
    expect(code).toMatch(/^\d{6}$/);
    await account.updateMFAChallenge({ challengeId: challenge.$id, otp: code! });
  }

  it('a stale full session cannot add an authenticator, create recovery codes or move the email or phone; a fresh step-up with an old factor can', async () => {
    const email = newEmail();
    const user = await users.create({ userId: server.ID.unique(), email, password });
    await users.updateEmailVerification({ userId: user.$id, emailVerification: true });
    // the session that turns MFA on is full (it gains the verified factors) but never completed a challenge
    const stale = await signIn(email);
    expect((await stale.updateMFA({ mfa: true })).mfa).toBe(true);
    expect((await stale.get()).$id).toBe(user.$id);

    expect(await refusal(stale.createMFAAuthenticator({ type: server.AuthenticatorType.Totp }))).toEqual(challengeRequired);
    expect(await refusal(stale.updateMFAAuthenticator({ type: server.AuthenticatorType.Totp, otp: '123456' }))).toEqual(challengeRequired);
    expect(await refusal(stale.createMFARecoveryCodes())).toEqual(challengeRequired);
    expect(await refusal(stale.updateEmail({ email: newEmail(), password }))).toEqual(challengeRequired);
    expect(await refusal(stale.updatePhone({ phone: '+14155550123', password }))).toEqual(challengeRequired);
    // nothing moved: the email factor still delivers to the owner, and no TOTP or recovery codes exist
    const after = await users.get({ userId: user.$id });
    expect({ email: after.email, emailVerification: after.emailVerification, phone: after.phone, mfa: after.mfa }).toEqual({
      email,
      emailVerification: true,
      phone: '',
      mfa: true,
    });
    expect(await users.listMFAFactors({ userId: user.$id })).toMatchObject({ totp: false, recoveryCode: false, email: true });

    // the stale session steps up with the old factor (email): now every change is allowed
    await emailCode(stale, email);
    const { secret } = await stale.createMFAAuthenticator({ type: server.AuthenticatorType.Totp });
    await awayFromStepBoundary();
    await stale.updateMFAAuthenticator({ type: server.AuthenticatorType.Totp, otp: totpAt(secret, currentStep()) });
    expect((await stale.createMFARecoveryCodes()).recoveryCodes.length).toBeGreaterThanOrEqual(6);
    const moved = newEmail();
    expect((await stale.updateEmail({ email: moved, password })).email).toBe(moved);

    // the address this session set is a factor it enrolled: proving it records a challenge but no step-up
    await users.updateEmailVerification({ userId: user.$id, emailVerification: true });
    const sessionId = (await stale.getSession({ sessionId: 'current' })).$id;
    const pg = new Client({ connectionString: stack.db.url });
    await pg.connect();
    try {
      const stepUps = async () =>
        (await pg.query('SELECT mfa_factor, mfa_updated_at, step_up_at FROM auth.sessions WHERE id = $1', [sessionId])).rows[0];
      const before = await stepUps();
      expect(before.mfa_factor).toBe('email');
      await emailCode(stale, moved);
      const after = await stepUps();
      expect(after.mfa_updated_at.getTime()).toBeGreaterThan(before.mfa_updated_at.getTime());
      expect(after.step_up_at.getTime()).toBe(before.step_up_at.getTime());
    } finally {
      await pg.end();
    }
  }, 60_000);

  it('a TOTP authenticator or recovery codes the session enrolled itself never earn it a step-up; another session stepping up with them can', async () => {
    const email = newEmail();
    const user = await users.create({ userId: server.ID.unique(), email, password });
    // enrolled while MFA is off (Appwrite's behaviour), then MFA turned on by the same session
    const enroller = await signIn(email);
    const { secret } = await enroller.createMFAAuthenticator({ type: server.AuthenticatorType.Totp });
    await awayFromStepBoundary();
    const step = currentStep();
    await enroller.updateMFAAuthenticator({ type: server.AuthenticatorType.Totp, otp: totpAt(secret, step) });
    const { recoveryCodes } = await enroller.createMFARecoveryCodes();
    await enroller.updateMFA({ mfa: true });

    // a challenge with its own authenticator succeeds (the session is full) but is no step-up
    const totp = await enroller.createMFAChallenge({ factor: server.AuthenticationFactor.Totp });
    expect((await enroller.updateMFAChallenge({ challengeId: totp.$id, otp: totpAt(secret, step + 1) })).factors).toContain('totp');
    expect(await refusal(enroller.getMFARecoveryCodes())).toEqual(challengeRequired);
    expect(await refusal(enroller.updateMFA({ mfa: false }))).toEqual(challengeRequired);
    expect(await refusal(enroller.updateEmail({ email: newEmail(), password }))).toEqual(challengeRequired);
    // nor is one of its own recovery codes
    const rc = await enroller.createMFAChallenge({ factor: server.AuthenticationFactor.Recoverycode });
    await enroller.updateMFAChallenge({ challengeId: rc.$id, otp: recoveryCodes[0] });
    expect(await refusal(enroller.updateMFARecoveryCodes())).toEqual(challengeRequired);
    expect(await refusal(enroller.deleteMFAAuthenticator({ type: server.AuthenticatorType.Totp }))).toEqual(challengeRequired);
    expect((await users.get({ userId: user.$id })).mfa).toBe(true);

    // a new sign-in proving a factor some other session enrolled is a step-up
    const owner = await signIn(email);
    const challenge = await owner.createMFAChallenge({ factor: server.AuthenticationFactor.Recoverycode });
    await owner.updateMFAChallenge({ challengeId: challenge.$id, otp: recoveryCodes[1] });
    expect((await owner.getMFARecoveryCodes()).recoveryCodes).toEqual(recoveryCodes.slice(2));
    expect((await owner.updateMFA({ mfa: false })).mfa).toBe(false);
  }, 60_000);
});
