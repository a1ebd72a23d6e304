import { Controller, Get, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, HTTPMethods } from 'fastify';
import { admin, AuthApiHarness, call, signUpAndIn, startAuthApi } from './harness';
import { enumerateRoutes, RouteEntry } from './routes';
import { ACCESS_CLASSES, ACCESS_METADATA, AccessClass } from '../src/access/access.decorator';

interface ClassifiedRoute extends RouteEntry {
  access: AccessClass | undefined;
}

/** Every route of the application ({@link enumerateRoutes}) with its access class (the handler's, else the controller's). */
function classifiedRoutes(app: NestFastifyApplication): ClassifiedRoute[] {
  return enumerateRoutes(app).map((r) => {
    const fn = (r.controller.prototype as Record<string, unknown>)[r.name] as object;
    const access = (Reflect.getMetadata(ACCESS_METADATA, fn) ?? Reflect.getMetadata(ACCESS_METADATA, r.controller)) as
      AccessClass | undefined;
    return { ...r, access };
  });
}

@Controller('v1/forgotten')
class ForgottenController {
  @Get()
  forgotten() {
    return {};
  }
}

@Module({ controllers: [ForgottenController] })
class ForgottenModule {}

function unclassifiedIn(routes: ClassifiedRoute[]): string[] {
  return routes.filter((r) => !r.access || !ACCESS_CLASSES.includes(r.access)).map((r) => `${r.method} ${r.path} (${r.handler})`);
}

