import { Controller, Get, Module, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import type { FastifyInstance, HTTPMethods } from 'fastify';
import { validate } from '@readme/openapi-parser';
import { buildOpenApiDocument, ErrorModel, httpOperations, httpRequests } from '@twostep/contracts';
import { AuthApiHarness, call, startAuthApi } from './harness';
import { Access, ACCESS_METADATA, AccessClass } from '../src/access/access.decorator';

interface ServedRoute {
  key: string;
  access: AccessClass | undefined;
}

/** Every route the application serves (`METHOD /v1/path/:param`), read from the controllers Nest registered and checked against Fastify's router. */
function servedRoutes(h: AuthApiHarness): ServedRoute[] {
  const fastify = h.app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  const routes: ServedRoute[] = [];
  for (const module of h.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!controller) continue;
      const prefixes = ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      const proto = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const fn = proto[name];
        if (name === 'constructor' || typeof fn !== 'function' || Reflect.getMetadata(PATH_METADATA, fn) === undefined) continue;
        const paths = ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, fn));
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, fn) as RequestMethod];
        const access = (Reflect.getMetadata(ACCESS_METADATA, fn) ?? Reflect.getMetadata(ACCESS_METADATA, controller)) as
          AccessClass | undefined;
        for (const prefix of prefixes) {
          for (const p of paths) {
            const path = `/${[prefix, p].filter((s) => s && s !== '/').join('/')}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
            if (!fastify.hasRoute({ method: method as HTTPMethods, url: path }))
              throw new Error(`${method} ${path} is not in Fastify's router`);
            routes.push({ key: `${method} ${path}`, access });
          }
        }
      }
    }
  }
  return routes;
}

/** Routes served but not documented, and documented but not served. */
function undocumented(routes: ServedRoute[]): { missing: string[]; absent: string[] } {
  const served = new Set(routes.map((r) => r.key));
  const documented = new Set(Object.keys(httpOperations));
  return { missing: [...served].filter((k) => !documented.has(k)).sort(), absent: [...documented].filter((k) => !served.has(k)).sort() };
}

@Controller('v1/forgotten')
class ForgottenController {
  @Get()
  @Access('public')
  forgotten() {
    return {};
  }
}

@Module({ controllers: [ForgottenController] })
class ForgottenModule {}

describe('GET /v1/openapi.json and the routes it documents', () => {
  let h: AuthApiHarness;
  let routes: ServedRoute[];

  beforeAll(async () => {
    h = await startAuthApi({ label: 'openapi' });
    routes = servedRoutes(h);
  }, 30_000);

  afterAll(async () => {
    await h?.close();
  });

  it('documents every route the router serves, and nothing it does not serve', () => {
    expect(routes.length).toBeGreaterThan(70);
    expect(undocumented(routes)).toEqual({ missing: [], absent: [] });
  });

  it('would catch a route added without documentation (and an operation whose route is gone)', async () => {
    const other = await startAuthApi({ label: 'openapi-bad', imports: [ForgottenModule] });
    try {
      const { missing } = undocumented(servedRoutes(other));
      expect(missing).toEqual(['GET /v1/forgotten']);
    } finally {
      await other.close();
    }
    const fewer = routes.filter((r) => r.key !== 'PUT /v1/account/mfa/challenge');
    expect(undocumented(fewer).absent).toEqual(['PUT /v1/account/mfa/challenge']);
  }, 30_000);

  it("documents each route's access class as the route declares it", () => {
    const mismatched = routes
      .filter((r) => httpOperations[r.key as keyof typeof httpOperations]?.access !== r.access)
      .map((r) => `${r.key}: ${r.access} vs ${httpOperations[r.key as keyof typeof httpOperations]?.access}`);
    expect(mismatched).toEqual([]);
  });

  it('serves the document as JSON, valid OpenAPI 3.1, with the project header or ?project=, no credential', async () => {
    const res = await call<Record<string, unknown>>(`${h.endpoint}/openapi.json`, { headers: h.headers() });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body).toEqual(
      JSON.parse(JSON.stringify(buildOpenApiDocument(httpOperations, httpRequests, { version: h.config.APP_VERSION }))),
    );
    expect(await validate(res.body as Parameters<typeof validate>[0])).toMatchObject({ valid: true });
    expect((await call(`${h.endpoint}/openapi.json?project=${h.config.APP_PROJECT_ID}`)).status).toBe(200);
    const noProject = await call<{ type: string }>(`${h.endpoint}/openapi.json`);
    expect({ status: noProject.status, type: noProject.body.type }).toEqual({ status: 404, type: 'project_not_found' });
  });

  it("answers the router's own errors (an over-long path segment) in the documented error JSON", async () => {
    const res = await call(`${h.endpoint}/account/mfa/challenges/${'x'.repeat(10_240)}`, { headers: h.headers() });
    expect(res.status).toBe(400);
    expect(ErrorModel.safeParse(res.body).success).toBe(true);
    expect(res.body).toMatchObject({ code: 400, type: 'general_bad_request' });
  });

  it('serves the reference page as HTML under a strict Content-Security-Policy', async () => {
    const res = await fetch(`${h.endpoint}/openapi?project=${h.config.APP_PROJECT_ID}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'(;|$)/);
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\//);
    expect(html).toContain('account.createMfaChallenge');
  });
});
