import { admin, AuthApiHarness, call, signUpAndIn, startAuthApi } from './harness';

interface LogLine {
  level: string;
  msg?: string;
  [field: string]: unknown;
}

describe('access log', () => {
  let h: AuthApiHarness;
  beforeAll(async () => {
    h = await startAuthApi({ label: 'access-log' });
  });
  afterAll(() => h.close());

  const requestLines = () => h.logs.map((l) => JSON.parse(l) as LogLine).filter((l) => l.msg === 'request');

  it('writes one info line per request with method, route pattern, status, duration and request id', async () => {
    const user = await signUpAndIn(h);
    const before = requestLines().length;
    const res = await call(`${h.endpoint}/users/${user.userId}?secret=s3cr3tvalue&email=${encodeURIComponent(user.email)}`, {
      headers: h.headers({ 'x-appwrite-key': h.config.APP_API_KEY, 'x-request-id': 'trace-me.42' }),
    });
    expect(res.status).toBe(200);
    const lines = requestLines().slice(before);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      method: 'GET',
      route: '/v1/users/:userId',
      status: 200,
      reqId: 'trace-me.42',
      service: 'auth-api',
    });
    expect(typeof lines[0].ms).toBe('number');
    expect(res.headers.get('x-request-id')).toBe('trace-me.42');
  });

  it('never logs the raw URL: path ids and query values stay out of the access log', async () => {
    const user = await signUpAndIn(h);
    const before = h.logs.length;
    await call(`${h.endpoint}/users/${user.userId}/prefs?secret=s3cr3tvalue`, {
      headers: h.headers({ 'x-appwrite-key': h.config.APP_API_KEY }),
    });
    const text = h.logs
      .slice(before)
      .filter((l) => l.includes('"msg":"request"'))
      .join('\n');
    expect(text).toContain('/v1/users/:userId/prefs');
    expect(text).not.toContain(user.userId);
    expect(text).not.toContain('s3cr3tvalue');
  });

  it('logs refused and unmatched requests too, at info below 500', async () => {
    const before = requestLines().length;
    const denied = await admin(h, 'GET', '/users/nope-such-user');
    expect(denied.status).toBe(404);
    const unmatched = await call(`${h.endpoint}/no/such/route/abc123`, { headers: h.headers() });
    expect(unmatched.status).toBe(404);
    const lines = requestLines().slice(before);
    expect(lines.map((l) => [l.level, l.route, l.status])).toEqual([
      ['info', '/v1/users/:userId', 404],
      ['info', 'unmatched', 404],
    ]);
  });
});
