import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ERROR_CATALOG, ErrorType } from '@twostep/contracts';
import { AuthMetrics } from '../core/auth-metrics.service';

/**
 * The sign-in routes besides email + password (which counts itself in its controller), by the bounded
 * `method` label of `auth_sign_ins_total`: a session from a token (email code, magic URL, phone code),
 * anonymous, a JWT, a password recovery, and the MFA challenge completion that finishes a sign-in.
 */
export const SIGN_IN_METHOD_BY_ROUTE: ReadonlyMap<string, string> = new Map([
  ['POST /v1/account/sessions/token', 'token'],
  ['PUT /v1/account/sessions/magic-url', 'magic_url'],
  ['PUT /v1/account/sessions/phone', 'phone'],
  ['POST /v1/account/sessions/anonymous', 'anonymous'],
  ['POST /v1/account/jwts', 'jwt'],
  ['PUT /v1/account/recovery', 'recovery'],
  ['PUT /v1/account/mfa/challenges', 'mfa_challenge'],
  ['PUT /v1/account/mfa/challenge', 'mfa_challenge'],
]);

/** The HTTP methods of those routes: a request with any other method (every GET) is not looked up at all. */
const SIGN_IN_HTTP_METHODS: ReadonlySet<string> = new Set([...SIGN_IN_METHOD_BY_ROUTE.keys()].map((key) => key.split(' ')[0]));

/** The Appwrite error type of an error response body (`{"message","code","type",...}`), if any. */
function errorTypeOf(payload: unknown): ErrorType | undefined {
  if (typeof payload !== 'string') return undefined;
  try {
    const type = (JSON.parse(payload) as { type?: unknown })?.type;
    return typeof type === 'string' && Object.hasOwn(ERROR_CATALOG, type) ? (type as ErrorType) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Counts every attempt on those routes with `AuthMetrics.signIn` (outcome from the response's Appwrite error
 * type), from one Fastify `onSend` hook: no controller changes, and every other route pays one map lookup
 * (a global Nest interceptor did the same job at about three times the CPU of `GET /v1/account`).
 */
@Injectable()
export class SignInMetricsHook implements OnModuleInit {
  constructor(
    private readonly adapter: HttpAdapterHost,
    private readonly metrics: AuthMetrics,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapter.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    fastify.addHook(
      'onSend',
      (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, payload: unknown) => void) => {
        // `routeOptions` is a getter that builds an object; skipped for methods no sign-in route has
        if (SIGN_IN_HTTP_METHODS.has(request.method)) {
          const method = SIGN_IN_METHOD_BY_ROUTE.get(`${request.method} ${request.routeOptions?.url ?? ''}`);
          if (method) this.count(method, reply.statusCode, payload);
        }
        done(null, payload);
      },
    );
  }

  private count(method: string, status: number, payload: unknown): void {
    const failure = status >= 400 ? (errorTypeOf(payload) ?? 'error') : undefined;
    // AuthMetrics.signIn maps the error type to the bounded outcome label (one place for that mapping)
    this.metrics
      .signIn(method, async () => {
        if (failure !== undefined) throw failure === 'error' ? new Error('sign-in failed') : new AppError(failure);
      })
      .catch(() => undefined);
  }
}
