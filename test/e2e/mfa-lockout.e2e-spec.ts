import * as server from 'node-appwrite';
import { randomBytes } from 'node:crypto';
import type { SmtpSink, TestStack } from '@twostep/testing';
import { StackWithSinks, startStackWithSinks } from './support/stack-with-sinks';
import { Api } from './support/http';
import { awayFromStepBoundary, currentStep, totpAt } from './support/totp';

/**
 * Issue 10, hole 6, against the three services as processes: a factor at the hard cap stays locked until
 * an administrator unlocks it (`DELETE /v1/users/{userId}/mfa/lockouts`, API key), and the user is emailed
 * once, at the first lockout of a run. The caps are lowered (3 failures lock the factor for good) so the
 * suite needs no clock; the int suite of mfa-service proves the defaults with an injected clock.
 */
describe('second-factor hard cap: admin unlock and the lockout email', () => {
  let stack: TestStack;
  let smtp: SmtpSink;
  let sinks: StackWithSinks;
  let api: Api;
  let users: server.Users;
  const password = 'correct horse battery staple';

  beforeAll(async () => {
    sinks = await startStackWithSinks('lockout', { MFA_FAILURE_LIMIT: '3', MFA_FAILURE_HARD_LIMIT: '3' });
    ({ stack, smtp } = sinks);
    api = new Api(stack);
    users = new server.Users(new server.Client().setEndpoint(stack.endpoint).setProject(stack.projectId).setKey(stack.apiKey));
  }, 90_000);

  afterAll(async () => {
    await sinks?.stop();
  });

  it('locks TOTP for good after MFA_FAILURE_HARD_LIMIT wrong codes, emails the user once, and an admin unlock restores it', async () => {
    const email = `u${randomBytes(5).toString('hex')}@example.test`;
    const user = await users.create({ userId: server.ID.unique(), email, password });
    const seeded = await users.createSession({ userId: user.$id });
    const enroller = new server.Account(
      new server.Client().setEndpoint(stack.endpoint).setProject(stack.projectId).setSession(seeded.secret),
    );
    const { secret } = await enroller.createMFAAuthenticator({ type: server.AuthenticatorType.Totp });
    await awayFromStepBoundary();
    const step = currentStep();
    await enroller.updateMFAAuthenticator({ type: server.AuthenticatorType.Totp, otp: totpAt(secret, step) });
    await users.updateMFA({ userId: user.$id, mfa: true });

    const since = Date.now();
    const { session } = await api.signIn(email, password);
    const wrong = totpAt(secret, step + 40);
    const challenge = async () => (await api.as<{ $id: string }>(session, 'POST', '/account/mfa/challenges', { factor: 'totp' })).body.$id;
    const verify = async (otp: string) =>
      api.as<{ type?: string }>(session, 'PUT', '/account/mfa/challenges', { challengeId: await challenge(), otp });
    for (let i = 0; i < 3; i++) expect((await verify(wrong)).body.type).toBe('user_invalid_token');

    const locked = await verify(totpAt(secret, step + 1));
    expect(locked.status).toBe(429);
    expect(locked.body.type).toBe('general_rate_limit_exceeded');
    expect(locked.headers.get('retry-after')).toBeNull();

    const notice = await smtp.waitFor(
      (m) => m.receivedAt.getTime() >= since && m.envelopeTo.includes(email) && /locked/.test(m.subject),
      10_000,
    );
    expect(notice.subject).toBe('Two-step verification was locked on your Twostep Test account');

    // no API key, no unlock; a session is not enough either
    expect((await api.call('DELETE', `/users/${user.$id}/mfa/lockouts`)).status).toBe(401);
    expect((await api.as(session, 'DELETE', `/users/${user.$id}/mfa/lockouts`)).status).toBe(401);
    expect((await api.admin('DELETE', '/users/no-such-user/mfa/lockouts')).body).toMatchObject({ type: 'user_not_found' });
    const unlocked = await api.admin('DELETE', `/users/${user.$id}/mfa/lockouts`);
    expect(unlocked.status).toBe(204);

    const ok = await verify(totpAt(secret, step + 1));
    expect(ok.status).toBe(200);
    expect((await api.as<{ $id: string }>(session, 'GET', '/account')).body.$id).toBe(user.$id);
    // one email for the run, however many refusals followed
    const notices = smtp.messages.filter((m) => m.envelopeTo.includes(email) && /locked/.test(m.subject));
    expect(notices).toHaveLength(1);
  }, 60_000);
});
