import { Controller, Get, Module } from '@nestjs/common';
import type { FastifyInstance, HTTPMethods } from 'fastify';
import { httpRequests } from '@twostep/contracts';
import { admin, AuthApiHarness, startAuthApi } from '../../../test/harness';
import { enumerateRoutes } from '../../../test/routes';

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
