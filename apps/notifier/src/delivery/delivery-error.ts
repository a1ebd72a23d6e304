import { DeliveryFailureReason } from '@twostep/contracts';

export interface DeliveryErrorOptions {
  /**
   * A short, non-secret detail for logs and the job's failed reason in Redis: a provider error
   * code (`twilio 21211`, `smtp 550`) or an error name. Never a provider message (it may echo the
   * destination) and never anything from the payload.
   */
  detail?: string;
  /** the provider asked us to wait this long before trying again */
  retryAfterMs?: number;
}

/**
 * A classified delivery failure. `permanent` failures are never retried (the job fails with an
 * `UnrecoverableError`); transient ones are retried with backoff. The message is built from the
 * reason and the detail only, because BullMQ stores it in Redis and it is logged.
 */
export class DeliveryError extends Error {
  readonly detail?: string;
  readonly retryAfterMs?: number;

  constructor(
    readonly reason: DeliveryFailureReason,
    readonly permanent: boolean,
    options: DeliveryErrorOptions = {},
  ) {
    super(`${permanent ? 'permanent' : 'transient'} failure: ${reason}${options.detail ? ` (${options.detail})` : ''}`);
    this.name = 'DeliveryError';
    this.detail = options.detail;
    this.retryAfterMs = options.retryAfterMs;
  }

  static permanent(reason: DeliveryFailureReason, detail?: string): DeliveryError {
    return new DeliveryError(reason, true, { detail });
  }

  static transient(reason: DeliveryFailureReason, options: DeliveryErrorOptions = {}): DeliveryError {
    return new DeliveryError(reason, false, options);
  }

  /**
   * Any error as a delivery error. An unexpected error is transient (bounded by the job's attempts)
   * and keeps only its name, since its message could contain anything.
   */
  static from(error: unknown): DeliveryError {
    if (error instanceof DeliveryError) return error;
    const name = error instanceof Error ? error.name : typeof error;
    return DeliveryError.transient(DeliveryFailureReason.Transient, { detail: `unexpected ${safeToken(name)}` });
  }
}

/** Keeps an identifier-like token (error names and codes) and drops anything else. */
export function safeToken(value: unknown): string {
  const text = String(value ?? '');
  return /^[A-Za-z0-9_.-]{1,40}$/.test(text) ? text : 'error';
}
