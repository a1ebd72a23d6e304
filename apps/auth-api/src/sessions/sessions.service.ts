import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { SessionEntity, UserEntity } from '@twostep/auth-data-access';
import { AppError } from '@twostep/contracts';
import { randomHex, sha256Hex, uniqueId } from '@twostep/crypto';
import { JsonLogger } from '@twostep/observability';
import { CLOCK, Clock, LOGGER } from '@twostep/platform';
import { AUTH_API_CONFIG, AuthApiConfig } from '../config/auth-api.config';
import { clientInfoOf, clientIpOf } from '../common/http/request-info';
import { decodeSessionCredential, encodeSessionCredential } from '../access/session-credential';
import { AuditEvent } from '../audit/audit-event';
import { AuditLogService } from '../audit/audit-log.service';
import { SessionsRepository } from './sessions.repository';

/** How a session was opened (the Session model's `provider`). */
export type SessionProvider = 'email' | 'magic-url' | 'phone' | 'anonymous' | 'server';

export interface CreatedSession {
  session: SessionEntity;
  /** the encoded credential (cookie value); shown to the client once, never stored */
  credential: string;
}

/** A user's accessedAt is refreshed at most this often (Appwrite: APP_USER_ACCESS). */
const ACCESSED_AT_GRANULARITY_MS = 3600_000;

/**
 * Sessions: creation (256-hex-char secret, only its SHA-256 stored), lookup by credential with the
 * absolute and idle expiry, the per-user limit, extension, deletion, and the factor upgrade used by the
 * MFA routes.
 */
@Injectable()
export class SessionsService {
  private readonly touchIntervalMs: number;

  constructor(
    private readonly sessions: SessionsRepository,
    private readonly audit: AuditLogService,
    @Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: JsonLogger,
  ) {
    // idle-time bookkeeping costs one UPDATE per session per interval, not one per request
    const idle = config.SESSION_IDLE_TIMEOUT_SECONDS * 1000;
    this.touchIntervalMs = idle > 0 ? Math.min(60_000, Math.max(1000, Math.floor(idle / 10))) : 60_000;
  }

  /** Creates a session for `user` and trims the user's sessions to SESSION_MAX_PER_USER (oldest go first). */
  async create(user: UserEntity, provider: SessionProvider, factors: string[], request: FastifyRequest): Promise<CreatedSession> {
    const now = this.clock.now();
    const secret = randomHex(128);
    const session = new SessionEntity();
    session.id = uniqueId(now.getTime());
    session.userId = user.id;
    session.secretHash = sha256Hex(secret);
    session.provider = provider;
    session.providerUid =
      provider === 'email' || provider === 'magic-url' ? (user.email ?? '') : provider === 'phone' ? (user.phone ?? '') : '';
    session.factors = [...new Set(factors)];
    session.mfaUpdatedAt = null;
    session.mfaFactor = null;
    session.stepUpAt = null;
    session.enrolledFactors = [];
    session.expire = new Date(now.getTime() + this.config.SESSION_DURATION_SECONDS * 1000);
    session.lastActiveAt = now;
    session.ip = clientIpOf(request);
    session.client = clientInfoOf(request);
    session.createdAt = now;
    session.updatedAt = now;
    await this.sessions.insert(session);
    await this.sessions.prune(user.id, this.config.SESSION_MAX_PER_USER, now);
    this.logger.emit('info', 'session created', { userId: user.id, sessionId: session.id, provider, factors: session.factors });
    await this.audit.record(
      user.id,
      AuditEvent.sessionCreate(provider === 'email' && session.factors.includes('password') ? 'password' : provider),
      request,
      provider === 'server' ? 'admin' : 'default',
    );
    return { session, credential: encodeSessionCredential({ userId: user.id, secret }) };
  }

  /**
   * The session and user behind an encoded credential, if it is well-formed, known, belongs to the
   * user it names, and is neither expired nor idle for too long. One indexed query.
   */
  async resolve(encoded: string): Promise<{ session: SessionEntity; user: UserEntity } | undefined> {
    const credential = decodeSessionCredential(encoded);
    if (!credential) return undefined;
    const found = await this.sessions.findWithUserBySecretHash(sha256Hex(credential.secret));
    if (!found || found.session.userId !== credential.userId) return undefined;
    return this.isLive(found.session, this.clock.now()) ? found : undefined;
  }

  /** The live session `sessionId` of `userId` and its user (what a JWT names), if it still exists. */
  async resolveById(userId: string, sessionId: string): Promise<{ session: SessionEntity; user: UserEntity } | undefined> {
    const found = await this.sessions.findWithUserById(sessionId);
    if (!found || found.session.userId !== userId) return undefined;
    return this.isLive(found.session, this.clock.now()) ? found : undefined;
  }

  /** A challenge was completed on this session within MFA_RECENT_SECONDS (Appwrite's `mfaProtected` rule). */
  completedChallengeRecently(session: SessionEntity, now: Date = this.clock.now()): boolean {
    return this.isRecent(session.mfaUpdatedAt, now);
  }

  /**
   * The step-up that sensitive changes need: while MFA is on for the account, a challenge completed on
   * this session within MFA_RECENT_SECONDS with a factor this session did not enroll itself; with MFA
   * off, Appwrite's rule (any challenge completed on this session within MFA_RECENT_SECONDS).
   */
  steppedUpRecently(user: Pick<UserEntity, 'mfa'>, session: SessionEntity, now: Date = this.clock.now()): boolean {
    return user.mfa ? this.isRecent(session.stepUpAt, now) : this.completedChallengeRecently(session, now);
  }

