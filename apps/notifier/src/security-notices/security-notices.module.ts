import { Module } from '@nestjs/common';
import { DeliveryModule } from '../delivery/delivery.module';
import { SecurityNoticeService } from './security-notice.service';
import { SecurityNoticesProcessor } from './security-notices.processor';

@Module({ imports: [DeliveryModule], providers: [SecurityNoticeService, SecurityNoticesProcessor], exports: [SecurityNoticesProcessor] })
export class SecurityNoticesModule {}
