import { freePort } from '@twostep/testing';
import { AuthApiHarness, call, signUpAndIn, startAuthApi } from './harness';

describe('rate limits (Redis counters)', () => {
  let h: AuthApiHarness;

  beforeAll(async () => {
    h = await startAuthApi({ label: 'ratelimit' });
  }, 30_000);

  afterAll(async () => {
    await h?.close();
  });

  it('limits sign-up to 10 an hour per IP, with the X-RateLimit headers and Retry-After on 429', async () => {
    let last: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 10; i++) {
      last = await call(`${h.endpoint}/account`, {
        method: 'POST',
        headers: h.headers(),
        json: { userId: 'unique()', email: `rl${i}@example.test`, password: 'password-rl' },
      });
      expect(last.status).toBe(201);
      expect(last.headers.get('x-ratelimit-limit')).toBe('10');
      expect(last.headers.get('x-ratelimit-remaining')).toBe(String(9 - i));
    }
    const reset = Number(last!.headers.get('x-ratelimit-reset'));
    expect(reset % 3600).toBe(0);
    const over = await call(`${h.endpoint}/account`, {
      method: 'POST',
      headers: h.headers(),
      json: { userId: 'unique()', email: 'rl-over@example.test', password: 'password-rl' },
    });
    expect(over.status).toBe(429);
    expect(over.body).toMatchObject({ type: 'general_rate_limit_exceeded', code: 429 });
    expect(over.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(over.headers.get('retry-after'))).toBeLessThanOrEqual(3600);
  });

  it('does not limit API-key callers', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await call(`${h.endpoint}/account`, {
        method: 'POST',
        headers: h.headers({ 'x-appwrite-key': h.config.APP_API_KEY }),
        json: { userId: 'unique()', email: `key${i}@example.test`, password: 'password-rl' },
      });
      expect(res.status).toBe(201);
      expect(res.headers.get('x-ratelimit-limit')).toBeNull();
    }
  });

  it('keeps no email address or IP in clear in Redis', async () => {
    const keys = await h.redis.keys(`${h.config.REDIS_KEY_PREFIX}:rl:*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.join('\n')).not.toMatch(/@|127\.0\.0\.1/);
  });

  it('starts a new window when the clock moves into the next hour', async () => {
    const u = await signUpAndIn(h);
    const signIn = () =>
      call(`${h.endpoint}/account/sessions/email`, {
        method: 'POST',
        headers: h.headers(),
        json: { email: u.email, password: 'wrong password!' },
      });
    for (let i = 0; i < 10; i++) await signIn();
    expect((await signIn()).status).toBe(429);
    h.clock.advance(3600);
    try {
      expect((await signIn()).status).toBe(401);
    } finally {
      h.clock.offsetMs = 0;
    }
  });

  it('fails closed with 503 when Redis does not answer', async () => {
    const down = await startAuthApi({ label: 'ratelimit-down', env: { REDIS_URL: `redis://127.0.0.1:${await freePort()}` } });
    try {
      const t0 = Date.now();
      const res = await call(`${down.endpoint}/account/sessions/email`, {
        method: 'POST',
        headers: down.headers(),
        json: { email: 'a@example.test', password: 'whatever-password' },
      });
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ type: 'general_service_unavailable', code: 503 });
      expect(Date.now() - t0).toBeLessThan(2000);
    } finally {
      await down.close().catch(() => undefined);
    }
  }, 30_000);
});
