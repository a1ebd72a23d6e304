import { Controller, Get, Param, Query } from '@nestjs/common';
import type { UserEntity } from '@twostep/auth-data-access';
import { listQuery, ListQuery, userIdParams, UserIdParams } from '@twostep/contracts';
import { Access } from '../access/access.decorator';
import { CurrentUser } from '../access/auth-context';
import { ZodPipe } from '../common/validation/zod-pipe';
import { AuditLogsService } from './audit-logs.service';
import { LogModel } from './log.model';

/** `account.listLogs` and `users.listLogs`: the Log model, newest first, `limit`/`offset` queries. */
@Controller('v1')
export class AuditLogsController {
  constructor(private readonly logs: AuditLogsService) {}

  @Get('account/logs')
  @Access('session')
  accountLogs(
    @CurrentUser() user: UserEntity,
    @Query(new ZodPipe(listQuery)) query: ListQuery,
  ): Promise<{ total: number; logs: LogModel[] }> {
    return this.logs.list(user.id, query);
  }

  @Get('users/:userId/logs')
  @Access('apiKey')
  userLogs(
    @Param(new ZodPipe(userIdParams)) path: UserIdParams,
    @Query(new ZodPipe(listQuery)) query: ListQuery,
  ): Promise<{ total: number; logs: LogModel[] }> {
    return this.logs.ofUser(path.userId, query);
  }
}
