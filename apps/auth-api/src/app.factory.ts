import 'reflect-metadata';
import { randomFillSync } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Redis from 'ioredis';
import { Histogram, Registry } from 'prom-client';
import { AppError } from '@twostep/contracts';
import { reportRedisSafety } from '@twostep/messaging';
import { HealthServer, isRequestId, JsonLogger, requestContext, ServiceApp } from '@twostep/observability';
import { METRICS, REDIS } from '@twostep/platform';
import { AppModule, AppModuleOptions } from './app.module';
import { errorBody } from './common/appwrite-exception.filter';
import { AuthApiConfig } from './config/auth-api.config';
import { ReadinessChecks } from './health/readiness-checks';

/** Request headers the SDKs send (appwrite-api.md 1.1, 1.4), allowed in CORS preflights. */
const CORS_ALLOWED_HEADERS = [
  'Accept',
  'Cache-Control',
  'Content-Type',
  'Content-Range',
  'Cookie',
  'Origin',
  'Range',
  'X-Requested-With',
  'X-Appwrite-Project',
  'X-Appwrite-Session',
  'X-Appwrite-JWT',
  'X-Appwrite-Locale',
  'X-Appwrite-Mode',
  'X-Appwrite-Response-Format',
  'X-Appwrite-Timeout',
  'X-Appwrite-ID',
  'X-Appwrite-Dev-Key',
  'X-Fallback-Cookies',
  'X-Forwarded-User-Agent',
  'X-Request-Id',
  'X-SDK-Name',
  'X-SDK-Platform',
  'X-SDK-Language',
  'X-SDK-Version',
  'X-SDK-GraphQL',
];
/** Response headers browser code may read: the fallback credential and the rate-limit state. */
const CORS_EXPOSED_HEADERS = [
  'X-Appwrite-Session',
  'X-Fallback-Cookies',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
  'Retry-After',
  'X-Request-Id',
];

/** Random bytes for request ids, refilled from node:crypto once every 512 ids. */
const requestIdPool = Buffer.alloc(4096);
let requestIdOffset = requestIdPool.length;

/**
 * A request id shaped like `uniqueId()` (8 hex digits of seconds, 5 of microseconds, 7 random; time-ordered),
 * drawn from a pooled node:crypto buffer: `uniqueId()` makes two synchronous crypto calls, a measurable
 * share of a `GET /v1/account` request. Request ids correlate log lines; they guard nothing.
 */
export function newRequestId(now: number = Date.now()): string {
  if (requestIdOffset + 8 > requestIdPool.length) {
    randomFillSync(requestIdPool);
    requestIdOffset = 0;
  }
  const micros = (now % 1000) * 1000 + (requestIdPool.readUInt16BE(requestIdOffset) % 1000);
  const random = requestIdPool.readUInt32BE(requestIdOffset + 2) >>> 4;
  requestIdOffset += 8;
  return (
    Math.floor(now / 1000)
      .toString(16)
      .padStart(8, '0') +
    micros.toString(16).padStart(5, '0') +
    random.toString(16).padStart(7, '0')
  );
}

/**
 * Builds the auth-api application (not listening yet). Used by main.ts and by the in-process tests.
 */
export async function createAuthApi(
  config: AuthApiConfig,
  logger: JsonLogger,
  options: AppModuleOptions = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    // a caller-supplied request id is kept if it is sane, so logs correlate across proxies
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return isRequestId(given) ? given : newRequestId();
    },
    // errors of the router itself (a malformed or over-long path segment) in Appwrite's error JSON too
    frameworkErrors: (_error: Error, _request: FastifyRequest, reply: FastifyReply) => {
      void reply
        .code(400)
        .header('content-type', 'application/json')
        .send(JSON.stringify(errorBody('general_bad_request', 'The request path is not valid.', config.APP_VERSION)));
    },
    logger: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, logger, options), adapter, {
    logger,
    bodyParser: false,
    abortOnError: false,
  });
  // Credentialed CORS for the configured browser origins only; the origin is echoed, never `*`.
  const origins = new Set(config.CORS_ORIGINS);
  app.enableCors({
    origin: (origin: string | undefined, cb: (err: Error | null, allow: boolean) => void) =>
      cb(null, origin !== undefined && origins.has(origin)),
    credentials: true,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    maxAge: 86_400,
  });
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  registerJsonParser(fastify);
  registerRequestHooks(fastify, app.get<Registry>(METRICS), logger);
  return app;
}

