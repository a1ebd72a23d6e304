import { Module } from '@nestjs/common';
import { SecurityNoticesService } from './security-notices.service';

@Module({ providers: [SecurityNoticesService], exports: [SecurityNoticesService] })
export class SecurityNoticesModule {}
