import type { FastifyRequest } from 'fastify';
import { LOCALE_MAX_LENGTH, LOCALE_PATTERN, RequesterInfo } from '@twostep/contracts';
import type { SessionClientInfo } from '@twostep/auth-data-access';
import { parseUserAgent } from './user-agent';

/** The user agent as the SDKs report it (node-appwrite forwards the end user's as X-Forwarded-User-Agent). */
export function userAgentOf(request: FastifyRequest): string {
  const forwarded = request.headers['x-forwarded-user-agent'];
  const ua = typeof forwarded === 'string' && forwarded ? forwarded : request.headers['user-agent'];
  return typeof ua === 'string' ? ua : '';
}

export function clientInfoOf(request: FastifyRequest): SessionClientInfo {
  return parseUserAgent(userAgentOf(request));
}

/** Who asked for a message, shown in emails ("requested using Chrome on desktop Windows"). Not secret. */
export function requesterOf(request: FastifyRequest): RequesterInfo {
  const info = clientInfoOf(request);
  return {
    ...(info.clientName ? { clientName: info.clientName } : {}),
    ...(info.osName ? { osName: info.osName } : {}),
    ...(info.deviceName ? { deviceName: info.deviceName } : {}),
  };
}

/** `X-Appwrite-Locale` if it looks like a BCP 47 tag, else `en`. */
export function localeOf(request: FastifyRequest): string {
  const given = request.headers['x-appwrite-locale'];
  return typeof given === 'string' && given.length <= LOCALE_MAX_LENGTH && LOCALE_PATTERN.test(given) ? given : 'en';
}

/** The client IP (Fastify honours X-Forwarded-For only when TRUST_PROXY is on). */
export function clientIpOf(request: FastifyRequest): string {
  return (request.ip ?? '').slice(0, 45);
}
