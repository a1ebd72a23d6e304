import { Injectable } from '@nestjs/common';
import { DeliveryChannel, DeliveryFailureReason, SecurityNoticeJob, SecurityNoticeJobName } from '@twostep/contracts';
import { DeliveryError } from '../delivery/delivery-error';
import type { DeliveryHandler, DeliveryJob, DeliveryOutcome } from '../workers/delivery-worker';
import { SecurityNoticeService } from './security-notice.service';

function isSecurityNoticeJob(data: unknown): data is SecurityNoticeJob {
  const d = data as Partial<SecurityNoticeJob> | null;
  return (
    typeof d === 'object' &&
    d !== null &&
    d.name === SecurityNoticeJobName.Notice &&
    typeof d.event === 'string' &&
    typeof d.occurredAt === 'string' &&
    typeof d.sealed === 'object' &&
    d.sealed !== null
  );
}

/** The `security-notices` queue's edge. Notices have no results queue: a failure is logged and counted. */
@Injectable()
export class SecurityNoticesProcessor implements DeliveryHandler<SecurityNoticeJob> {
  constructor(private readonly service: SecurityNoticeService) {}

  async handle(job: DeliveryJob<SecurityNoticeJob>): Promise<DeliveryOutcome> {
    if (!isSecurityNoticeJob(job.data) || job.data.name !== job.name)
      throw DeliveryError.permanent(DeliveryFailureReason.InvalidPayload, 'malformed job');
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