describe('route classification', () => {
  let h: AuthApiHarness;
  let routes: ClassifiedRoute[];

  beforeAll(async () => {
    h = await startAuthApi({ label: 'routes' });
    routes = classifiedRoutes(h.app);
  }, 30_000);

  afterAll(async () => {
    await h?.close();
  });

  it('finds the routes Fastify actually serves (the enumeration is the real router)', () => {
    const fastify = h.app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
    expect(routes.length).toBeGreaterThan(30);
    for (const r of routes) {
      expect(fastify.hasRoute({ method: r.method as HTTPMethods, url: r.path })).toBe(true);
    }
  });

  it('gives every route exactly one known access class (MFA routes included when they are added)', () => {
    expect(unclassifiedIn(routes)).toEqual([]);
  });

  it('would catch a route added without an access class', async () => {
    const other = await startAuthApi({ label: 'routes-bad', imports: [ForgottenModule] });
    try {
      expect(unclassifiedIn(classifiedRoutes(other.app))).toEqual(['GET /v1/forgotten (ForgottenController.forgotten)']);
    } finally {
      await other.close();
    }
  }, 30_000);

  it('serves nothing outside /v1 on the public port (health and metrics are on the management port)', () => {
    expect(routes.filter((r) => !r.path.startsWith('/v1/')).map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  it('classifies the account and session routes as the contract says', () => {
    const accessOf = (method: string, path: string) => routes.find((r) => r.method === method && r.path === path)?.access;
    expect(accessOf('DELETE', '/v1/account/sessions/:sessionId')).toBe('partial');
    expect(accessOf('DELETE', '/v1/account/sessions')).toBe('session');
    expect(accessOf('GET', '/v1/account')).toBe('session');
    expect(accessOf('POST', '/v1/account')).toBe('public');
    expect(accessOf('POST', '/v1/account/sessions/email')).toBe('guest');
    expect(accessOf('POST', '/v1/account/sessions')).toBe('guest');
    expect(accessOf('PUT', '/v1/account/verifications/email')).toBe('public');
    expect(accessOf('PUT', '/v1/account/verification/phone')).toBe('public');
    expect(accessOf('PATCH', '/v1/account/password')).toBe('session');
    // changes to the factors or to the addresses they deliver to: a step-up while MFA is on (issue 10, hole 1)
    for (const route of [
      'POST /v1/account/mfa/authenticators/:type',
      'PUT /v1/account/mfa/authenticators/:type',
      'POST /v1/account/mfa/recovery-codes',
      'PATCH /v1/account/email',
      'PATCH /v1/account/phone',
    ]) {
      expect({ route, access: accessOf(...(route.split(' ') as [string, string])) }).toEqual({ route, access: 'stepUp' });
    }
    for (const route of [
      'DELETE /v1/account/mfa/authenticators/:type',
      'GET /v1/account/mfa/recovery-codes',
      'PATCH /v1/account/mfa/recovery-codes',
    ]) {
      expect({ route, access: accessOf(...(route.split(' ') as [string, string])) }).toEqual({ route, access: 'fresh' });
    }
    expect(accessOf('POST', '/v1/users')).toBe('apiKey');
    expect(accessOf('PATCH', '/v1/users/:userId/mfa')).toBe('apiKey');
    // sign-in tokens are sign-in routes (no session allowed); recovery is open to anyone
    for (const path of [
      '/v1/account/sessions/anonymous',
      '/v1/account/tokens/email',
      '/v1/account/tokens/magic-url',
      '/v1/account/tokens/phone',
      '/v1/account/sessions/token',
    ]) {
      expect({ path, access: accessOf('POST', path) }).toEqual({ path, access: 'guest' });
    }
    expect(accessOf('PUT', '/v1/account/sessions/magic-url')).toBe('guest');
    expect(accessOf('PUT', '/v1/account/sessions/phone')).toBe('guest');
    expect(accessOf('POST', '/v1/account/recovery')).toBe('public');
    expect(accessOf('PUT', '/v1/account/recovery')).toBe('public');
    // a JWT only for a full session
    expect(accessOf('POST', '/v1/account/jwts')).toBe('session');
    expect(accessOf('GET', '/v1/account/logs')).toBe('session');
    expect(accessOf('GET', '/v1/users/:userId/logs')).toBe('apiKey');
    expect(accessOf('GET', '/v1/avatars/qr')).toBe('public');
    expect(accessOf('DELETE', '/v1/users/:userId/mfa/lockouts')).toBe('apiKey');
    // only the contract's four `mfa`-group routes (with the challenge aliases) may be partial, plus
    // reading a challenge's delivery state (beyond Appwrite: lets a pending sign-in see "the SMS failed")
    const partial = routes.filter((r) => r.access === 'partial').map((r) => `${r.method} ${r.path}`);
    const allowed = [
      'DELETE /v1/account/sessions/:sessionId',
      'GET /v1/account/mfa/factors',
      'POST /v1/account/mfa/challenges',
      'PUT /v1/account/mfa/challenges',
      'POST /v1/account/mfa/challenge',
      'PUT /v1/account/mfa/challenge',
      'GET /v1/account/mfa/challenges/:challengeId',
    ];
    for (const p of partial) expect(allowed).toContain(p);
  });

  it('refuses every session and fresh route without a session, and with a one-factor session of an MFA user (checklist item 23)', async () => {
    const u = await signUpAndIn(h);
    // MFA on with a verified email: the session signed in before is now one factor short
    expect((await admin(h, 'PATCH', `/users/${u.userId}/verification`, { emailVerification: true })).status).toBe(200);
    expect((await admin(h, 'PATCH', `/users/${u.userId}/mfa`, { mfa: true })).status).toBe(200);
    const concrete = (path: string) =>
      path.replace(':sessionId', 'current').replace(':type', 'totp').replace(':challengeId', 'abc123').replace(':userId', u.userId);
    const send = (r: ClassifiedRoute, headers: Record<string, string>) =>
      call<{ type?: string }>(`${h.baseUrl}${concrete(r.path)}`, {
        method: r.method,
        headers: h.headers(headers),
        ...(r.method === 'GET' ? {} : { json: {} }),
      });

    const guarded = routes.filter((r) => r.access === 'session' || r.access === 'fresh' || r.access === 'stepUp');
    expect(guarded.length).toBeGreaterThan(15);
    for (const r of guarded) {
      const anonymous = await send(r, {});
      expect({ route: `${r.method} ${r.path}`, status: anonymous.status, type: anonymous.body?.type }).toEqual({
        route: `${r.method} ${r.path}`,
        status: 401,
        type: 'general_unauthorized_scope',
      });
      const partial = await send(r, { 'x-appwrite-session': u.credential });
      expect({ route: `${r.method} ${r.path}`, status: partial.status, type: partial.body?.type }).toEqual({
        route: `${r.method} ${r.path}`,
        status: 401,
        type: 'user_more_factors_required',
      });
    }
    // the routes that finish sign-in stay reachable with one factor (logging out last)
    const partialRoutes = routes.filter((r) => r.access === 'partial').sort((a) => (a.method === 'DELETE' ? 1 : -1));
    expect(partialRoutes.length).toBeGreaterThanOrEqual(4);
    for (const r of partialRoutes) {
      const res = await send(r, { 'x-appwrite-session': u.credential });
      expect({ route: `${r.method} ${r.path}`, type: res.body?.type }).not.toEqual({
        route: `${r.method} ${r.path}`,
        type: 'user_more_factors_required',
      });
      expect(res.status).not.toBe(500);
    }
  }, 60_000);
});
