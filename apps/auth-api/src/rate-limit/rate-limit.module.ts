import { Module } from '@nestjs/common';
import { RateLimitService } from './rate-limit.service';
import { SignInLimits } from './sign-in-limits.service';

@Module({ providers: [RateLimitService, SignInLimits], exports: [RateLimitService, SignInLimits] })
export class RateLimitModule {}
