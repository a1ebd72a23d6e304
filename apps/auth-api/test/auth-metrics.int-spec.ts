import { Registry } from 'prom-client';
import { METRICS } from '@twostep/platform';
import { AuthApiHarness, call, signUpAndIn, startAuthApi } from './harness';

describe('auth-api metrics an operator alerts on', () => {
  let h: AuthApiHarness;
  beforeAll(async () => {
    h = await startAuthApi({ label: 'auth-metrics', env: { SIGN_IN_FAILURES_PER_IP_AND_EMAIL: '2' } });
  });
  afterAll(() => h.close());

  async function value(name: string, labels: Record<string, string>): Promise<number> {
    const metric = await h.app.get<Registry>(METRICS).getSingleMetric(name)?.get();
    const found = metric?.values.find((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want));
    return found?.value ?? 0;
  }

  it('counts sign-ins by method and outcome, and 429s by route and limit', async () => {
    const user = await signUpAndIn(h);
    const base = {
      success: await value('auth_sign_ins_total', { method: 'email', outcome: 'success' }),
      invalid: await value('auth_sign_ins_total', { method: 'email', outcome: 'invalid_credentials' }),
      limited: await value('auth_sign_ins_total', { method: 'email', outcome: 'rate_limited' }),
      route: await value('auth_rate_limited_total', { route: '/v1/account/sessions/email', bucket: 'sign-in.ip-email' }),
    };
    const signIn = (password: string) =>
      call(`${h.endpoint}/account/sessions/email`, { method: 'POST', headers: h.headers(), json: { email: user.email, password } });
    expect((await signIn(user.password)).status).toBe(201);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await signIn('wrong password!')).status);
    expect(statuses).toEqual([401, 401, 429]);
    expect(await value('auth_sign_ins_total', { method: 'email', outcome: 'success' })).toBe(base.success + 1);
    expect(await value('auth_sign_ins_total', { method: 'email', outcome: 'invalid_credentials' })).toBe(base.invalid + 2);
    expect(await value('auth_sign_ins_total', { method: 'email', outcome: 'rate_limited' })).toBe(base.limited + 1);
    expect(await value('auth_rate_limited_total', { route: '/v1/account/sessions/email', bucket: 'sign-in.ip-email' })).toBe(
      base.route + 1,
    );
  });

  it('counts the other sign-in methods by their own bounded label (anonymous, token, jwt)', async () => {
    const before = {
      anonymous: await value('auth_sign_ins_total', { method: 'anonymous', outcome: 'success' }),
      tokenInvalid: await value('auth_sign_ins_total', { method: 'token', outcome: 'invalid_credentials' }),
      jwt: await value('auth_sign_ins_total', { method: 'jwt', outcome: 'success' }),
      email: await value('auth_sign_ins_total', { method: 'email', outcome: 'success' }),
    };
    const anonymous = await call(`${h.endpoint}/account/sessions/anonymous`, { method: 'POST', headers: h.headers() });
    expect(anonymous.status).toBe(201);
    const cookie = anonymous.headers.get('x-fallback-cookies') ?? '';
    const token = await call(`${h.endpoint}/account/sessions/token`, {
      method: 'POST',
      headers: h.headers(),
      json: { userId: 'nosuchuser', secret: '123456' },
    });
    expect(token.status).toBe(401);
    const jwt = await call(`${h.endpoint}/account/jwts`, { method: 'POST', headers: h.headers({ 'x-fallback-cookies': cookie }) });
    expect(jwt.status).toBe(201);
    expect(await value('auth_sign_ins_total', { method: 'anonymous', outcome: 'success' })).toBe(before.anonymous + 1);
    expect(await value('auth_sign_ins_total', { method: 'token', outcome: 'invalid_credentials' })).toBe(before.tokenInvalid + 1);
    expect(await value('auth_sign_ins_total', { method: 'jwt', outcome: 'success' })).toBe(before.jwt + 1);
    // the email route counts itself once, not twice
    expect(await value('auth_sign_ins_total', { method: 'email', outcome: 'success' })).toBe(before.email);
  });
});