  private isRecent(at: Date | null, now: Date): boolean {
    return at !== null && now.getTime() - at.getTime() <= this.config.MFA_RECENT_SECONDS * 1000;
  }

  /**
   * The session is older than MFA_PENDING_SESSION_SECONDS: if it still misses the second factor MFA
   * requires, it is over (the caller decides that part, see MfaRequirementService.isPendingExpired).
   */
  pendingWindowPassed(session: SessionEntity, now: Date = this.clock.now()): boolean {
    return now.getTime() - session.createdAt.getTime() >= this.config.MFA_PENDING_SESSION_SECONDS * 1000;
  }

  isLive(session: SessionEntity, now: Date): boolean {
    if (session.expire.getTime() <= now.getTime()) return false;
    const idle = this.config.SESSION_IDLE_TIMEOUT_SECONDS * 1000;
    return idle === 0 || session.lastActiveAt.getTime() + idle > now.getTime();
  }

  /** Records activity (idle timeout, user's accessedAt) when the last record is older than the touch interval. */
  async touch(session: SessionEntity, user: UserEntity): Promise<void> {
    const now = this.clock.now();
    const accessedStale = !user.accessedAt || now.getTime() - user.accessedAt.getTime() > ACCESSED_AT_GRANULARITY_MS;
    if (now.getTime() - session.lastActiveAt.getTime() < this.touchIntervalMs && !accessedStale) return;
    try {
      await this.sessions.touch(
        session.id,
        user.id,
        now,
        new Date(now.getTime() - this.touchIntervalMs),
        new Date(now.getTime() - ACCESSED_AT_GRANULARITY_MS),
      );
    } catch (error) {
      this.logger.emit('warn', 'could not record session activity', { sessionId: session.id, reason: (error as Error).message });
    }
  }

  list(userId: string): Promise<SessionEntity[]> {
    const now = this.clock.now();
    return this.sessions.listActive(userId, now, this.idleSince(now));
  }

  /** One live session of the user, or 404 `user_session_not_found`. */
  async get(userId: string, sessionId: string): Promise<SessionEntity> {
    const now = this.clock.now();
    const session = await this.sessions.findActive(userId, sessionId, now, this.idleSince(now));
    if (!session) throw new AppError('user_session_not_found');
    return session;
  }

  /**
   * Pushes the expiry to now + SESSION_DURATION_SECONDS (PATCH /v1/account/sessions/{id}), but never
   * past created + SESSION_DURATION_SECONDS: the lifetime is absolute, extending only restores it.
   */
  async extend(userId: string, sessionId: string): Promise<SessionEntity> {
    const session = await this.get(userId, sessionId);
    const now = this.clock.now();
    const expire = Math.min(now.getTime(), session.createdAt.getTime()) + this.config.SESSION_DURATION_SECONDS * 1000;
    const updated = await this.sessions.setExpire(sessionId, new Date(expire), now);
    if (!updated) throw new AppError('user_session_not_found');
    return updated;
  }

  /** Deletes one session of the user, or 404 `user_session_not_found`. */
  async delete(userId: string, sessionId: string, request?: FastifyRequest): Promise<void> {
    if (!(await this.sessions.delete(userId, sessionId))) throw new AppError('user_session_not_found');
    this.logger.emit('info', 'session deleted', { userId, sessionId });
    await this.audit.record(userId, AuditEvent.SessionDelete, request);
  }

  /** Deletes every session of the user, or all but `keepSessionId`; returns the ids deleted. */
  async deleteAll(userId: string, keepSessionId?: string, request?: FastifyRequest): Promise<string[]> {
    const ids = await this.sessions.deleteAll(userId, keepSessionId);
    this.logger.emit('info', 'sessions deleted', { userId, count: ids.length });
    if (ids.length > 0) await this.audit.record(userId, AuditEvent.SessionsDelete, request);
    return ids;
  }

  /**
   * Adds factors to a session (de-duplicated, order kept) in one atomic update. With `challenge` the
   * session also records a challenge completed now with that factor (`mfaUpdatedAt`, for Appwrite's
   * `fresh` routes) and, unless this session enrolled the factor itself, a step-up (`stepUpAt`).
   * Returns the updated session, or 404 `user_session_not_found` when it no longer exists.
   */
  async addFactors(
    sessionId: string,
    factors: string[],
    challenge?: { factor: string; enrolledBySession: boolean },
  ): Promise<SessionEntity> {
    const now = this.clock.now();
    const completed = challenge ? { at: now, factor: challenge.factor, stepUp: !challenge.enrolledBySession } : undefined;
    const updated = await this.sessions.addFactors(sessionId, [...new Set(factors)], completed, now);
    if (!updated) throw new AppError('user_session_not_found');
    this.logger.emit('info', 'session factors updated', { userId: updated.userId, sessionId, factors: updated.factors });
    return updated;
  }

  /**
   * This session set the address `factor` delivers to (email, phone): a challenge it completes with that
   * factor earns it no step-up.
   */
  async markEnrolled(sessionId: string, factor: 'email' | 'phone'): Promise<void> {
    await this.sessions.markEnrolled(sessionId, factor);
  }

  private idleSince(now: Date): Date | undefined {
    const idle = this.config.SESSION_IDLE_TIMEOUT_SECONDS * 1000;
    return idle > 0 ? new Date(now.getTime() - idle) : undefined;
  }
}
