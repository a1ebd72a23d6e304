import { Injectable } from '@nestjs/common';
import type { ListQuery } from '@twostep/contracts';
import { UsersService } from '../users/users.service';
import { AuditLogService } from './audit-log.service';
import { LogModel, logModel } from './log.model';

/** `account.listLogs` and `users.listLogs`: the Log model, newest first, at most 100 a page. */
@Injectable()
export class AuditLogsService {
  constructor(
    private readonly audit: AuditLogService,
    private readonly users: UsersService,
  ) {}

  /** A user's log; 404 `user_not_found` for an unknown user. */
  async ofUser(userId: string, query: ListQuery): Promise<{ total: number; logs: LogModel[] }> {
    await this.users.get(userId);
    return this.list(userId, query);
  }

  async list(userId: string, query: ListQuery): Promise<{ total: number; logs: LogModel[] }> {
    const { limit, offset } = query.queries;
    const { total, logs } = await this.audit.list(userId, Math.min(limit, 100), offset);
    return { total, logs: logs.map(logModel) };
  }
}
