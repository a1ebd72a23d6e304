import { Inject, Injectable } from '@nestjs/common';
import {
  DeliveryFailureReason,
  QueueName,
  sealContext,
  SecurityNoticeJob,
  SecurityNoticeSecret,
  securityNoticeSecretSchema,
} from '@twostep/contracts';
import { Keyring, open } from '@twostep/crypto';
import { CLOCK, Clock, QUEUE_KEYRING } from '@twostep/platform';
import { ChannelRegistry } from '../channels/channel-registry.service';
import { DeliveryError } from '../delivery/delivery-error';
import { DeliveryStateStore } from '../delivery/delivery-state.store';
import { emailDestination } from '../delivery/destination.validator';
import { MessageRenderer } from '../templates/message-renderer.service';
import type { DeliveryJob, DeliveryOutcome } from '../workers/delivery-worker';

/** A notice is not sent twice within this window (its failed job is kept as long). */
const SENT_MARKER_SECONDS = 7 * 24 * 3600;

/** Emails the account holder about a security event ("MFA was turned off", "a recovery code was used"...). */
@Injectable()
export class SecurityNoticeService {
  constructor(
    @Inject(QUEUE_KEYRING) private readonly keyring: Keyring,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly channels: ChannelRegistry,
    private readonly renderer: MessageRenderer,
    private readonly state: DeliveryStateStore,
  ) {}

  async deliver(job: DeliveryJob<SecurityNoticeJob>): Promise<DeliveryOutcome> {
    const already = await this.state.sentMarker(QueueName.SecurityNotices, job.id);
    if (already) return { status: 'sent', channel: 'email', provider: already.provider, duplicate: true };

    const channel = this.channels.email;
    if (!channel) throw DeliveryError.permanent(DeliveryFailureReason.ChannelDisabled, 'email');
    let opened: unknown;
    try {
      opened = open<SecurityNoticeSecret>(job.data.sealed, this.keyring, sealContext(QueueName.SecurityNotices, job.data.name));
    } catch {
      throw DeliveryError.permanent(DeliveryFailureReason.Undecryptable, 'sealed payload did not open');
    }
    const parsed = securityNoticeSecretSchema.safeParse(opened);
    if (!parsed.success) throw DeliveryError.permanent(DeliveryFailureReason.InvalidPayload, 'sealed payload malformed');
    const secret = parsed.data;
    const message = this.renderer.securityNotice(job.data, secret, emailDestination(secret.email));
    const receipt = await channel.send(message);
    await this.state.markSent(QueueName.SecurityNotices, job.id, receipt, SENT_MARKER_SECONDS);
    const occurredAt = Date.parse(job.data.occurredAt);
    return {
      status: 'sent',
      channel: 'email',
      provider: receipt.provider,
      latencySeconds: Number.isNaN(occurredAt) ? undefined : (this.clock.now().getTime() - occurredAt) / 1000,
    };
  }
}
