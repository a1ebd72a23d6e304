import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { from, lastValueFrom, Observable } from 'rxjs';
import { AuthMetrics } from '../core/auth-metrics.service';

/**
 * The sign-in routes besides email + password (which counts itself in its controller), by the bounded
 * `method` label of `auth_sign_ins_total`: a session from a token (email code, magic URL, phone code),
 * anonymous, a JWT, a password recovery, and the MFA challenge completion that finishes a sign-in.
 */
export const SIGN_IN_METHOD_BY_ROUTE: Readonly<Record<string, string>> = {
  'POST /v1/account/sessions/token': 'token',
  'PUT /v1/account/sessions/magic-url': 'magic_url',
  'PUT /v1/account/sessions/phone': 'phone',
  'POST /v1/account/sessions/anonymous': 'anonymous',
  'POST /v1/account/jwts': 'jwt',
  'PUT /v1/account/recovery': 'recovery',
  'PUT /v1/account/mfa/challenges': 'mfa_challenge',
  'PUT /v1/account/mfa/challenge': 'mfa_challenge',
};

/**
 * Counts every attempt on those routes with `AuthMetrics.signIn` (outcome from the Appwrite error type),
 * without touching the controllers: registered once as an APP_INTERCEPTOR, it passes other routes through.
 */
@Injectable()
export class SignInMetricsInterceptor implements NestInterceptor {
  constructor(private readonly metrics: AuthMetrics) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const method = SIGN_IN_METHOD_BY_ROUTE[`${request.method} ${request.routeOptions?.url ?? ''}`];
    if (!method) return next.handle();
    return from(this.metrics.signIn(method, () => lastValueFrom(next.handle())));
  }
}
