import { DynamicModule, Module } from '@nestjs/common';
import { Registry } from 'prom-client';
import { JsonLogger } from '@twostep/observability';
import { NotifierConfig } from './config/notifier.config';
import { CoreModule } from './core/core.module';
import { Clock } from './core/tokens';
import { DeliveryModule } from './delivery/delivery.module';
import { HeartbeatModule } from './heartbeat/heartbeat.module';
import { OtpDeliveryModule } from './otp-delivery/otp-delivery.module';
import { SecurityNoticesModule } from './security-notices/security-notices.module';
import { NotifierRuntime } from './workers/notifier-runtime.service';

@Module({})
export class AppModule {
  static forRoot(config: NotifierConfig, logger: JsonLogger, registry: Registry, clock?: Clock): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config, logger, registry, clock),
        DeliveryModule,
        OtpDeliveryModule,
        SecurityNoticesModule,
        HeartbeatModule,
      ],
      providers: [NotifierRuntime],
    };
  }
}
