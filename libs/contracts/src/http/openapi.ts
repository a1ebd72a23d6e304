import { z } from 'zod';
import { httpModels } from './models';
import type { HttpOperation, OperationAccess } from './operations';

/** The request half of a route (`httpRequests` in routes.ts): path params, query and JSON body schemas. */
export interface OpenApiRequestSchemas {
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
}

export interface OpenApiOptions {
  /** `info.version`: the server version (APP_VERSION) */
  version?: string;
  /** the named models of `components.schemas` (default: every model of the contracts) */
  models?: Record<string, z.ZodType>;
}

type Json = Record<string, unknown>;

const ERROR_RESPONSE = { $ref: '#/components/responses/Error' };

/** Security requirements of an access class (alternatives; each one lists the headers it needs together). */
const SECURITY: Record<OperationAccess, Json[]> = {
  public: [{ Project: [] }],
  guest: [{ Project: [] }, { Project: [], Key: [] }],
  session: [
    { Project: [], Session: [] },
    { Project: [], SessionCookie: [] },
    { Project: [], JWT: [] },
  ],
  partial: [
    { Project: [], Session: [] },
    { Project: [], SessionCookie: [] },
    { Project: [], JWT: [] },
  ],
  fresh: [
    { Project: [], Session: [] },
    { Project: [], SessionCookie: [] },
    { Project: [], JWT: [] },
  ],
  stepUp: [
    { Project: [], Session: [] },
    { Project: [], SessionCookie: [] },
    { Project: [], JWT: [] },
  ],
  apiKey: [{ Project: [], Key: [] }],
};

const ACCESS_NOTE: Record<OperationAccess, string> = {
  public: 'Anyone (project header only).',
  guest: 'Sign-in: no session may be presented (401 `user_session_already_exists`); an API key may call it.',
  session: 'A session that satisfies MFA (else 401 `user_more_factors_required`).',
  partial: 'A session, even one still missing its second factor.',
  fresh: 'A session that satisfies MFA and completed a challenge recently (else 401 `user_challenge_required`).',
  stepUp: 'A session that satisfies MFA; while MFA is on, also a recent step-up challenge (401 `user_challenge_required`).',
  apiKey: 'The project API key (`X-Appwrite-Key`).',
};

const STATUS_TEXT: Record<number, string> = { 200: 'OK', 201: 'Created', 204: 'No Content' };

/** `/v1/account/sessions/:sessionId` → `/account/sessions/{sessionId}` (the server URL is `/v1`). */
export function openApiPath(routePath: string): string {
  return routePath.replace(/^\/v1(?=\/|$)/, '').replace(/:([A-Za-z0-9_]+)/g, '{$1}') || '/';
}

/** A schema without `$schema` and `$id` (a component is named by its place in the document). */
function withoutSchemaKey(schema: Json): Json {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

/**
 * A request or inline schema. A building block registered with an id (`.meta({ id })`) comes out as a
 * local `$defs` entry, whose `#/$defs/...` reference would not resolve inside the OpenAPI document: such
 * entries are inlined (a self-referencing one stays as `{}`, "any").
 */
function toSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $defs, ...rest } = withoutSchemaKey(z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json);
  if (!$defs) return rest;
  const defs = $defs as Record<string, Json>;
  const inline = (node: unknown, seen: string[]): unknown => {
    if (Array.isArray(node)) return node.map((n) => inline(n, seen));
    if (!node || typeof node !== 'object') return node;
    const ref = (node as Json).$ref;
    if (typeof ref === 'string' && ref.startsWith('#/$defs/')) {
      const name = ref.slice('#/$defs/'.length);
      const { $ref: _ref, ...siblings } = node as Json;
      if (seen.includes(name) || !defs[name]) return siblings;
      return { ...(inline(defs[name], [...seen, name]) as Json), ...siblings };
    }
    return Object.fromEntries(Object.entries(node as Json).map(([k, v]) => [k, inline(v, seen)]));
  };
  return inline(rest, []) as Json;
}

function parameters(routePath: string, request: OpenApiRequestSchemas | undefined): Json[] {
  const out: Json[] = [];
  const pathParams = [...routePath.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]);
  const paramSchema = request?.params ? toSchema(request.params, 'input') : undefined;
  const paramProps = (paramSchema?.properties ?? {}) as Record<string, Json>;
  for (const name of pathParams) {
    out.push({ name, in: 'path', required: true, schema: paramProps[name] ?? { type: 'string' } });
  }
  if (request?.query) {
    const query = toSchema(request.query, 'input');
    const required = new Set((query.required ?? []) as string[]);
    const props = (query.properties ?? {}) as Record<string, Json>;
    for (const name of Object.keys(props).sort()) {
      const { description, ...schema } = props[name];
      out.push({ name, in: 'query', required: required.has(name), ...(description ? { description } : {}), schema });
    }
  }
  return out;
}

