import { TestStack } from '@twostep/testing';
import { AuthApiHarness, asUser, signUpAndIn, startAuthApi } from '../../apps/auth-api/test/harness';
import { awayFromStepBoundary, currentStep, totpAt } from './support/totp';

/**
 * Checklist item 62: auth-api's clock is skewed against mfa-service's; TOTP and challenge expiry are
 * still decided by one authority (mfa-service), so a code valid there verifies and a challenge lives
 * exactly its lifetime, whatever auth-api's clock says.
 */
describe('one clock authority for MFA decisions', () => {
  let stack: TestStack;
  let h: AuthApiHarness;

  beforeAll(async () => {
    stack = await TestStack.start({ label: 'clock', services: ['mfa-service'] });
    h = await startAuthApi({
      label: 'clockapi',
      env: { MFA_SERVICE_URL: `tcp://127.0.0.1:${stack.ports.rpc}`, MFA_RPC_KEY: stack.env.MFA_RPC_KEY, MFA_RPC_TIMEOUT_MS: '2000' },
    });
  }, 60_000);

  afterAll(async () => {
    await h?.close();
    await stack?.stop();
  });

  it('verifies TOTP and times challenges by mfa-service, with auth-api 5 and then 16 minutes ahead', async () => {
    h.clock.advance(300);
    const u = await signUpAndIn(h);
    const created = await asUser<{ secret: string }>(h, u.credential, 'POST', '/account/mfa/authenticators/totp', {});
    expect(created.status).toBe(200);
    await awayFromStepBoundary();
    const step = currentStep();
    // the code of the real current step: 10 steps behind auth-api's clock, on time for mfa-service
    expect(
      (await asUser(h, u.credential, 'PUT', '/account/mfa/authenticators/totp', { otp: totpAt(created.body.secret, step) })).status,
    ).toBe(200);

    const challenge = await asUser<{ $id: string; $createdAt: string; expire: string }>(
      h,
      u.credential,
      'POST',
      '/account/mfa/challenges',
      { factor: 'totp' },
    );
    expect(challenge.status).toBe(201);
    // created and expiring by mfa-service's (real) clock, not auth-api's skewed one
    expect(Math.abs(Date.parse(challenge.body.$createdAt) - Date.now())).toBeLessThan(5000);
    expect(Date.parse(challenge.body.expire) - Date.parse(challenge.body.$createdAt)).toBe(600_000);

    // auth-api now believes the challenge expired 6 minutes ago; mfa-service knows it has not
    h.clock.advance(660);
    const done = await asUser<{ factors: string[] }>(h, u.credential, 'PUT', '/account/mfa/challenges', {
      challengeId: challenge.body.$id,
      otp: totpAt(created.body.secret, step + 1),
    });
    expect(done.status).toBe(200);
    expect(done.body.factors).toContain('totp');
  }, 60_000);
});
