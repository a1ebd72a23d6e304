import { Module } from '@nestjs/common';
import { DeliveryModule } from '../delivery/delivery.module';
import { OtpDeliveryProcessor } from './otp-delivery.processor';
import { OtpDeliveryService } from './otp-delivery.service';

@Module({ imports: [DeliveryModule], providers: [OtpDeliveryService, OtpDeliveryProcessor], exports: [OtpDeliveryProcessor] })
export class OtpDeliveryModule {}
