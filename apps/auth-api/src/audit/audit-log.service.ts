import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { uniqueId } from '@twostep/crypto';
import { JsonLogger } from '@twostep/observability';
import { CLOCK, Clock, LOGGER } from '@twostep/platform';
import { clientInfoOf, clientIpOf } from '../common/http/request-info';
import { AUTH_API_CONFIG, AuthApiConfig } from '../config/auth-api.config';
import { AuditLogRepository, AuditLogRow } from './audit-log.repository';

const PURGE_INTERVAL_MS = 3600_000;

/**
 * The audit log: security events per user (sign-ins by method, refused sign-ins, MFA on/off, factor
 * changes, challenge outcomes, recovery-code use, password changes and resets, session deletions),
 * with the client address and client description of the request. Recording never fails the request
 * it describes (the event already happened). Entries older than AUDIT_LOG_RETENTION_DAYS are never
 * shown and are purged hourly.
 */
@Injectable()
export class AuditLogService implements OnModuleInit, OnModuleDestroy {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly logs: AuditLogRepository,
    @Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: JsonLogger,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.purge(), PURGE_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Records `event` for `userId`, from `request` (client address and client); `admin` for API-key actions. */
  async record(userId: string, event: string, request?: FastifyRequest, mode: 'default' | 'admin' = 'default'): Promise<void> {
    const now = this.clock.now();
    try {
      await this.logs.insert({
        id: uniqueId(now.getTime()),
        userId,
        event,
        mode,
        ip: request ? clientIpOf(request) : '',
        client: request ? clientInfoOf(request) : {},
        createdAt: now,
      });
    } catch (error) {
      this.logger.emit('warn', 'could not record an audit event', { userId, event, reason: (error as Error).message });
    }
  }

  list(userId: string, limit: number, offset: number): Promise<{ total: number; logs: AuditLogRow[] }> {
    return this.logs.list(userId, this.cutoff(), limit, offset);
  }

  async purge(): Promise<number> {
    try {
      const n = await this.logs.purge(this.cutoff());
      if (n > 0) this.logger.emit('info', 'audit log entries purged', { count: n });
      return n;
    } catch (error) {
      this.logger.emit('warn', 'could not purge the audit log', { reason: (error as Error).message });
      return 0;
    }
  }

  private cutoff(): Date {
    return new Date(this.clock.now().getTime() - this.config.AUDIT_LOG_RETENTION_DAYS * 86_400_000);
  }
}
