import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AUTH_API_CONFIG, AuthApiConfig, secureCookies } from '../config/auth-api.config';
import { sessionCookieName } from '../access/session-credential';
import { isLocalOrIp, isSameSiteOrigin } from '../common/http/site';

/**
 * How the credential is handed to clients (appwrite-api.md 1.4 and decision 5):
 *  - two HttpOnly cookies, `a_session_<p>` (SameSite=None) and `a_session_<p>_legacy` (no SameSite),
 *    Secure when the public endpoint (APP_ENDPOINT) is https (never decided by a request header),
 *    host-only unless SESSION_COOKIE_DOMAIN is set;
 *  - `X-Fallback-Cookies: {"a_session_<p>":"<value>"}` when the request has no Origin or a foreign
 *    one (Node clients, cross-site apps), `[]` on logout.
 */
@Injectable()
export class SessionCookies {
  private readonly name: string;
  private readonly secure: boolean;

  constructor(@Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig) {
    this.name = sessionCookieName(config.APP_PROJECT_ID);
    this.secure = secureCookies(config);
  }

  issue(request: FastifyRequest, reply: FastifyReply, value: string, expire: Date): void {
    this.setCookies(request, reply, value, expire);
    if (this.needsFallback(request)) reply.header('X-Fallback-Cookies', JSON.stringify({ [this.name]: value }));
  }

  clear(request: FastifyRequest, reply: FastifyReply): void {
    this.setCookies(request, reply, '', new Date(0));
    if (this.needsFallback(request)) reply.header('X-Fallback-Cookies', '[]');
  }

  private needsFallback(request: FastifyRequest): boolean {
    const origin = request.headers.origin;
    return !isSameSiteOrigin(typeof origin === 'string' ? origin : undefined, request.hostname);
  }

  private setCookies(request: FastifyRequest, reply: FastifyReply, value: string, expire: Date): void {
    const attributes = [`expires=${expire.toUTCString()}`, 'path=/'];
    const domain = this.config.SESSION_COOKIE_DOMAIN;
    if (domain && !isLocalOrIp(request.hostname)) attributes.push(`domain=${domain}`);
    if (this.secure) attributes.push('secure');
    attributes.push('httponly');
    const base = attributes.join('; ');
    reply.header('set-cookie', [`${this.name}_legacy=${value}; ${base}`, `${this.name}=${value}; ${base}; samesite=None`]);
  }
}
