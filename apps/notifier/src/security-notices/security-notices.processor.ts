import { Injectable } from '@nestjs/common';
import { DeliveryChannel, DeliveryFailureReason, SecurityNoticeJob, SecurityNoticeJobName } from '@twostep/contracts';
import { DeliveryError } from '../delivery/delivery-error';
import type { DeliveryHandler, DeliveryJob, DeliveryOutcome } from '../workers/delivery-worker';
import { SecurityNoticeService } from './security-notice.service';

/** The `security-notices` queue's edge. Notices have no results queue: a failure is logged and counted. */
@Injectable()
export class SecurityNoticesProcessor implements DeliveryHandler<SecurityNoticeJob> {
  constructor(private readonly service: SecurityNoticeService) {}

  async handle(job: DeliveryJob<SecurityNoticeJob>): Promise<DeliveryOutcome> {
    if (job.data.name !== job.name) throw DeliveryError.permanent(DeliveryFailureReason.InvalidPayload, 'job name mismatch');
    const name = job.data.name;
    switch (name) {
      case SecurityNoticeJobName.Notice:
        return this.service.deliver(job);
      default: {
        // a new job name without a case here does not compile
        const unhandled: never = name;
        void unhandled;
        throw DeliveryError.permanent(DeliveryFailureReason.InvalidPayload, 'no handler for this job name');
      }
    }
  }

  async onGivingUp(): Promise<void> {
    /* the worker logs and counts it; nobody consumes notice outcomes */
  }

  channelOf(): DeliveryChannel {
    return 'email';
  }

  deadlineOf(): undefined {
    return undefined;
  }
}
