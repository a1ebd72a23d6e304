import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Histogram, Registry } from 'prom-client';
import { uniqueId } from '@twostep/crypto';
import { JsonLogger, requestContext } from '@twostep/observability';
import { AppModule, AppModuleOptions } from './app.module';
import { AuthApiConfig } from './config/auth-api.config';
import { METRICS } from './core/tokens';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

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
const CORS_EXPOSED_HEADERS = ['X-Appwrite-Session', 'X-Fallback-Cookies', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'Retry-After', 'X-Request-Id'];

/**
 * Builds the auth-api application (not listening yet). Used by main.ts and by the in-process tests.
 */
export async function createAuthApi(config: AuthApiConfig, logger: JsonLogger, options: AppModuleOptions = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    // a caller-supplied request id is kept if it is sane, so logs correlate across proxies
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : uniqueId();
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
    origin: (origin: string | undefined, cb: (err: Error | null, allow: boolean) => void) => cb(null, origin !== undefined && origins.has(origin)),
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

/**
 * JSON bodies only, parsed with Fastify's prototype-poisoning protection (`__proto__` or `constructor`
 * keys are a 400). An empty body counts as `{}`:
 * the SDKs send `{}` on DELETE, but curl users often send nothing.
 */
function registerJsonParser(fastify: FastifyInstance): void {
  // Fastify parses text/plain by default; this API takes JSON only (anything else is 415)
  if (fastify.hasContentTypeParser('text/plain')) fastify.removeContentTypeParser('text/plain');
  const defaultParser = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (typeof body === 'string' && body.trim() === '') return done(null, {});
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
    if (logger.isEnabled('debug') || reply.statusCode >= 500) {
      logger.emit(reply.statusCode >= 500 ? 'warn' : 'debug', 'request', {
        method: req.method,
        route,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      });
    }
    done();
  });
}
