import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Counter, Registry } from 'prom-client';
import { AppError } from '@twostep/contracts';
import { METRICS } from '@twostep/platform';

/** How a sign-in attempt ended (bounded label values). */
export type SignInOutcome = 'success' | 'invalid_credentials' | 'blocked' | 'rate_limited' | 'unavailable' | 'invalid_input' | 'error';

const OUTCOME_OF_ERROR: Partial<Record<string, SignInOutcome>> = {
  user_invalid_credentials: 'invalid_credentials',
  user_invalid_token: 'invalid_credentials',
  user_blocked: 'blocked',
  general_rate_limit_exceeded: 'rate_limited',
  general_service_unavailable: 'unavailable',
  general_argument_invalid: 'invalid_input',
};

/** The auth-api counters an operator alerts on (besides `http_request_duration_seconds`). */
@Injectable()
export class AuthMetrics {
  private readonly signIns: Counter<'method' | 'outcome'>;
  private readonly rateLimited: Counter<'route' | 'bucket'>;

  constructor(@Inject(METRICS) registry: Registry) {
    this.signIns = new Counter({
      name: 'auth_sign_ins_total',
      help: 'Sign-in attempts by method (email, ...) and outcome',
      labelNames: ['method', 'outcome'],
      registers: [registry],
    });
    this.rateLimited = new Counter({
      name: 'auth_rate_limited_total',
      help: 'Requests refused with 429 by a rate limit, by route pattern and limit bucket',
      labelNames: ['route', 'bucket'],
      registers: [registry],
    });
  }

  /** Runs one sign-in attempt and counts its outcome (the error, if any, is rethrown unchanged). */
  async signIn<T>(method: string, attempt: () => Promise<T>): Promise<T> {
    try {
      const result = await attempt();
      this.signIns.inc({ method, outcome: 'success' });
      return result;
    } catch (error) {
      this.signIns.inc({ method, outcome: (error instanceof AppError && OUTCOME_OF_ERROR[error.type]) || 'error' });
      throw error;
    }
  }

  rateLimitedRequest(request: FastifyRequest, bucket: string): void {
    this.rateLimited.inc({ route: request.routeOptions?.url ?? 'unmatched', bucket });
  }
}
