import { validate } from '@readme/openapi-parser';
import Ajv2020 from 'ajv/dist/2020';
import { z } from 'zod';
import { httpOperations } from './operations';
import { httpRequests } from './routes';
import { buildOpenApiDocument } from './openapi';

/** The OpenAPI 3.x validator of `@readme/openapi-parser` (the OpenAPI schema, then every `$ref`). */
async function validateOpenApi(document: unknown): Promise<{ valid: boolean; specification?: string | null; errors?: unknown }> {
  const result = await validate(JSON.parse(JSON.stringify(document)) as Parameters<typeof validate>[0]);
  return { valid: result.valid, specification: result.specification, ...(result.valid ? {} : { errors: result.errors }) };
}

type Doc = {
  paths: Record<
    string,
    Record<
      string,
      {
        operationId: string;
        parameters?: { name: string; in: string; schema: unknown }[];
        requestBody?: unknown;
        responses: Record<string, unknown>;
      }
    >
  >;
  components: { schemas: Record<string, unknown> };
};

describe('the OpenAPI 3.1 document', () => {
  const document = buildOpenApiDocument(httpOperations, httpRequests, { version: '1.9.6' });

  it('validates as OpenAPI 3.1 with a validator library', async () => {
    expect((document as { openapi: string }).openapi).toBe('3.1.0');
    expect(await validateOpenApi(document)).toEqual({ valid: true, specification: 'OpenAPI' });
  });

  it('is refused by the same validator when it is broken (the check can fail)', async () => {
    const { info: _info, ...withoutInfo } = document;
    expect((await validateOpenApi(withoutInfo)).valid).toBe(false);
    const badParam = JSON.parse(JSON.stringify(document)) as Doc;
    badParam.paths['/account/sessions/{sessionId}'].get.parameters![0].in = 'body';
    expect((await validateOpenApi(badParam)).valid).toBe(false);
    const danglingRef = JSON.parse(
      JSON.stringify(document).replace('#/components/schemas/MfaChallenge"', '#/components/schemas/Nope"'),
    ) as Doc;
    expect((await validateOpenApi(danglingRef)).valid).toBe(false);
  });

  it('lists every route once, with a unique operation id', () => {
    const doc = document as unknown as Doc;
    const listed = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} /v1${path}`));
    const expected = Object.keys(httpOperations).map((k) => k.replace(/:([A-Za-z0-9_]+)/g, '{$1}'));
    expect(listed.sort()).toEqual(expected.sort());
    const ids = Object.values(doc.paths).flatMap((methods) => Object.values(methods).map((o) => o.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(
      expect.arrayContaining(['account.createMfaChallenge', 'account.updateMfaChallenge', 'users.deleteMfaAuthenticator']),
    );
  });

  it('has only valid JSON Schema 2020-12 models, every $ref resolving', () => {
    const ajv = new Ajv2020({ strict: false });
    const doc = document as unknown as Doc;
    ajv.addSchema({ $id: 'doc', components: doc.components } as object);
    for (const name of Object.keys(doc.components.schemas)) {
      expect(() => ajv.compile({ $ref: `doc#/components/schemas/${name}` })).not.toThrow();
    }
    const refs = JSON.stringify(document).match(/"\$ref":"#\/components\/schemas\/[^"]+"/g) ?? [];
    for (const ref of refs) expect(doc.components.schemas).toHaveProperty(ref.split('/').pop()!.replace('"', ''));
  });

  it('is the same text every time (deterministic)', () => {
    expect(JSON.stringify(buildOpenApiDocument(httpOperations, httpRequests, { version: '1.9.6' }))).toBe(JSON.stringify(document));
  });

  it('documents the path parameters of a route without a request entry, and takes them from one when given', async () => {
    const doc = buildOpenApiDocument(httpOperations, {}, { version: '1.9.6' }) as unknown as Doc;
    // the served document takes the parameters from the route's request contract (Appwrite's UID rule)
    expect((document as unknown as Doc).paths['/users/{userId}/sessions/{sessionId}'].delete.parameters![0]).toMatchObject({
      name: 'userId',
      schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,35}$' },
    });
    expect(doc.paths['/users/{userId}/sessions/{sessionId}'].delete.parameters).toEqual([
      { name: 'userId', in: 'path', required: true, schema: { type: 'string' } },
      { name: 'sessionId', in: 'path', required: true, schema: { type: 'string' } },
    ]);
    const withRequests = buildOpenApiDocument(httpOperations, {
      'DELETE /v1/users/:userId/sessions/:sessionId': {
        params: z.object({ userId: z.string().max(36), sessionId: z.string().max(36) }),
      },
      'GET /v1/users': { query: z.object({ search: z.string().max(256).optional().meta({ description: 'Search term.' }) }) },
      'PUT /v1/account/mfa/challenges': { body: z.object({ challengeId: z.string(), otp: z.string().regex(/^\d{6}$/) }) },
    }) as unknown as Doc;
    expect(withRequests.paths['/users/{userId}/sessions/{sessionId}'].delete.parameters![0]).toEqual({
      name: 'userId',
      in: 'path',
      required: true,
      schema: { type: 'string', maxLength: 36 },
    });
    expect(withRequests.paths['/users'].get.parameters).toEqual([
      { name: 'search', in: 'query', required: false, description: 'Search term.', schema: { type: 'string', maxLength: 256 } },
    ]);
    expect(withRequests.paths['/account/mfa/challenges'].put.requestBody).toMatchObject({
      content: { 'application/json': { schema: { type: 'object', required: ['challengeId', 'otp'] } } },
    });
    expect(await validateOpenApi(withRequests)).toEqual({ valid: true, specification: 'OpenAPI' });
  });

  it('inlines request building blocks registered with an id, so no reference dangles', async () => {
    const code = z
      .string()
      .regex(/^\d{6}$/)
      .meta({ id: 'SixDigitCode', description: 'A code.' });
    const doc = buildOpenApiDocument(httpOperations, {
      'PUT /v1/account/mfa/challenges': { body: z.object({ challengeId: z.string(), otp: code, again: code.optional() }) },
    });
    const text = JSON.stringify(doc);
    expect(text).not.toContain('$defs');
    expect((doc as unknown as Doc).paths['/account/mfa/challenges'].put.requestBody).toMatchObject({
      content: { 'application/json': { schema: { properties: { otp: { type: 'string', pattern: '^\\d{6}$', description: 'A code.' } } } } },
    });
    expect(await validateOpenApi(doc)).toEqual({ valid: true, specification: 'OpenAPI' });
  });

  it('documents every error as Appwrite error JSON and 204 answers without a body', () => {
    const doc = document as unknown as Doc;
    const del = doc.paths['/account/sessions/{sessionId}'].delete.responses;
    expect(del['204']).toEqual({ description: 'No Content' });
    expect(del['4XX']).toEqual({ $ref: '#/components/responses/Error' });
    expect(doc.components.schemas.Error).toMatchObject({ required: ['message', 'code', 'type', 'version'], additionalProperties: false });
  });
});