/**
 * The OpenAPI 3.1 document of the routes in `operations`, with request parameters and bodies from
 * `requests` (routes.ts) where a route has an entry, and otherwise the path parameters its path names.
 * Response models become `components.schemas` (JSON Schema 2020-12, as OpenAPI 3.1 uses); every 4xx and
 * 5xx answer is Appwrite's error JSON. The output is deterministic: routes sorted by path then method, schemas by name.
 */
export function buildOpenApiDocument(
  operations: Record<string, HttpOperation>,
  requests: Partial<Record<string, OpenApiRequestSchemas>> = {},
  options: OpenApiOptions = {},
): Json {
  const models: Record<string, z.ZodType> = options.models ?? httpModels;
  const registry = z.registry<{ id: string }>();
  const modelNames = new Map<z.ZodType, string>();
  for (const name of Object.keys(models).sort()) {
    registry.add(models[name], { id: name });
    modelNames.set(models[name], name);
  }
  const converted = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io: 'output',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, Json> };
  const schemas: Record<string, Json> = {};
  for (const name of Object.keys(converted.schemas).sort()) schemas[name] = withoutSchemaKey(converted.schemas[name]);

  const bodyOf = (schema: z.ZodType): Json => {
    const name = modelNames.get(schema);
    return name ? { $ref: `#/components/schemas/${name}` } : toSchema(schema, 'output');
  };

  const paths: Record<string, Record<string, Json>> = {};
  const tags = new Set<string>();
  const METHOD_ORDER = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
  const byPathThenMethod = (a: string, b: string) => {
    const [ma, pa] = a.split(' ');
    const [mb, pb] = b.split(' ');
    return pa < pb ? -1 : pa > pb ? 1 : METHOD_ORDER.indexOf(ma) - METHOD_ORDER.indexOf(mb);
  };
  for (const key of Object.keys(operations).sort(byPathThenMethod)) {
    const [method, routePath] = key.split(' ');
    const operation = operations[key];
    const request = requests[key];
    tags.add(operation.tag);
    const responses: Json = {};
    for (const status of Object.keys(operation.responses).sort()) {
      const schema = operation.responses[Number(status)];
      const description = STATUS_TEXT[Number(status)] ?? 'Success';
      if (schema) responses[status] = { description, content: { 'application/json': { schema: bodyOf(schema) } } };
      else if (operation.content === 'image/png')
        responses[status] = { description, content: { 'image/png': { schema: { type: 'string', contentMediaType: 'image/png' } } } };
      else if (operation.content === 'text/html')
        responses[status] = { description, content: { 'text/html': { schema: { type: 'string' } } } };
      else responses[status] = { description };
    }
    responses['4XX'] = ERROR_RESPONSE;
    responses['5XX'] = ERROR_RESPONSE;
    const params = parameters(routePath, request);
    const entry: Json = {
      operationId: operation.operationId,
      tags: [operation.tag],
      summary: operation.summary,
      description: [operation.description, `Access: ${ACCESS_NOTE[operation.access]}`].filter(Boolean).join('\n\n'),
      ...(operation.deprecated ? { deprecated: true } : {}),
      security: SECURITY[operation.access],
      ...(params.length > 0 ? { parameters: params } : {}),
      ...(request?.body && method !== 'GET'
        ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(request.body, 'input') } } } }
        : {}),
      responses,
    };
    const path = openApiPath(routePath);
    paths[path] ??= {};
    paths[path][method.toLowerCase()] = entry;
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'twostep API',
      version: options.version ?? '0.0.0',
      summary: 'Appwrite-compatible account, sessions and multi-factor authentication API',
      description:
        "Wire-compatible with Appwrite's Account, Users and Avatars services: the Appwrite SDKs (`appwrite`, `node-appwrite`) work unmodified; operation ids are their method names. Every error is Appwrite's JSON `{message, code, type, version}`.",
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/v1' }],
    tags: [...tags].sort().map((name) => ({ name })),
    paths,
    components: {
      schemas,
      responses: {
        Error: {
          description: "Appwrite's error JSON",
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
      securitySchemes: {
        Project: { type: 'apiKey', in: 'header', name: 'X-Appwrite-Project', description: 'The project id (every request).' },
        Key: { type: 'apiKey', in: 'header', name: 'X-Appwrite-Key', description: 'The project API key (server side only).' },
        Session: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Appwrite-Session',
          description: 'The session credential (`setSession`); also accepted in `X-Fallback-Cookies`.',
        },
        SessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'a_session_<project>',
          description: 'The session cookie set at sign-in (`a_session_<projectId>`, or its `_legacy` twin).',
        },
        JWT: { type: 'apiKey', in: 'header', name: 'X-Appwrite-JWT', description: 'An account JWT (`createJWT`, `setJWT`).' },
      },
    },
  };
}
