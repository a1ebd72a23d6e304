import { Module } from '@nestjs/common';
import { HealthController, MetricsController } from './health.controller';
import { ShutdownState } from './shutdown-state';

@Module({
  controllers: [HealthController, MetricsController],
  providers: [ShutdownState],
  exports: [ShutdownState],
})
export class HealthModule {}
