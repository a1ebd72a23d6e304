import { AppError, canonicalFactor, ChallengeRequester, MfaFactor } from '@twostep/contracts';

/**
 * Validation of RPC payloads. auth-api is trusted to send well-formed messages, but every field is
 * checked again here, because this service decides: anything malformed becomes 400
 * `general_argument_invalid` (never a 500), and nothing reaches a query unchecked.
 */

/** Appwrite-style ids (users, sessions): a letter or digit, then letters, digits, `.`, `_`, `-`. */
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Our challenge ids (`uniqueId()`): 20 lowercase hex characters. */
export const CHALLENGE_ID = /^[0-9a-f]{20}$/;
/** Appwrite accepts up to 256 characters for `challengeId` and `otp` (Text(256)). */
const MAX_TOKEN_LENGTH = 256;
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;
const E164 = /^\+[1-9][0-9]{6,14}$/;
const LOCALE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;
const CONTROL_ALL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
/** Longest display text (user name, client names) carried into a message. */
const MAX_DISPLAY = 128;

function invalid(what: string): AppError {
  return new AppError('general_argument_invalid', `Invalid \`${what}\` param.`);
}

export function payloadOf(payload: unknown): Record<string, unknown> {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw invalid('payload');
  return payload as Record<string, unknown>;
}

function idField(p: Record<string, unknown>, name: string): string {
  const value = p[name];
  if (typeof value !== 'string' || !ID.test(value)) throw invalid(name);
  return value;
}

export function userIdOf(p: Record<string, unknown>): string {
  return idField(p, 'userId');
}

export function sessionIdOf(p: Record<string, unknown>): string {
  return idField(p, 'sessionId');
}

/** The enrolling session of a factor change, when one made it (absent for admin changes). */
export function enrollingSessionIdOf(p: Record<string, unknown>): string | null {
  return p.sessionId === undefined || p.sessionId === null ? null : idField(p, 'sessionId');
}

/** A string of at most 256 characters; whether it names a challenge is the service's question. */
export function challengeIdOf(p: Record<string, unknown>): string {
  const value = p.challengeId;
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TOKEN_LENGTH) throw invalid('challengeId');
  return value;
}

/** A non-empty string of at most 256 characters; whether it is a well-formed code depends on the factor. */
export function otpOf(p: Record<string, unknown>): string {
  const value = p.otp;
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TOKEN_LENGTH) throw invalid('otp');
  return value;
}

export function factorOf(p: Record<string, unknown>): MfaFactor {
  const factor = canonicalFactor(p.factor);
  if (!factor) throw invalid('factor');
  return factor;
}

function text(value: unknown, name: string, max: number, opts: { optional?: boolean } = {}): string | undefined {
  if (value === undefined || value === null) {
    if (opts.optional) return undefined;
    throw invalid(name);
  }
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > max || CONTROL.test(value)) throw invalid(name);
  return value;
}

/**
 * Optional display text (a user's name, a browser's name): only shown inside a message, so rather than
 * refusing the challenge it is cleaned: control characters (CR, LF …) removed, cut to 128 characters.
 * Not a string: 400. Empty after cleaning: left out.
 */
function displayText(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(name);
  const clean = value.replace(CONTROL_ALL, '').trim().slice(0, MAX_DISPLAY);
  return clean.length > 0 ? clean : undefined;
}

export interface ValidDelivery {
  destination: string;
  userName?: string;
  locale: string;
  projectName: string;
  requester?: ChallengeRequester;
}

/** The delivery block of an email or phone challenge: a verified address or E.164 number and what the message shows. */
export function deliveryOf(p: Record<string, unknown>, factor: 'email' | 'phone'): ValidDelivery {
  const raw = p.delivery;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid('delivery');
  const d = raw as Record<string, unknown>;
  const destination = d.destination;
  if (typeof destination !== 'string' || destination.length > 320 || CONTROL.test(destination)) throw invalid('delivery.destination');
  if (factor === 'email' ? !EMAIL.test(destination) : !E164.test(destination)) throw invalid('delivery.destination');
  const locale = d.locale;
  if (typeof locale !== 'string' || locale.length > 35 || !LOCALE.test(locale)) throw invalid('delivery.locale');
  const projectName = text(d.projectName, 'delivery.projectName', 128) as string;
  const userName = displayText(d.userName, 'delivery.userName');
  let requester: ChallengeRequester | undefined;
  if (d.requester !== undefined && d.requester !== null) {
    if (typeof d.requester !== 'object' || Array.isArray(d.requester)) throw invalid('delivery.requester');
    const r = d.requester as Record<string, unknown>;
    requester = {};
    for (const key of ['clientName', 'osName', 'deviceName'] as const) {
      const v = displayText(r[key], `delivery.requester.${key}`);
      if (v !== undefined) requester[key] = v;
    }
  }
  return { destination, locale, projectName, ...(userName !== undefined ? { userName } : {}), ...(requester ? { requester } : {}) };
}

/** Label parts of an otpauth URI: non-empty, no colon (the label separator), no control characters. */
export function labelPartOf(p: Record<string, unknown>, name: 'accountName' | 'issuer', max: number): string {
  const value = text(p[name], name, max) as string;
  if (value.includes(':')) throw invalid(name);
  return value;
}
