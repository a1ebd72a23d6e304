import { SetMetadata } from '@nestjs/common';

/** What a rate-limit counter is keyed on, besides the route (Appwrite's `abuse-key`). */
export type RateLimitKeyPart =
  /** the client IP */
  | 'ip'
  /** the signed-in user's id */
  | 'userId'
  /** a body (or query) parameter, e.g. `{ param: 'email', lowercase: true }` */
  | { param: string; lowercase?: boolean };

export interface RateLimitRule {
  /** requests per window */
  limit: number;
  /** fixed window length (Appwrite's `abuse-time`, default 3600 s) */
  windowSeconds?: number;
  key: RateLimitKeyPart[];
  /**
   * counter name; defaults to the handler (`Controller.method`), so the aliases of one handler
   * (`/sessions/email` and `/sessions`) share their counters
   */
  bucket?: string;
}

export const RATE_LIMIT_METADATA = 'twostep:rate-limit';

/**
 * Fixed-window limit counted in Redis (shared by every replica), checked by the AccessGuard after the
 * access rules. API-key callers are not limited. Responses carry X-RateLimit-Limit/Remaining/Reset.
 */
export const RateLimit = (rule: RateLimitRule) => SetMetadata(RATE_LIMIT_METADATA, rule);
