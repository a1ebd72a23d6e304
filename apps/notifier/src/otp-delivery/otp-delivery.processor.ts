import { Inject, Injectable } from '@nestjs/common';
import { DeliveryChannel, DeliveryFailureReason, OtpDeliveryJob, OtpDeliveryJobName } from '@twostep/contracts';
import { JsonLogger } from '@twostep/observability';
import { LOGGER } from '@twostep/platform';
import { DeliveryError } from '../delivery/delivery-error';
import type { DeliveryHandler, DeliveryJob, DeliveryOutcome } from '../workers/delivery-worker';
import { OtpDeliveryService } from './otp-delivery.service';

/**
 * The `otp-delivery` queue's edge: routes the job (already checked against its schema by the worker host)
 * by name, reports what is given up on.
 */
@Injectable()
export class OtpDeliveryProcessor implements DeliveryHandler<OtpDeliveryJob> {
  constructor(
    private readonly service: OtpDeliveryService,
    @Inject(LOGGER) private readonly logger: JsonLogger,
  ) {}

  async handle(job: DeliveryJob<OtpDeliveryJob>): Promise<DeliveryOutcome> {
    if (job.data.name !== job.name) throw DeliveryError.permanent(DeliveryFailureReason.InvalidPayload, 'job name mismatch');
    const name = job.data.name;
    switch (name) {
      case OtpDeliveryJobName.MfaChallengeCode:
      case OtpDeliveryJobName.EmailVerificationLink:
      case OtpDeliveryJobName.PhoneVerificationCode:
      case OtpDeliveryJobName.SignInCode:
      case OtpDeliveryJobName.MagicUrlLink:
      case OtpDeliveryJobName.PasswordRecoveryLink:
        return this.service.deliver(job);
      default: {
        // a new job name without a case here does not compile
        const unhandled: never = name;
        void unhandled;
        throw DeliveryError.permanent(DeliveryFailureReason.InvalidPayload, 'no handler for this job name');
      }
    }
  }

  async onGivingUp(job: DeliveryJob<OtpDeliveryJob>, error: DeliveryError): Promise<void> {
    try {
      await this.service.reportFailure(job, error.reason);
    } catch (publishError) {
      // the job still ends (a permanent failure must not reach the provider again); the result is lost
      this.logger.emit('error', 'could not publish the delivery result', {
        jobId: job.id,
        jobName: job.name,
        reason: error.reason,
        detail: publishError instanceof Error ? publishError.name : 'error',
      });
    }
  }

  channelOf(data: OtpDeliveryJob): DeliveryChannel {
    return data.channel;
  }

  deadlineOf(data: OtpDeliveryJob): number {
    return Date.parse(data.expiresAt);
  }
}
