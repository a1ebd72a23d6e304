import { Inject, Injectable } from '@nestjs/common';
import { DeliveryChannel, DeliveryFailureReason, OtpDeliveryJob, OtpDeliveryJobName } from '@twostep/contracts';
import { JsonLogger } from '@twostep/observability';
import { LOGGER } from '@twostep/platform';
import { DeliveryError } from '../delivery/delivery-error';
import type { DeliveryHandler, DeliveryJob, DeliveryOutcome } from '../workers/delivery-worker';
import { OtpDeliveryService } from './otp-delivery.service';

const JOB_NAMES = new Set<string>(Object.values(OtpDeliveryJobName));

/** True when `data` has the shape of an {@link OtpDeliveryJob} (it came from Redis: check before use). */
function isOtpDeliveryJob(data: unknown): data is OtpDeliveryJob {
  const d = data as Partial<OtpDeliveryJob> | null;
  return (
    typeof d === 'object' &&
    d !== null &&
    typeof d.name === 'string' &&
    JOB_NAMES.has(d.name) &&
    (d.channel === 'email' || d.channel === 'sms') &&
    typeof d.referenceId === 'string' &&
    d.referenceId.length > 0 &&
    typeof d.expiresAt === 'string' &&
    typeof d.requestedAt === 'string' &&
    typeof d.sealed === 'object' &&
    d.sealed !== null
  );
}

/** The `otp-delivery` queue's edge: checks the job, routes it by name, reports what is given up on. */
@Injectable()
export class OtpDeliveryProcessor implements DeliveryHandler<OtpDeliveryJob> {
  constructor(
    private readonly service: OtpDeliveryService,
    @Inject(LOGGER) private readonly logger: JsonLogger,
  ) {}

  async handle(job: DeliveryJob<OtpDeliveryJob>): Promise<DeliveryOutcome> {
    if (!isOtpDeliveryJob(job.data) || job.data.name !== job.name)
      throw DeliveryError.permanent(DeliveryFailureReason.InvalidPayload, 'malformed job');
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
    if (!isOtpDeliveryJob(job.data)) return; // nothing to report against
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

  channelOf(data: OtpDeliveryJob): DeliveryChannel | 'unknown' {
    return data?.channel === 'email' || data?.channel === 'sms' ? data.channel : 'unknown';
  }

  deadlineOf(data: OtpDeliveryJob): number | undefined {
    const at = typeof data?.expiresAt === 'string' ? Date.parse(data.expiresAt) : NaN;
    return Number.isNaN(at) ? undefined : at;
  }
}