export interface AuthApiApp extends ServiceApp {
  app: NestFastifyApplication;
}

/**
 * The whole auth-api process as main.ts runs it: the public API on HOST:PORT and the management
 * listener on HEALTH_HOST:HEALTH_PORT. `stop` lets Fastify answer 503 to new requests, finish the ones
 * in flight and close.
 */
export async function createAuthApiService(config: AuthApiConfig, logger: JsonLogger): Promise<AuthApiApp> {
  const app = await createAuthApi(config, logger);
  const health = createManagementServer(app);
  return {
    app,
    health,
    async start() {
      await app.listen({ port: config.PORT, host: config.HOST });
      const healthPort = await health.listen(config.HEALTH_PORT, config.HEALTH_HOST);
      void reportRedisSafety(app.get<Redis>(REDIS), config.NODE_ENV === 'production', (level, message, fields) =>
        logger.emit(level, message, fields),
      );
      return healthPort;
    },
    markLeaving() {
      health.markShuttingDown();
    },
    async stop() {
      health.markShuttingDown();
      await app.close();
      await health.close();
    },
  };
}

/**
 * The management listener (`/health/live`, `/health/ready`, `/metrics`), apart from the public API so
 * that neither probes nor metrics are reachable where clients are; main.ts binds it to HEALTH_HOST:HEALTH_PORT.
 */
export function createManagementServer(app: NestFastifyApplication): HealthServer {
  return new HealthServer(app.get(ReadinessChecks).checks(), app.get<Registry>(METRICS));
}

/**
 * Deepest nesting of objects and arrays a request body may have. Nothing the API takes comes close
 * (prefs are a flat-ish document); a limit stops recursive validation and serialisation from
 * overflowing the stack on a hostile body.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * How deeply `text` nests `{`/`[` (brackets inside strings ignored), stopping once `limit` is passed.
 * One linear pass, no recursion: it runs before anything else walks the body.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * JSON bodies only, parsed with Fastify's prototype-poisoning protection (`__proto__` or `constructor`
 * keys are a 400). The size is capped by `BODY_LIMIT_BYTES` (413) and the nesting by
 * `MAX_JSON_DEPTH` (400 `general_argument_invalid`), both before the body is parsed or validated.
 * An empty body counts as `{}`: the SDKs send `{}` on DELETE, but curl users often send nothing.
 */
function registerJsonParser(fastify: FastifyInstance): void {
  // Fastify parses text/plain by default; this API takes JSON only (anything else is 415)
  if (fastify.hasContentTypeParser('text/plain')) fastify.removeContentTypeParser('text/plain');
  const defaultParser = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (typeof body === 'string' && body.trim() === '') return done(null, {});
    if (typeof body === 'string' && jsonDepthExceeds(body, MAX_JSON_DEPTH)) {
      return done(new AppError('general_argument_invalid', `Request body is nested more than ${MAX_JSON_DEPTH} levels deep.`), undefined);
    }
    return defaultParser(req, body as string, done);
  });
}

function registerRequestHooks(fastify: FastifyInstance, registry: Registry, logger: JsonLogger): void {
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  fastify.addHook('onRequest', (req, reply, done) => {
    requestContext.enterWith({ requestId: String(req.id) });
    reply.header('x-request-id', req.id);
    done();
  });
  fastify.addHook('onResponse', (req: FastifyRequest, reply, done) => {
    const route = req.routeOptions?.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    duration.observe({ method: req.method, route, status: String(reply.statusCode) }, seconds);
    // the access log: one line a request, with the route pattern (never the raw URL, whose path ids and
    // query may carry secrets such as a verification secret)
    logger.emit(reply.statusCode >= 500 ? 'warn' : 'info', 'request', {
      method: req.method,
      route,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
      reqId: String(req.id),
    });
    done();
  });
}
