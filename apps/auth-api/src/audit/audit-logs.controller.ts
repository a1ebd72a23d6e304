import { Controller, Get, Param, Query } from '@nestjs/common';
import type { UserEntity } from '@twostep/auth-data-access';
import { Access } from '../access/access.decorator';
import { CurrentUser } from '../access/auth-context';
import { required, v, validateParams } from '../common/validation/params';
import { parseListQueries } from '../users/users.controller';
import { UsersService } from '../users/users.service';
import { AuditLogService } from './audit-log.service';
import { LogModel, logModel } from './log.model';

/** `account.listLogs` and `users.listLogs`: the Log model, newest first, `limit`/`offset` queries. */
@Controller('v1')
export class AuditLogsController {
  constructor(
    private readonly audit: AuditLogService,
    private readonly users: UsersService,
  ) {}

  @Get('account/logs')
  @Access('session')
  async accountLogs(
    @CurrentUser() user: UserEntity,
    @Query() query: Record<string, unknown>,
  ): Promise<{ total: number; logs: LogModel[] }> {
    return this.list(user.id, query);
  }

  @Get('users/:userId/logs')
  @Access('apiKey')
  async userLogs(@Param('userId') raw: string, @Query() query: Record<string, unknown>): Promise<{ total: number; logs: LogModel[] }> {
    const { userId } = validateParams({ userId: raw }, { userId: required(v.uid()) });
    await this.users.get(userId);
    return this.list(userId, query);
  }

  private async list(userId: string, query: Record<string, unknown>): Promise<{ total: number; logs: LogModel[] }> {
    const { limit, offset } = parseListQueries(query ?? {});
    const { total, logs } = await this.audit.list(userId, Math.min(limit, 100), offset);
    return { total, logs: logs.map(logModel) };
  }
}
