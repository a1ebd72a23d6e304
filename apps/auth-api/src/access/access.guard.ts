import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '@twostep/contracts';
import { constantTimeEqual } from '@twostep/crypto';
import { JsonLogger } from '@twostep/observability';
import { LOGGER } from '@twostep/platform';
import { AUTH_API_CONFIG, AuthApiConfig } from '../config/auth-api.config';
import { RATE_LIMIT_METADATA, RateLimitRule } from '../rate-limit/rate-limit.decorator';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import { SessionsService } from '../sessions/sessions.service';
import { ACCESS_CLASSES, ACCESS_METADATA, AccessClass, PROJECT_FROM_QUERY_METADATA } from './access.decorator';
import { AccountJwtService } from './account-jwt.service';
import { AuthContext } from './auth-context';
import { MfaRequirementService } from './mfa-requirement.service';
import { presentedCredential } from './session-credential';

/** What the guard reads from a route's decorators, looked up once per handler (the metadata never changes). */
interface RouteAccess {
  access: AccessClass | undefined;
  rule: RateLimitRule | undefined;
  /** the rate-limit bucket: the rule's own, else `Controller.handler` */
  bucket: string;
  projectFromQuery: boolean;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The one global guard. For every route, in Appwrite's hook order (appwrite-api.md 1.5 / 5.1):
 *  1. project: `X-Appwrite-Project` must be the configured project (404 `project_not_found`);
 *  2. credentials: API key (`X-Appwrite-Key`, constant-time), session (cookie, legacy cookie,
 *     `X-Appwrite-Session`, `X-Fallback-Cookies`) or account JWT (`X-Appwrite-JWT`, standing for its
 *     session, 401 `user_jwt_invalid` when bad); a key with either is 403 `user_api_key_and_session_set`,
 *     a JWT with a session credential 403 `user_jwt_and_cookie_set`;
 *  3. the route's access class: no valid session where one is needed is 401
 *     `general_unauthorized_scope` (a session still missing the second factor MFA requires
 *     MFA_PENDING_SESSION_SECONDS after its creation is no session); a blocked user is 403 `user_blocked`; then the MFA rule (401
 *     `user_more_factors_required`) except on `partial` routes; then, on `fresh` routes (and on
 *     `stepUp` routes while MFA is on), a challenge completed on this session within
 *     MFA_RECENT_SECONDS, with MFA on one proven with a factor the session did not enroll itself
 *     (401 `user_challenge_required`);
 *  4. the route's rate limit (not for API keys);
 *  5. on `guest` routes (sign-in) a valid session is 401 `user_session_already_exists`.
 * A route without an access class is refused (500): unclassified routes are a bug, never open.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionsService,
    private readonly mfaRequirement: MfaRequirementService,
    private readonly rateLimits: RateLimitService,
    private readonly jwts: AccountJwtService,
    @Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig,
    @Inject(LOGGER) private readonly logger: JsonLogger,
  ) {}

  /** per controller class, then per handler: an inherited handler may sit under controllers of different classes */
  private readonly routes = new Map<Function, Map<Function, RouteAccess>>();

  private routeAccess(handler: Function, controller: Function): RouteAccess {
    let byHandler = this.routes.get(controller);
    if (!byHandler) this.routes.set(controller, (byHandler = new Map()));
    let route = byHandler.get(handler);
    if (!route) {
      const rule = this.reflector.get<RateLimitRule | undefined>(RATE_LIMIT_METADATA, handler);
      route = {
        access: this.reflector.getAllAndOverride<AccessClass | undefined>(ACCESS_METADATA, [handler, controller]),
        rule,
        bucket: rule?.bucket ?? `${controller.name}.${handler.name}`,
        projectFromQuery: this.reflector.get<boolean | undefined>(PROJECT_FROM_QUERY_METADATA, handler) === true,
      };
      byHandler.set(handler, route);
    }
    return route;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const handler = context.getHandler();
    const controller = context.getClass();
    const route = this.routeAccess(handler, controller);
    const access = route.access;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (!access || !ACCESS_CLASSES.includes(access)) {
      this.logger.emit('error', 'route has no access class; refusing it', {
        route: request.routeOptions?.url,
        handler: `${controller.name}.${handler.name}`,
      });
      throw new AppError('general_unknown');
    }
    if (this.projectOf(request, route.projectFromQuery) !== this.config.APP_PROJECT_ID) throw new AppError('project_not_found');

    const key = header(request, 'x-appwrite-key');
    const presented = presentedCredential(request.headers, this.config.APP_PROJECT_ID);
    const jwt = header(request, 'x-appwrite-jwt');
    if (key) {
      if (presented?.credential || jwt) throw new AppError('user_api_key_and_session_set');
      if (!constantTimeEqual(key, this.config.APP_API_KEY)) {
        throw new AppError('general_unauthorized_scope', 'The API key is invalid.');
      }
      if (access === 'session' || access === 'partial' || access === 'fresh' || access === 'stepUp') {
        throw new AppError('general_unauthorized_scope', 'app (role: applications) missing scopes (["account"])');
      }
      request.auth = { kind: 'apiKey' };
      return true;
    }
    if (access === 'apiKey')
      throw new AppError('general_unauthorized_scope', 'User (role: guests) missing scopes (["users.read","users.write"])');

    if (jwt && presented?.credential) throw new AppError('user_jwt_and_cookie_set');
    let auth: AuthContext = { kind: 'guest' };
    /** whether the session passes the MFA rule; asked at most once per request */
    let fullSession: boolean | undefined;
    if (access !== 'public' && jwt) {
      const found = await this.jwts.resolve(jwt);
      if (found && this.sessions.pendingWindowPassed(found.session))
        fullSession = await this.mfaRequirement.isSatisfied(found.user, found.session);
      // a JWT stands for its session: gone, expired or timed out as a pending session, the JWT is too
      if (!found || fullSession === false) throw new AppError('user_jwt_invalid');
      auth = { kind: 'session', user: found.user, session: found.session, credential: '', viaJwt: true };
    } else if (access !== 'public' && presented?.credential) {
      const found = await this.sessions.resolve(presented.value);
      if (found && this.sessions.pendingWindowPassed(found.session)) {
        fullSession = await this.mfaRequirement.isSatisfied(found.user, found.session);
      }
      if (found && fullSession === false) {
        // still missing its second factor after MFA_PENDING_SESSION_SECONDS: over, like an expired session
        this.logger.emit('info', 'session refused: second factor not completed in time', {
          userId: found.user.id,
          sessionId: found.session.id,
        });
      } else if (found) {
        auth = { kind: 'session', user: found.user, session: found.session, credential: presented.value };
      }
    }
    request.auth = auth;

    if (access === 'session' || access === 'partial' || access === 'fresh' || access === 'stepUp') {
      if (auth.kind !== 'session') throw new AppError('general_unauthorized_scope');
      if (!auth.user.status) throw new AppError('user_blocked');
    }
    if (auth.kind === 'session' && access !== 'partial') {
      fullSession ??= await this.mfaRequirement.isSatisfied(auth.user, auth.session);
      if (!fullSession) throw new AppError('user_more_factors_required');
    }
    if (
      auth.kind === 'session' &&
      (access === 'fresh' || (access === 'stepUp' && auth.user.mfa)) &&
      !this.sessions.steppedUpRecently(auth.user, auth.session)
    ) {
      throw new AppError('user_challenge_required');
    }

    const rule = route.rule;
    if (rule && this.rateLimits.enabled) {
      const userId = auth.kind === 'session' ? auth.user.id : undefined;
      await this.rateLimits.hit(rule, route.bucket, request, reply, userId);
    }

    if (access === 'guest' && auth.kind === 'session') throw new AppError('user_session_already_exists');
    if (auth.kind === 'session') await this.sessions.touch(auth.session, auth.user);
    return true;
  }

  /** `X-Appwrite-Project`, or on routes marked {@link ProjectFromQuery} the `project` query parameter. */
  private projectOf(request: FastifyRequest, projectFromQuery: boolean): string | undefined {
    const fromHeader = header(request, 'x-appwrite-project');
    if (fromHeader !== undefined || !projectFromQuery) return fromHeader;
    const project = (request.query as Record<string, unknown> | undefined)?.project;
    return typeof project === 'string' ? project : undefined;
  }
}
