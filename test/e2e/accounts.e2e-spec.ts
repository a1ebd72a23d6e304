import { AppwriteException, ID } from 'appwrite';
import { Client as ServerClient, ID as ServerID, Users } from 'node-appwrite';
import { TestStack } from '@twostep/testing';
import { removeWindow, WebApp } from './support/web-sdk';

const ORIGIN = 'https://app.example.test';

/**
 * Sign-up, sign-in, profile and logout through the official web SDK (`appwrite` 27) in Node, which
 * keeps its session only through X-Fallback-Cookies (appwrite-api.md 6.4), against the built services.
 */
describe('accounts through the web SDK (three processes, real Postgres and Redis)', () => {
  let stack: TestStack;
  const secrets: string[] = [];

  beforeAll(async () => {
    stack = await TestStack.start({ label: 'accounts', env: { CORS_ORIGINS: ORIGIN } });
  }, 90_000);

  afterAll(async () => {
    removeWindow();
    await stack?.stop();
  });

  /** Seeds a user with the API key (node-appwrite), so sign-up rate limits only count the sign-up tests. */
  const seedUser = async (email: string, password: string) => {
    const users = new Users(new ServerClient().setEndpoint(stack.endpoint).setProject(stack.projectId).setKey(stack.apiKey));
    return users.create({ userId: ServerID.unique(), email, password });
  };

  const raw = (path: string, init: RequestInit & { json?: unknown } = {}) => {
    const { json, headers, ...rest } = init;
    return fetch(`${stack.endpoint}${path}`, {
      ...rest,
      headers: {
        'x-appwrite-project': stack.projectId,
        ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(headers as Record<string, string>),
      },
      ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
    });
  };

  it('signs up, signs in, reads and updates the account, and logs out, with the session kept in X-Fallback-Cookies', async () => {
    const app = new WebApp(stack.endpoint, stack.projectId);
    const email = `web-${Date.now()}@example.test`;
    const password = 'web sdk password 1';
    secrets.push(password);

    const created = await app.run((a) => a.create({ userId: ID.unique(), email, password, name: 'Web User' }));
    expect(created).toMatchObject({ email, name: 'Web User', emailVerification: false, mfa: false, prefs: {} });
    expect(app.cookieFallback).toBeUndefined();

    const session = await app.run((a) => a.createEmailPasswordSession({ email, password }));
    expect(session).toMatchObject({ userId: created.$id, factors: ['password'], current: true, secret: '', provider: 'email' });
    expect(session.$createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/);
    const stored = JSON.parse(app.cookieFallback!) as Record<string, string>;
    expect(Object.keys(stored)).toEqual([`a_session_${stack.projectId}`]);
    secrets.push(stored[`a_session_${stack.projectId}`]);

    expect((await app.run((a) => a.get())).$id).toBe(created.$id);
    expect((await app.run((a) => a.updateName({ name: 'Renamed' }))).name).toBe('Renamed');
    expect((await app.run((a) => a.updatePrefs({ prefs: { theme: 'dark' } }))).prefs).toEqual({ theme: 'dark' });
    expect(await app.run((a) => a.getPrefs())).toEqual({ theme: 'dark' });

    const sessions = await app.run((a) => a.listSessions());
    expect(sessions.total).toBe(1);
    expect(sessions.sessions[0]).toMatchObject({ $id: session.$id, current: true, countryCode: '--', countryName: 'Unknown' });

    await app.run((a) => a.deleteSession({ sessionId: 'current' }));
    expect(app.cookieFallback).toBe('[]');
    const after = await app.run((a) => a.get()).catch((e: unknown) => e);
    expect(after).toBeInstanceOf(AppwriteException);
    expect(after).toMatchObject({ code: 401, type: 'general_unauthorized_scope' });
  });

  it('changes the password with the old one; the old password stops working', async () => {
    const app = new WebApp(stack.endpoint, stack.projectId);
    const email = `pw-${Date.now()}@example.test`;
    secrets.push('first password 1', 'second password 2');
    await app.run((a) => a.create({ userId: ID.unique(), email, password: 'first password 1' }));
    await app.run((a) => a.createEmailPasswordSession({ email, password: 'first password 1' }));
    await expect(
      app.run((a) => a.updatePassword({ password: 'second password 2', oldPassword: 'wrong password 3' })),
    ).rejects.toMatchObject({ code: 401, type: 'user_invalid_credentials' });
    await app.run((a) => a.updatePassword({ password: 'second password 2', oldPassword: 'first password 1' }));
    await app.run((a) => a.deleteSessions());

    const fresh = new WebApp(stack.endpoint, stack.projectId);
    await expect(fresh.run((a) => a.createEmailPasswordSession({ email, password: 'first password 1' }))).rejects.toMatchObject({
      code: 401,
      type: 'user_invalid_credentials',
    });
    expect((await fresh.run((a) => a.createEmailPasswordSession({ email, password: 'second password 2' }))).factors).toEqual(['password']);
  });

  it('answers 409 user_already_exists and 400 errors that name the parameter, through the SDK', async () => {
    const app = new WebApp(stack.endpoint, stack.projectId);
    const email = `dup-${Date.now()}@example.test`;
    await app.run((a) => a.create({ userId: ID.unique(), email, password: 'dup password 1' }));
    await expect(app.run((a) => a.create({ userId: ID.unique(), email, password: 'dup password 1' }))).rejects.toMatchObject({
      code: 409,
      type: 'user_already_exists',
    });
    await expect(
      app.run((a) => a.create({ userId: ID.unique(), email: 'not-an-email', password: 'dup password 1' })),
    ).rejects.toMatchObject({
      code: 400,
      type: 'general_argument_invalid',
      message: 'Invalid `email` param: Value must be a valid email address',
    });
    await expect(app.run((a) => a.createEmailPasswordSession({ email, password: 'short' }))).rejects.toMatchObject({
      code: 400,
      message: 'Invalid `password` param: Password must be between 8 and 256 characters long.',
    });
  });

  it('sets both session cookies HttpOnly, SameSite=None on the main one, host-only, not Secure over http', async () => {
    const email = `cookie-${Date.now()}@example.test`;
    await seedUser(email, 'cookie password 1');
    const res = await raw('/account/sessions/email', { method: 'POST', json: { email, password: 'cookie password 1' } });
    expect(res.status).toBe(201);
    const cookies = res.headers.getSetCookie();
    const main = cookies.find((c) => c.startsWith(`a_session_${stack.projectId}=`))!;
    const legacy = cookies.find((c) => c.startsWith(`a_session_${stack.projectId}_legacy=`))!;
    for (const c of [main, legacy]) {
      expect(c).toMatch(/; httponly/i);
      expect(c).toMatch(/; path=\//i);
      expect(c).toMatch(/; expires=/i);
      expect(c).not.toMatch(/; domain=/i);
      expect(c).not.toMatch(/; secure/i);
    }
    expect(main).toMatch(/; samesite=None/i);
    expect(legacy).not.toMatch(/samesite/i);
    const value = main.split(';')[0].split('=').slice(1).join('=');
    secrets.push(value);
    // the cookie alone authenticates (as a browser would send it)
    const me = await raw('/account', { headers: { cookie: `a_session_${stack.projectId}=${value}` } });
    expect(me.status).toBe(200);
    // logout expires both cookies
    const out = await raw('/account/sessions/current', {
      method: 'DELETE',
      json: {},
      headers: { cookie: `a_session_${stack.projectId}=${value}`, origin: ORIGIN },
    });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().every((c) => /expires=Thu, 01 Jan 1970/.test(c))).toBe(true);
  });

  it('sends X-Fallback-Cookies without an Origin or with a foreign one, not to a same-site page; [] on logout', async () => {
    const email = `fallback-${Date.now()}@example.test`;
    await seedUser(email, 'fallback password');
    const signIn = (origin?: string) =>
      raw('/account/sessions/email', { method: 'POST', json: { email, password: 'fallback password' }, headers: origin ? { origin } : {} });
    const noOrigin = await signIn();
    expect(JSON.parse(noOrigin.headers.get('x-fallback-cookies')!)).toEqual({ [`a_session_${stack.projectId}`]: expect.any(String) });
    const foreign = await signIn(ORIGIN);
    expect(foreign.headers.get('x-fallback-cookies')).not.toBeNull();
    // a page served from the API's own site (127.0.0.1) gets cookies only
    const sameSite = await signIn('http://127.0.0.1:5173');
    expect(sameSite.status).toBe(201);
    expect(sameSite.headers.get('x-fallback-cookies')).toBeNull();
    const value = JSON.parse(noOrigin.headers.get('x-fallback-cookies')!)[`a_session_${stack.projectId}`] as string;
    secrets.push(value);
    const out = await raw('/account/sessions/current', {
      method: 'DELETE',
      json: {},
      headers: { 'x-fallback-cookies': JSON.stringify({ [`a_session_${stack.projectId}`]: value }) },
    });
    expect(out.status).toBe(204);
    expect(out.headers.get('x-fallback-cookies')).toBe('[]');
  });

  it('answers CORS preflights for the configured origin with credentials and the SDK headers, and no one else', async () => {
    const preflight = await fetch(`${stack.endpoint}/account`, {
      method: 'OPTIONS',
      headers: {
        origin: ORIGIN,
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'content-type,x-appwrite-project,x-fallback-cookies,x-sdk-version',
      },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    const allowed = preflight.headers.get('access-control-allow-headers')!.toLowerCase();
    for (const h of ['x-appwrite-project', 'x-fallback-cookies', 'x-appwrite-session', 'x-sdk-version', 'content-type'])
      expect(allowed).toContain(h);
    const simple = await raw('/account', { headers: { origin: ORIGIN } });
    expect(simple.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(simple.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('x-fallback-cookies');
    const evil = await fetch(`${stack.endpoint}/account`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.test', 'access-control-request-method': 'GET' },
    });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('keeps the error shape of the contract: JSON {message, code, type, version} with the right status', async () => {
    const shape = { message: expect.any(String), code: expect.any(Number), type: expect.any(String), version: expect.any(String) };
    const check = async (res: Response, status: number, type: string) => {
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/json');
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toEqual(shape);
      expect(body).toMatchObject({ code: status, type });
      expect(Object.keys(body).sort()).toEqual(['code', 'message', 'type', 'version']);
    };
    await check(await fetch(`${stack.endpoint}/account`), 404, 'project_not_found');
    await check(await raw('/account', { headers: { 'x-appwrite-project': 'someone-else' } }), 404, 'project_not_found');
    await check(await raw('/account'), 401, 'general_unauthorized_scope');
    await check(await raw('/nowhere'), 404, 'general_route_not_found');
    await check(
      await raw('/account', { method: 'POST', json: { email: 'x@example.test', password: 'password 12' } }),
      400,
      'general_argument_invalid',
    );
    const missing = await raw('/account', { method: 'POST', json: { email: 'x@example.test', password: 'password 12' } });
    expect(((await missing.json()) as { message: string }).message).toBe('Param "userId" is not optional.');
    // oversized, non-JSON and malformed bodies: clean 413, 415 and 400
    await check(
      await raw('/account', {
        method: 'POST',
        body: JSON.stringify({ name: 'x'.repeat(200_000) }),
        headers: { 'content-type': 'application/json' },
      }),
      413,
      'general_payload_too_large',
    );
    await check(
      await raw('/account', { method: 'POST', body: 'userId=a', headers: { 'content-type': 'text/plain' } }),
      415,
      'general_unsupported_media_type',
    );
    await check(
      await raw('/account', { method: 'POST', body: '{"userId": ', headers: { 'content-type': 'application/json' } }),
      400,
      'general_bad_request',
    );
    await check(
      await raw('/account', { method: 'POST', body: '{"__proto__": {"admin": true}}', headers: { 'content-type': 'application/json' } }),
      400,
      'general_bad_request',
    );
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const nested = await raw('/account', { method: 'POST', body: deep, headers: { 'content-type': 'application/json' } });
    expect(nested.status).toBeLessThan(500);
  });

  it('answers 204 without a Content-Type (the SDKs choke on an empty JSON body)', async () => {
    const app = new WebApp(stack.endpoint, stack.projectId);
    const email = `nocontent-${Date.now()}@example.test`;
    await seedUser(email, 'nocontent password');
    await app.run((a) => a.createEmailPasswordSession({ email, password: 'nocontent password' }));
    const credential = (JSON.parse(app.cookieFallback!) as Record<string, string>)[`a_session_${stack.projectId}`];
    const res = await raw('/account/sessions/current', { method: 'DELETE', json: {}, headers: { 'x-appwrite-session': credential } });
    expect(res.status).toBe(204);
    expect(res.headers.get('content-type')).toBeNull();
    expect(await res.text()).toBe('');
  });

  it('never writes a password, session secret or email address to the service logs (LOG_LEVEL=debug)', async () => {
    const logs = stack.allLogs();
    expect(logs.length).toBeGreaterThan(0);
    for (const s of secrets) {
      expect(logs).not.toContain(s);
      if (s.length > 64) expect(logs).not.toContain(Buffer.from(s, 'base64').toString('utf8').slice(-64));
    }
    expect(logs).not.toMatch(/[A-Za-z0-9._%+-]+@example\.test/);
  });
});
