/**
 * Redaction for logs. Keys that name secrets or personal data lose their value; free text loses
 * anything shaped like an email address, a phone number, a bearer/session token or a one-time code.
 */
const SENSITIVE_KEY =
  /pass(word)?|secret|token|otp|code|cookie|authorization|api[-_]?key|x-appwrite-key|session|email|phone|number|destination|recipient|^to$|^from$|^url$|uri|sealed|^ct$|key$/i;

/** Keys whose values are identifiers and safe, even though they match the pattern above. */
const SAFE_KEYS = new Set(['code_type', 'statusCode', 'errorCode', 'type', 'jobName', 'sessionId', 'challengeId', 'referenceId', 'kid']);

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
// E.164 or a formatted number; a dotted IP address (digits and dots only) is not a phone number
const PHONE = /\+\d[\d\s().-]{6,}\d|\(?\b\d{3}\)?[\s-]\d{3}[\s-]\d{4}\b/g;
const LONG_TOKEN = /\b[A-Za-z0-9+/_=-]{32,}\b/g;
const OTP = /\b\d{6,8}\b/g;

export const REDACTED = '[redacted]';

export function redactText(text: string): string {
  return text.replace(EMAIL, REDACTED).replace(LONG_TOKEN, REDACTED).replace(PHONE, REDACTED).replace(OTP, REDACTED);
}

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[truncated]';
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { name: value.name, message: redactText(value.message), ...(value.stack ? { stack: redactText(value.stack) } : {}) };
  }
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = !SAFE_KEYS.has(k) && SENSITIVE_KEY.test(k) ? REDACTED : redact(v, depth + 1);
  }
  return out;
}
