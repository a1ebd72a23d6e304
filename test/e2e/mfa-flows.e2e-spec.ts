import { AppwriteException, AuthenticationFactor, AuthenticatorType, ID } from 'appwrite';
import * as server from 'node-appwrite';
import { randomBytes } from 'node:crypto';
import type { SmtpSink, TestStack, TwilioSink } from '@twostep/testing';
import { StackWithSinks, startStackWithSinks } from './support/stack-with-sinks';
import { removeWindow, WebApp } from './support/web-sdk';
import { currentStep, totpAt } from './support/totp';

/**
 * The seed's flows for every factor, driven by the official SDKs against the three services as
 * processes, with real SMTP and a Twilio-speaking server on loopback (issue 4, "How we will know").
 */
describe('MFA through the official Appwrite SDKs', () => {
  let stack: TestStack;
  let smtp: SmtpSink;
  let twilio: TwilioSink;
  let sinks: StackWithSinks;
  let users: server.Users;

  beforeAll(async () => {
    sinks = await startStackWithSinks('mfaflows');
    ({ stack, smtp, twilio } = sinks);
    const admin = new server.Client().setEndpoint(stack.endpoint).setProject(stack.projectId).setKey(stack.apiKey);
    users = new server.Users(admin);
  }, 90_000);

  afterAll(async () => {
    removeWindow();
    await sinks?.stop();
  });

  const password = 'correct horse battery staple';
  const newEmail = () => `u${randomBytes(5).toString('hex')}@example.test`;

  /** A web-SDK client in its own simulated browser (cookies via X-Fallback-Cookies + localStorage). */
  function webAccount() {
    return { account: new WebApp(stack.endpoint, stack.projectId).use() };
  }

  async function expectAppwriteError(p: Promise<unknown>, type: string, code?: number) {
    const error = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppwriteException);
    expect((error as AppwriteException).type).toBe(type);
    if (code !== undefined) expect((error as AppwriteException).code).toBe(code);
  }

  it('TOTP: enroll, recovery codes, updateMFA, sign out and in, more factors required, challenge, complete', async () => {
    const { account } = webAccount();
    const email = newEmail();
    await account.create({ userId: ID.unique(), email, password, name: 'Tess Totp' });
    await account.createEmailPasswordSession({ email, password });

    const { secret, uri } = await account.createMFAAuthenticator({ type: AuthenticatorType.Totp });
    expect(uri).toMatch(/^otpauth:\/\/totp\//);
    expect((await account.listMFAFactors()).totp).toBe(false);
    const enrolledAt = currentStep();
    const afterVerify = await account.updateMFAAuthenticator({ type: AuthenticatorType.Totp, otp: totpAt(secret, enrolledAt) });
    expect(afterVerify.email).toBe(email);
    const { recoveryCodes } = await account.createMFARecoveryCodes();
    expect(recoveryCodes.length).toBeGreaterThanOrEqual(6);
    const enabled = await account.updateMFA({ mfa: true });
    expect(enabled.mfa).toBe(true);
    await account.get(); // the enabling session keeps working

    await account.deleteSession({ sessionId: 'current' });
    const partial = await account.createEmailPasswordSession({ email, password });
    expect(partial.factors).toEqual(['password']);
    await expectAppwriteError(account.get(), 'user_more_factors_required', 401);
    expect(await account.listMFAFactors()).toMatchObject({ totp: true, email: false, phone: false, recoveryCode: true });

    const challenge = await account.createMFAChallenge({ factor: AuthenticationFactor.Totp });
    expect(Object.keys(challenge).sort()).toEqual(['$createdAt', '$id', 'expire', 'userId']);
    // the enrollment step was used: the next one is inside the ±1 window and never accepted before
    const session = await account.updateMFAChallenge({ challengeId: challenge.$id, otp: totpAt(secret, enrolledAt + 1) });
    expect(session.factors).toEqual(expect.arrayContaining(['password', 'totp']));
    expect(session.mfaUpdatedAt).not.toBe('');
    expect((await account.get()).email).toBe(email);
  }, 30_000);

  it('email: the code arrives by SMTP and completes the sign-in', async () => {
    const email = newEmail();
    const user = await users.create({ userId: ID.unique(), email, password, name: 'Emma Email' });
    await users.updateEmailVerification({ userId: user.$id, emailVerification: true });
    await users.updateMFA({ userId: user.$id, mfa: true });

    const { account } = webAccount();
    await account.createEmailPasswordSession({ email, password });
    await expectAppwriteError(account.get(), 'user_more_factors_required', 401);
    expect((await account.listMFAFactors()).email).toBe(true);
    const since = Date.now();
    const challenge = await account.createMFAChallenge({ factor: AuthenticationFactor.Email });
    const mail = await smtp.waitForTo(email, 10_000, since);
    expect(mail.subject).toContain('Twostep Test');
    const code = /\b(\d{6})\b/.exec(mail.text)?.[1];
    expect(code).toMatch(/^\d{6}$/);
    expect(mail.html).toContain(code);
    const session = await account.updateMFAChallenge({ challengeId: challenge.$id, otp: code! });
    expect(session.factors).toEqual(expect.arrayContaining(['password', 'email']));
    expect((await account.get()).$id).toBe(user.$id);
  }, 30_000);

  it('phone: the code arrives through the real twilio SDK and completes the sign-in', async () => {
    const email = newEmail();
    const phone = `+1415555${String(1000 + Math.floor(Date.now() % 9000)).padStart(4, '0')}`;
    const user = await users.create({ userId: ID.unique(), email, password });
    await users.updatePhone({ userId: user.$id, number: phone });
    await users.updatePhoneVerification({ userId: user.$id, phoneVerification: true });
    await users.updateMFA({ userId: user.$id, mfa: true });

    const { account } = webAccount();
    await account.createEmailPasswordSession({ email, password });
    await expectAppwriteError(account.get(), 'user_more_factors_required', 401);
    const since = Date.now();
    const challenge = await account.createMFAChallenge({ factor: AuthenticationFactor.Phone });
    const sms = await twilio.waitForTo(phone, 10_000, since);
    expect(sms.from).toBe('+15005550006');
    const code = /\b(\d{6})\b/.exec(sms.body)?.[1];
    expect(code).toMatch(/^\d{6}$/);
    const session = await account.updateMFAChallenge({ challengeId: challenge.$id, otp: code! });
    expect(session.factors).toEqual(expect.arrayContaining(['password', 'phone']));
    await account.get();
  }, 30_000);

  it('recovery code: the SDK enum value works, the code is consumed, and reuse fails', async () => {
    const { account } = webAccount();
    const email = newEmail();
    await account.create({ userId: ID.unique(), email, password });
    await account.createEmailPasswordSession({ email, password });
    const { secret } = await account.createMFAAuthenticator({ type: AuthenticatorType.Totp });
    await account.updateMFAAuthenticator({ type: AuthenticatorType.Totp, otp: totpAt(secret, currentStep()) });
    const { recoveryCodes } = await account.createMFARecoveryCodes();
    await account.updateMFA({ mfa: true });
    await account.deleteSession({ sessionId: 'current' });

    await account.createEmailPasswordSession({ email, password });
    const challenge = await account.createMFAChallenge({ factor: AuthenticationFactor.Recoverycode });
    const session = await account.updateMFAChallenge({ challengeId: challenge.$id, otp: recoveryCodes[0] });
    expect(session.factors).toEqual(expect.arrayContaining(['password', 'recoveryCode']));
    await account.get();

    const again = await account.createMFAChallenge({ factor: AuthenticationFactor.Recoverycode });
    await expectAppwriteError(account.updateMFAChallenge({ challengeId: again.$id, otp: recoveryCodes[0] }), 'user_invalid_token', 401);
    const made = await account.createMFAChallenge({ factor: AuthenticationFactor.Recoverycode });
    await expectAppwriteError(account.updateMFAChallenge({ challengeId: made.$id, otp: 'deadbeefdeadbeef' }), 'user_invalid_token', 401);
  }, 30_000);

  it('regenerating recovery codes requires a recent challenge, then voids the old set (Appwrite e2e 3)', async () => {
    const { account } = webAccount();
    const email = newEmail();
    await account.create({ userId: ID.unique(), email, password });
    await account.createEmailPasswordSession({ email, password });
    const first = await account.createMFARecoveryCodes();
    await expectAppwriteError(account.updateMFARecoveryCodes(), 'user_challenge_required', 401);
    await expectAppwriteError(account.getMFARecoveryCodes(), 'user_challenge_required', 401);
    const challenge = await account.createMFAChallenge({ factor: AuthenticationFactor.Recoverycode });
    const session = await account.updateMFAChallenge({ challengeId: challenge.$id, otp: first.recoveryCodes[0] });
    expect(session.mfaUpdatedAt).not.toBe('');
    const second = await account.updateMFARecoveryCodes();
    expect(second.recoveryCodes).not.toEqual(first.recoveryCodes);
    expect((await account.getMFARecoveryCodes()).recoveryCodes).toEqual(second.recoveryCodes);
    const old = await account.createMFAChallenge({ factor: AuthenticationFactor.Recoverycode });
    await expectAppwriteError(account.updateMFAChallenge({ challengeId: old.$id, otp: first.recoveryCodes[1] }), 'user_invalid_token', 401);
  }, 30_000);

  it('authenticator lifecycle: 401 wrong code, 409 when verified, fresh challenge to delete, 404 after (Appwrite e2e 4, 5)', async () => {
    const { account } = webAccount();
    const email = newEmail();
    await account.create({ userId: ID.unique(), email, password });
    await account.createEmailPasswordSession({ email, password });
    const { secret } = await account.createMFAAuthenticator({ type: AuthenticatorType.Totp });
    const step = currentStep();
    const wrong = totpAt(secret, step + 10);
    await expectAppwriteError(account.updateMFAAuthenticator({ type: AuthenticatorType.Totp, otp: wrong }), 'user_invalid_token', 401);
    await account.updateMFAAuthenticator({ type: AuthenticatorType.Totp, otp: totpAt(secret, step) });
    expect((await account.listMFAFactors()).totp).toBe(true);
    await expectAppwriteError(account.createMFAAuthenticator({ type: AuthenticatorType.Totp }), 'user_authenticator_already_verified', 409);
    await expectAppwriteError(account.deleteMFAAuthenticator({ type: AuthenticatorType.Totp }), 'user_challenge_required', 401);

    const challenge = await account.createMFAChallenge({ factor: AuthenticationFactor.Totp });
    await expectAppwriteError(account.updateMFAChallenge({ challengeId: challenge.$id, otp: wrong }), 'user_invalid_token', 401);
    const session = await account.updateMFAChallenge({ challengeId: challenge.$id, otp: totpAt(secret, step + 1) });
    expect(session.factors).toContain('totp');
    await account.deleteMFAAuthenticator({ type: AuthenticatorType.Totp });
    expect((await account.listMFAFactors()).totp).toBe(false);
    await expectAppwriteError(account.deleteMFAAuthenticator({ type: AuthenticatorType.Totp }), 'user_authenticator_not_found', 404);
  }, 30_000);

  it('node-appwrite: a server-created session completes TOTP with setSession', async () => {
    const email = newEmail();
    const user = await users.create({ userId: ID.unique(), email, password });
    const seeded = await users.createSession({ userId: user.$id });
    expect(seeded.secret).not.toBe('');
    const client = new server.Client().setEndpoint(stack.endpoint).setProject(stack.projectId).setSession(seeded.secret);
    const account = new server.Account(client);
    const { secret } = await account.createMFAAuthenticator({ type: server.AuthenticatorType.Totp });
    const step = currentStep();
    await account.updateMFAAuthenticator({ type: server.AuthenticatorType.Totp, otp: totpAt(secret, step) });
    await users.updateMFA({ userId: user.$id, mfa: true });
    expect(await users.listMFAFactors({ userId: user.$id })).toMatchObject({ totp: true });

    const fresh = await users.createSession({ userId: user.$id });
    const second = new server.Account(new server.Client().setEndpoint(stack.endpoint).setProject(stack.projectId).setSession(fresh.secret));
    await expect(second.get()).rejects.toMatchObject({ type: 'user_more_factors_required' });
    const challenge = await second.createMFAChallenge({ factor: server.AuthenticationFactor.Totp });
    await second.updateMFAChallenge({ challengeId: challenge.$id, otp: totpAt(secret, step + 1) });
    expect((await second.get()).$id).toBe(user.$id);
  }, 30_000);

  it("Users admin routes manage another user's factors with the API key", async () => {
    const email = newEmail();
    const user = await users.create({ userId: ID.unique(), email, password });
    const created = await users.createMFARecoveryCodes({ userId: user.$id });
    expect(created.recoveryCodes.length).toBeGreaterThanOrEqual(6);
    expect((await users.getMFARecoveryCodes({ userId: user.$id })).recoveryCodes).toEqual(created.recoveryCodes);
    const regenerated = await users.updateMFARecoveryCodes({ userId: user.$id });
    expect(regenerated.recoveryCodes).not.toEqual(created.recoveryCodes);
    expect(await users.listMFAFactors({ userId: user.$id })).toMatchObject({ totp: false, recoveryCode: true });
    await expect(users.deleteMFAAuthenticator({ userId: user.$id, type: server.AuthenticatorType.Totp })).rejects.toMatchObject({
      type: 'user_authenticator_not_found',
    });
  }, 30_000);
});
