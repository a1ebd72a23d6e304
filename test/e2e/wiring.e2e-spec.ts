import { TestStack } from '@twostep/testing';

describe('service wiring (three processes, real Postgres and Redis)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ label: 'wiring' });
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('reports every service ready, auth-api including its Postgres, Redis and mfa-service', async () => {
    for (const s of ['auth-api', 'mfa-service', 'notifier'] as const) {
      const res = await fetch(stack.healthUrl(s));
      expect(res.status).toBe(200);
    }
    const body = (await (await fetch(stack.healthUrl('auth-api'))).json()) as { checks: Record<string, string> };
    expect(body.checks).toEqual({ postgres: 'up', redis: 'up', 'mfa-service': 'up' });
  });

  it('turns auth-api readiness false within 2 s when mfa-service stops, and true again when it returns', async () => {
    await stack.stopService('mfa-service');
    const t0 = Date.now();
    const res = await fetch(stack.healthUrl('auth-api'));
    expect(res.status).toBe(503);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(((await res.json()) as { checks: Record<string, string> }).checks['mfa-service']).toBe('down');

    await stack.startService('mfa-service');
    const back = await fetch(stack.healthUrl('auth-api'));
    expect(back.status).toBe(200);
  }, 30_000);

  it('serves liveness and Prometheus metrics on every service', async () => {
    const live = await fetch(`${stack.baseUrl}/health/live`);
    expect(live.status).toBe(200);
    const metrics = await (await fetch(`${stack.baseUrl}/metrics`)).text();
    expect(metrics).toContain('process_resident_memory_bytes');
    expect(metrics).toContain('http_request_duration_seconds');
    const mfaMetrics = await (await fetch(stack.healthUrl('mfa-service').replace('/health/ready', '/metrics'))).text();
    expect(mfaMetrics).toContain('service="mfa-service"');
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
