import { Controller, Get, Module } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { FastifyInstance, HTTPMethods } from 'fastify';
import type { z } from 'zod';
import { HttpRequestContract, httpRequests } from '@twostep/contracts';
import { admin, AuthApiHarness, startAuthApi } from './harness';
import { enumerateRoutes, RouteEntry } from './routes';
import { ZodPipe } from '../src/common/validation/zod-pipe';

type Part = 'params' | 'query' | 'body';
const PART_OF: Partial<Record<RouteParamtypes, Part>> = {
  [RouteParamtypes.PARAM]: 'params',
  [RouteParamtypes.QUERY]: 'query',
  [RouteParamtypes.BODY]: 'body',
};

/** The schemas a handler validates its path params, query and body with (read from its parameter decorators). */
function schemasOf(route: RouteEntry, h: AuthApiHarness): { schemas: Partial<Record<Part, z.ZodType>>; configured: Set<Part> } {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, route.controller, route.name) ?? {}) as Record<
    string,
    { pipes?: unknown[]; data?: unknown }
  >;
  const out: Partial<Record<Part, z.ZodType>> = {};
  const configured = new Set<Part>();
  for (const [key, arg] of Object.entries(args)) {
    const part = PART_OF[Number(key.split(':')[0]) as RouteParamtypes];
    if (!part) continue;
    if (arg.data !== undefined) throw new Error(`${route.handler} reads one ${part} field without its contract`);
    const pipe = arg.pipes?.[0];
    // a configured pipe is a class Nest builds with the app's configuration
    const instance = typeof pipe === 'function' ? new (pipe as new (config: unknown) => unknown)(h.config) : pipe;
    if (!(instance instanceof ZodPipe)) throw new Error(`${route.handler} reads its ${part} without a ZodPipe`);
    out[part] = instance.schema as z.ZodType;
    if (typeof pipe === 'function') configured.add(part);
  }
  return { schemas: out, configured };
}

/** The top-level fields of an object schema (what the pipe lets through). */
const fieldsOf = (schema: z.ZodType | undefined): string[] | undefined =>
  schema === undefined ? undefined : Object.keys((schema as unknown as { shape?: object }).shape ?? {}).sort();

@Controller('v1/uncontracted')
class UncontractedController {
  @Get(':thing')
  read() {
    return {};
  }
}

@Module({ controllers: [UncontractedController] })
class UncontractedModule {}

/** The differences between the routes the app serves and the request contracts of `httpRequests`. */
function mismatches(h: AuthApiHarness): { withoutContract: string[]; withoutRoute: string[] } {
  const fastify = h.app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  const served = enumerateRoutes(h.app).map((r) => `${r.method} ${r.path}`);
  for (const key of served) {
    const [method, url] = key.split(' ') as [HTTPMethods, string];
    // the enumeration is the real router: Fastify serves each of them
    if (!fastify.hasRoute({ method, url })) throw new Error(`enumerated ${key} is not served`);
  }
  const contracted = Object.keys(httpRequests);
  return {
    withoutContract: served.filter((k) => !contracted.includes(k)),
    withoutRoute: contracted.filter((k) => {
      const [method, url] = k.split(' ') as [HTTPMethods, string];
      return !fastify.hasRoute({ method, url });
    }),
  };
}

describe('HTTP request contracts (libs/contracts httpRequests)', () => {
  let h: AuthApiHarness;

  beforeAll(async () => {
    h = await startAuthApi({ label: 'contracts' });
  }, 30_000);

  afterAll(async () => {
    await h?.close();
  });

  it('has exactly one entry per route the router serves (every alias included), and no entry without a route', () => {
    expect(enumerateRoutes(h.app).length).toBeGreaterThan(60);
    expect(mismatches(h)).toEqual({ withoutContract: [], withoutRoute: [] });
  });

  it('would catch a route added without a contract', async () => {
    const other = await startAuthApi({ label: 'contracts-bad', imports: [UncontractedModule] });
    try {
      expect(mismatches(other)).toEqual({ withoutContract: ['GET /v1/uncontracted/:thing'], withoutRoute: [] });
    } finally {
      await other.close();
    }
  }, 30_000);

  it('declares a params schema with exactly the path parameters of its route', () => {
    for (const [key, contract] of Object.entries(httpRequests) as Array<[string, { params?: { shape: object } }]>) {
      const names = [...key.matchAll(/:(\w+)/g)].map((m) => m[1]).sort();
      expect({ key, params: Object.keys(contract.params?.shape ?? {}).sort() }).toEqual({ key, params: names });
    }
  });

  it('validates each route with the schemas of its contract (the map describes what the handlers apply)', () => {
    for (const route of enumerateRoutes(h.app)) {
      const key = `${route.method} ${route.path}`;
      const contract = (httpRequests as Record<string, HttpRequestContract>)[key];
      const { schemas, configured } = schemasOf(route, h);
      for (const part of ['params', 'query', 'body'] as const) {
        expect({ key, part, fields: fieldsOf(schemas[part]) }).toEqual({ key, part, fields: fieldsOf(contract[part]) });
        // the very schema of the map, except where the app builds it from its configuration
        if (!configured.has(part)) expect({ key, part, same: schemas[part] === contract[part] }).toEqual({ key, part, same: true });
      }
    }
  });

  it('filters GET /v1/users by `search` (the query object Fastify builds is read)', async () => {
    const tag = `s${Date.now().toString(36)}`;
    for (const name of ['one', 'two']) {
      expect((await admin(h, 'POST', '/users', { userId: 'unique()', email: `${tag}-${name}@example.test`, name })).status).toBe(201);
    }
    expect((await admin(h, 'POST', '/users', { userId: 'unique()', email: `other-${tag.slice(1)}@example.test` })).status).toBe(201);
    const found = await admin<{ total: number; users: Array<{ email: string }> }>(h, 'GET', `/users?search=${tag}`);
    expect(found.status).toBe(200);
    expect(found.body.users.map((u) => u.email).sort()).toEqual([`${tag}-one@example.test`, `${tag}-two@example.test`]);
    expect(found.body.total).toBe(2);
    const all = await admin<{ total: number }>(h, 'GET', '/users?search=');
    expect(all.body.total).toBe(3);
    const limited = await admin<{ users: unknown[] }>(
      h,
      'GET',
      `/users?search=${tag}&queries[0]=${encodeURIComponent('{"method":"limit","values":[1]}')}`,
    );
    expect(limited.body.users).toHaveLength(1);
  });
});
