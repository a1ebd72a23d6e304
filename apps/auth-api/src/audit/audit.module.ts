import { Global, Module } from '@nestjs/common';
import { AuditLogsService } from './audit-logs.service';
import { UsersModule } from '../users/users.module';
import { AuditLogRepository } from './audit-log.repository';
import { AuditLogService } from './audit-log.service';
import { AuditLogsController } from './audit-logs.controller';

/** The audit log; global, so every feature records its events without importing it. */
@Global()
@Module({
  imports: [UsersModule],
  controllers: [AuditLogsController],
  providers: [AuditLogRepository, AuditLogService, AuditLogsService],
  exports: [AuditLogService],
})
export class AuditModule {}
