import { TestStack } from '@twostep/testing';
import { Api } from './support/http';

/**
 * Issue 10, holes 4 and 9, against the built services: hostile bodies are a 400 before anything walks
 * them, and with `TRUST_PROXY=1` (one proxy in front) a client cannot choose the address it is known by.
 * The test itself plays the one proxy: it connects from 127.0.0.1 and the right-most X-Forwarded-For entry
 * is the address "the proxy" appended; everything left of it is whatever the client wrote.
 */
describe('hardening of the public API (three processes, real Postgres and Redis)', () => {
  let stack: TestStack;
  let api: Api;

  beforeAll(async () => {
    stack = await TestStack.start({ label: 'hardening', serviceEnv: { 'auth-api': { TRUST_PROXY: '1' } } });
    api = new Api(stack);
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const rawPatch = (session: string, path: string, body: string) =>
    fetch(`${stack.endpoint}${path}`, {
      method: 'PATCH',
      headers: { 'x-appwrite-project': stack.projectId, 'x-appwrite-session': session, 'content-type': 'application/json' },
      body,
    });

  describe('request bodies: depth and size are limited before validation (hole 9)', () => {
    let session: string;
    beforeAll(async () => {
      const user = await api.createUser();
      ({ session } = await api.signIn(user.email, user.password));
    });

    it.each([
      ['a 6,000-deep object in prefs', `{"prefs":${'{"a":'.repeat(6000)}1${'}'.repeat(6000)}}`],
      ['a 10,000-deep array in prefs', `{"prefs":{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`],
      ['a body nested one level past the limit', `{"prefs":${'{"a":'.repeat(64)}1${'}'.repeat(64)}}`],
    ])('answers %s with 400 general_argument_invalid, never 5xx', async (_what, body) => {
      const res = await rawPatch(session, '/account/prefs', body);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 400, type: 'general_argument_invalid' });
      // the service is still there and the prefs untouched
      expect((await api.as(session, 'GET', '/account/prefs')).body).toEqual({});
    });

    it('still takes nesting within the limit, and brackets inside strings do not count', async () => {
      const deep = JSON.parse(`${'{"a":'.repeat(40)}"${'['.repeat(500)}"${'}'.repeat(40)}`) as Record<string, unknown>;
      const res = await api.as(session, 'PATCH', '/account/prefs', { prefs: deep });
      expect(res.status).toBe(200);
      expect((await api.as(session, 'GET', '/account/prefs')).body).toEqual(deep);
    });

    it('takes a wide object within the body limit, and answers a larger one 413, never 5xx', async () => {
      const wide = Object.fromEntries(Array.from({ length: 4000 }, (_, i) => [`k${i}`, i]));
      const res = await rawPatch(session, '/account/prefs', JSON.stringify({ prefs: wide }));
      expect(res.status).toBe(200);
      const wider = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i]));
      const tooLarge = await rawPatch(session, '/account/prefs', JSON.stringify({ prefs: wider }));
      expect(tooLarge.status).toBe(413);
    });
  });

  describe('TRUST_PROXY as a hop count (hole 4)', () => {
    it('records the address the trusted proxy saw, not the one the client wrote, on the session', async () => {
      const user = await api.createUser();
      const res = await api.call<{ ip: string }>('POST', '/account/sessions/email', {
        json: { email: user.email, password: user.password },
        headers: { 'x-forwarded-for': '203.0.113.66, 198.51.100.7' },
      });
      expect(res.status).toBe(201);
      expect(res.body.ip).toBe('198.51.100.7');
    });

    it('keys per-address limits on that address: a client varying its own X-Forwarded-For entries is still limited', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) {
        const res = await api.call('POST', '/account', {
          json: { userId: 'unique()', email: `spoof${i}-${Date.now()}@example.test`, password: 'spoofing password 1' },
          headers: { 'x-forwarded-for': `10.9.${i}.1, 198.51.100.8` },
        });
        statuses.push(res.status);
      }
      // sign-up allows 10 an hour per address (Appwrite's limit)
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(201));
      expect(statuses[10]).toBe(429);
    });

    it('decides Secure on cookies from configuration, not from X-Forwarded-Proto', async () => {
      const user = await api.createUser();
      const res = await api.call('POST', '/account/sessions/email', {
        json: { email: user.email, password: user.password },
        headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.9' },
      });
      expect(res.status).toBe(201);
      const cookies = res.headers.getSetCookie();
      expect(cookies.length).toBe(2);
      // APP_ENDPOINT is unset and NODE_ENV is test: no Secure, whatever the header says
      for (const c of cookies) expect(c).not.toMatch(/; secure/i);
    });
  });
});
