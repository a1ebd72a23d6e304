import { Module } from '@nestjs/common';
import { ReadinessChecks } from './readiness-checks';

@Module({
  providers: [ReadinessChecks],
  exports: [ReadinessChecks],
})
export class HealthModule {}
