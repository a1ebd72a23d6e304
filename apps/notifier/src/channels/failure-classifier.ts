import { DeliveryFailureReason } from '@twostep/contracts';
import { DeliveryError, safeToken } from '../delivery/delivery-error';

/** A provider's Retry-After is honoured up to this long; past it the job's normal backoff applies. */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

/** Socket and DNS errors that say nothing about the message: try again later. */
const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'ERR_CANCELED',
  'ERR_NETWORK',
]);

/** Raised by a channel when its own deadline passes. */
export class ProviderTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`provider did not answer within ${timeoutMs} ms`);
    this.name = 'ProviderTimeoutError';
  }
}

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  responseCode?: unknown;
  status?: unknown;
}

function shape(error: unknown): ErrorShape {
  return typeof error === 'object' && error !== null ? (error as ErrorShape) : {};
}

/** `Retry-After` as seconds or an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: unknown, now: number = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
  const text = String(raw).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.min(Math.round(Number(text) * 1000), MAX_RETRY_AFTER_MS);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(at - now, 0), MAX_RETRY_AFTER_MS);
}

/**
 * nodemailer errors: authentication (`EAUTH`) and 5xx replies are permanent; 4xx replies, timeouts
 * and connection problems are transient. A 5xx on the envelope (`RCPT TO`) means the address itself.
 */
export function classifySmtpError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  if (error instanceof ProviderTimeoutError) return DeliveryError.transient(DeliveryFailureReason.Transient, { detail: 'smtp timeout' });
  const { code, responseCode, name } = shape(error);
  const smtpCode = typeof responseCode === 'number' ? responseCode : undefined;
  const detail = `smtp ${smtpCode ?? safeToken(code ?? name)}`;
  if (code === 'EAUTH' || code === 'ENOAUTH') return DeliveryError.permanent(DeliveryFailureReason.ProviderAuth, detail);
  if (smtpCode !== undefined && smtpCode >= 500) {
    return DeliveryError.permanent(
      code === 'EENVELOPE' ? DeliveryFailureReason.InvalidDestination : DeliveryFailureReason.ProviderRejected,
      detail,
    );
  }
  if (smtpCode !== undefined && smtpCode >= 400) {
    const reason =
      smtpCode === 421 || smtpCode === 450 || smtpCode === 451 || smtpCode === 452
        ? DeliveryFailureReason.RateLimited
        : DeliveryFailureReason.Transient;
    return DeliveryError.transient(reason, { detail });
  }
  if (code === 'EENVELOPE') return DeliveryError.permanent(DeliveryFailureReason.InvalidDestination, detail);
  if (code === 'ECONFIG' || code === 'EREQUIRETLS') return DeliveryError.permanent(DeliveryFailureReason.ProviderRejected, detail);
  // ECONNECTION, ESOCKET, ETIMEDOUT, EDNS, ETLS, EPROTOCOL, EMESSAGE, EABORT (our deadline) and the rest
  return DeliveryError.transient(DeliveryFailureReason.Transient, { detail });
}

/** Twilio error codes that will not change by trying again, and what they mean for the message. */
const TWILIO_PERMANENT: Record<number, DeliveryFailureReason> = {
  21211: DeliveryFailureReason.InvalidDestination, // invalid 'To' phone number
  21217: DeliveryFailureReason.InvalidDestination, // phone number does not appear to be valid
  21401: DeliveryFailureReason.InvalidDestination, // invalid phone number
  21614: DeliveryFailureReason.InvalidDestination, // 'To' is not a mobile number
  21610: DeliveryFailureReason.Unsubscribed, // recipient replied STOP
  21408: DeliveryFailureReason.Unreachable, // permission to send to this region is not enabled
  21612: DeliveryFailureReason.Unreachable, // cannot route to this number
  20003: DeliveryFailureReason.ProviderAuth, // authentication failed
  20005: DeliveryFailureReason.ProviderAuth, // account not active
};

/**
 * Twilio SDK errors (`RestException` with HTTP status and Twilio code, or a network error from its
 * HTTP client): known permanent codes and other 4xx are permanent; 429/20429 is rate limiting,
 * honouring `Retry-After`; 5xx, timeouts and network errors are transient.
 */
export function classifyTwilioError(error: unknown, retryAfterHeader?: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  if (error instanceof ProviderTimeoutError) return DeliveryError.transient(DeliveryFailureReason.Transient, { detail: 'twilio timeout' });
  const { status, code, name } = shape(error);
  if (typeof status === 'number') {
    const twilioCode = typeof code === 'number' ? code : undefined;
    const detail = `twilio ${twilioCode ?? `http ${status}`}`;
    const known = twilioCode !== undefined ? TWILIO_PERMANENT[twilioCode] : undefined;
    if (known) return DeliveryError.permanent(known, detail);
    if (twilioCode === 20429 || status === 429) {
      return DeliveryError.transient(DeliveryFailureReason.RateLimited, { detail, retryAfterMs: parseRetryAfter(retryAfterHeader) });
    }
    if (status >= 500)
      return DeliveryError.transient(DeliveryFailureReason.Transient, { detail, retryAfterMs: parseRetryAfter(retryAfterHeader) });
    if (status === 401 || status === 403) return DeliveryError.permanent(DeliveryFailureReason.ProviderAuth, detail);
    if (status >= 400) return DeliveryError.permanent(DeliveryFailureReason.ProviderRejected, detail);
  }
  const token = typeof code === 'string' ? code : name;
  if (typeof token === 'string' && NETWORK_ERRORS.has(token))
    return DeliveryError.transient(DeliveryFailureReason.Transient, { detail: `twilio ${token}` });
  return DeliveryError.transient(DeliveryFailureReason.Transient, { detail: `twilio ${safeToken(token)}` });
}

/** Runs `work` with a deadline; the deadline rejects with {@link ProviderTimeoutError}. */
export async function withDeadline<T>(timeoutMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work(controller.signal),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          reject(new ProviderTimeoutError(timeoutMs));
        }, timeoutMs);
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
