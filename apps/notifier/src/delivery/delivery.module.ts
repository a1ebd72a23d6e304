import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import { MessageRenderer } from '../templates/message-renderer.service';
import { DeliveryResultsPublisher } from './delivery-results.publisher';
import { DeliveryStateStore } from './delivery-state.store';
import { SmsAbuseGuard } from './sms-abuse.guard';

/** What every delivery needs: channels, templates, Redis state, SMS abuse controls, the results queue. */
@Module({
  imports: [ChannelsModule],
  providers: [MessageRenderer, DeliveryStateStore, SmsAbuseGuard, DeliveryResultsPublisher],
  exports: [ChannelsModule, MessageRenderer, DeliveryStateStore, SmsAbuseGuard, DeliveryResultsPublisher],
})
export class DeliveryModule {}
