import type { IncomingHttpHeaders } from 'node:http';
import { UID_PATTERN } from '@twostep/contracts';

/**
 * The session credential of Appwrite (appwrite-api.md 1.3): base64 of `{"id":"<userId>","secret":"<256 hex>"}`,
 * carried by the `a_session_<project>` cookie, its `_legacy` twin, `X-Appwrite-Session` or the
 * `X-Fallback-Cookies` JSON object.
 */
export interface SessionCredential {
  userId: string;
  secret: string;
}

export type CredentialSource = 'cookie' | 'legacy-cookie' | 'header' | 'fallback';

export interface PresentedCredential {
  /** the encoded value as presented */
  value: string;
  source: CredentialSource;
  /** undefined when the value is not a well-formed credential */
  credential?: SessionCredential;
}

const SECRET = /^[0-9a-f]{256}$/;
const MAX_VALUE = 1024;

export function sessionCookieName(projectId: string): string {
  return `a_session_${projectId}`;
}

export function encodeSessionCredential(c: SessionCredential): string {
  return Buffer.from(JSON.stringify({ id: c.userId, secret: c.secret }), 'utf8').toString('base64');
}

export function decodeSessionCredential(value: string): SessionCredential | undefined {
  if (!value || value.length > MAX_VALUE) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { id, secret } = parsed as { id?: unknown; secret?: unknown };
    if (typeof id !== 'string' || typeof secret !== 'string' || !UID_PATTERN.test(id) || !SECRET.test(secret)) return undefined;
    return { userId: id, secret };
  } catch {
    return undefined;
  }
}

/** First occurrence of each cookie name in a `Cookie` header. */
export function parseCookieHeader(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (value.includes('%')) {
      try {
        value = decodeURIComponent(value);
      } catch {
        /* keep as is */
      }
    }
    if (!out.has(name)) out.set(name, value);
  }
  return out;
}

function single(header: string | string[] | undefined): string | undefined {
  return Array.isArray(header) ? header[0] : header;
}

/**
 * Finds the session credential in Appwrite's order: cookie, legacy cookie, `X-Appwrite-Session`,
 * `X-Fallback-Cookies`. The first non-empty value wins, well-formed or not.
 */
export function presentedCredential(headers: IncomingHttpHeaders, projectId: string): PresentedCredential | undefined {
  const name = sessionCookieName(projectId);
  const cookies = parseCookieHeader(single(headers.cookie));
  const candidates: Array<[CredentialSource, string | undefined]> = [
    ['cookie', cookies.get(name)],
    ['legacy-cookie', cookies.get(`${name}_legacy`)],
    ['header', single(headers['x-appwrite-session'])],
    ['fallback', fallbackValue(single(headers['x-fallback-cookies']), name)],
  ];
  for (const [source, value] of candidates) {
    if (value) return { value, source, credential: decodeSessionCredential(value) };
  }
  return undefined;
}

function fallbackValue(header: string | undefined, name: string): string | undefined {
  if (!header || header.length > 4096) return undefined;
  try {
    const parsed: unknown = JSON.parse(header);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(parsed, name)) return undefined;
    const value = (parsed as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
