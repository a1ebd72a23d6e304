import { SmtpSink, TestStack, waitFor } from '@twostep/testing';
import { Api } from './support/http';

describe('service wiring (three processes, real Postgres and Redis)', () => {
  let stack: TestStack;
  let smtp: SmtpSink;
  let api: Api;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    stack = await TestStack.start({ label: 'wiring', env: { SMTP_URL: smtp.url, SMTP_FROM: 'Twostep Test <no-reply@twostep.test>' } });
    api = new Api(stack);
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    await smtp?.stop();
  });

  it('carries one request across every wire: HTTP, RPC, a sealed job through Redis, SMTP, and the delivery result back', async () => {
    const u = await api.createUser();
    expect((await api.admin('PATCH', `/users/${u.userId}/verification`, { emailVerification: true })).status).toBe(200);
    const { session } = await api.signIn(u.email, u.password);
    // HTTP into auth-api -> RPC to mfa-service -> otp-delivery job -> notifier -> SMTP server on loopback
    const created = await api.as<{ $id: string }>(session, 'POST', '/account/mfa/challenges', { factor: 'email' });
    expect(created.status).toBe(201);
    const mail = await smtp.waitFor((m) => m.envelopeTo.includes(u.email) && m.subject.startsWith('Verification Code'));
    expect(mail.text).toMatch(/\b\d{6}\b/);
    // notifier -> delivery-results job -> mfa-service records it -> visible through auth-api
    let state: { status?: string; delivery?: { status: string } } = {};
    await waitFor(
      async () => {
        state = (await api.as<typeof state>(session, 'GET', `/account/mfa/challenges/${created.body.$id}`)).body;
        return state.delivery?.status === 'sent';
      },
      10_000,
      100,
      'the delivery result to reach mfa-service',
    );
    expect(state.status).toBe('delivered');
  }, 30_000);

  it('reports every service ready, auth-api on its Postgres and Redis only (not mfa-service)', async () => {
    for (const s of ['auth-api', 'mfa-service', 'notifier'] as const) {
      const res = await fetch(stack.healthUrl(s));
      expect(res.status).toBe(200);
    }
    const body = (await (await fetch(stack.healthUrl('auth-api'))).json()) as { checks: Record<string, string> };
    expect(body.checks).toEqual({ postgres: 'up', redis: 'up' });
  });

  it('keeps auth-api ready while mfa-service is down, answers MFA routes with a fast 503 meanwhile, and recovers when it returns', async () => {
    const u = await api.createUser();
    const { session } = await api.signIn(u.email, u.password);
    await stack.stopService('mfa-service');
    const started = Date.now();
    const refused = await api.as<{ type: string }>(session, 'POST', '/account/mfa/challenges', { factor: 'totp' });
    const refusedMs = Date.now() - started;
    expect(refused.status).toBe(503);
    expect(refused.body.type).toBe('general_service_unavailable');
    expect(refused.headers.get('retry-after')).toBe('1');
    // readiness is Postgres and Redis: routes that don't need MFA keep being served
    const res = await fetch(stack.healthUrl('auth-api'));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { checks: Record<string, string> }).checks).toEqual({ postgres: 'up', redis: 'up' });
    expect((await api.as(session, 'GET', '/account')).status).toBe(200);
    // no endpoint is healthy: refused without waiting for the RPC deadline (figure, not a timed assertion)
    process.stdout.write(
      `MFA route with no healthy mfa-service answered 503 in ${refusedMs} ms (RPC deadline ${stack.env.MFA_RPC_TIMEOUT_MS ?? 2000} ms)\n`,
    );
    expect(stack.logs['auth-api'].some((l) => l.includes('mfa-service endpoint unusable'))).toBe(true);

    await stack.startService('mfa-service');
    // poll a route that needs mfa-service but has no per-user limit (challenge creation allows 10 an hour:
    // on a loaded machine the reconnection can take longer than ten polls)
    await waitFor(async () => (await api.as(session, 'GET', '/account/mfa/factors')).status === 200, 15_000, 100, 'auth-api to reconnect');
    expect((await api.as(session, 'POST', '/account/mfa/challenges', { factor: 'totp' })).status).toBe(201);
  }, 40_000);

  it('serves liveness and Prometheus metrics on every service, on its management port only', async () => {
    const live = await fetch(`${stack.managementUrl('auth-api')}/health/live`);
    expect(live.status).toBe(200);
    const metrics = await (await fetch(stack.metricsUrl('auth-api'))).text();
    expect(metrics).toContain('process_resident_memory_bytes');
    expect(metrics).toContain('http_request_duration_seconds');
    const mfaMetrics = await (await fetch(stack.metricsUrl('mfa-service'))).text();
    expect(mfaMetrics).toContain('service="mfa-service"');
    // the public API port has neither probes nor metrics
    for (const path of ['/health/live', '/health/ready', '/metrics']) {
      expect({ path, status: (await fetch(`${stack.baseUrl}${path}`)).status }).toEqual({ path, status: 404 });
    }
  });

  it('answers unknown routes with an Appwrite error body', async () => {
    const res = await fetch(`${stack.endpoint}/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toEqual({
      message: expect.any(String),
      code: 404,
      type: 'general_route_not_found',
      version: expect.any(String),
    });
  });

  it('stops every service on SIGTERM with exit code 0', async () => {
    for (const s of ['auth-api', 'notifier', 'mfa-service'] as const) {
      expect(await stack.stopService(s, 'SIGTERM')).toBe(0);
    }
  }, 60_000);
});
