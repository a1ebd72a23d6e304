import { Inject, Injectable } from '@nestjs/common';
import {
  DeliveryFailureReason,
  OtpDeliveryJob,
  OtpDeliverySecret,
  otpDeliverySecretSchema,
  QueueName,
  sealContext,
} from '@twostep/contracts';
import { Keyring, open } from '@twostep/crypto';
import { CLOCK, Clock, QUEUE_KEYRING } from '@twostep/platform';
import { ChannelRegistry } from '../channels/channel-registry.service';
import type { SendReceipt } from '../channels/message-channel';
import { DeliveryError } from '../delivery/delivery-error';
import { DeliveryResult, DeliveryResultsPublisher } from '../delivery/delivery-results.publisher';
import { DeliveryStateStore } from '../delivery/delivery-state.store';
import { emailDestination, phoneDestination } from '../delivery/destination.validator';
import { SmsAbuseGuard } from '../delivery/sms-abuse.guard';
import { MessageRenderer } from '../templates/message-renderer.service';
import type { DeliveryJob, DeliveryOutcome } from '../workers/delivery-worker';

/** The "sent" marker of a code outlives the code by this much (a late duplicate is dropped as expired anyway). */
const SENT_MARKER_MARGIN_SECONDS = 600;

/**
 * Delivers one code or verification link. In order, and before any provider call: a job already
 * sent is reported again and not resent; an expired job, or one whose challenge/token was consumed
 * or superseded (closed reference), is dropped; the channel must be enabled, the payload must open
 * and the destination must be valid; an SMS must pass the abuse controls. Every final outcome (sent,
 * dropped, failed) is published on `delivery-results`.
 */
@Injectable()
export class OtpDeliveryService {
  constructor(
    @Inject(QUEUE_KEYRING) private readonly keyring: Keyring,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly channels: ChannelRegistry,
    private readonly renderer: MessageRenderer,
    private readonly state: DeliveryStateStore,
    private readonly smsGuard: SmsAbuseGuard,
    private readonly results: DeliveryResultsPublisher,
  ) {}

  async deliver(job: DeliveryJob<OtpDeliveryJob>): Promise<DeliveryOutcome> {
    const data = job.data;
    const already = await this.state.sentMarker(QueueName.OtpDelivery, job.id);
    if (already) {
      await this.report(job, { status: 'sent', providerMessageId: already.providerMessageId });
      return { status: 'sent', channel: data.channel, provider: already.provider, duplicate: true };
    }

    const now = this.clock.now();
    const expiresAt = Date.parse(data.expiresAt);
    if (expiresAt <= now.getTime()) return this.drop(job, DeliveryFailureReason.Expired);
    if (await this.state.isReferenceClosed(data.referenceId)) return this.drop(job, DeliveryFailureReason.Consumed);

    const secret = this.open(data);
    let receipt: SendReceipt;
    if (data.channel === 'email') {
      const channel = this.channels.email;
      if (!channel) throw DeliveryError.permanent(DeliveryFailureReason.ChannelDisabled, 'email');
      const message = this.renderer.otp(data, secret, emailDestination(secret.destination), now);
      if (message.channel !== 'email') throw DeliveryError.permanent(DeliveryFailureReason.InvalidPayload, 'channel mismatch');
      receipt = await channel.send(message);
    } else {
      const channel = this.channels.sms;
      if (!channel) throw DeliveryError.permanent(DeliveryFailureReason.ChannelDisabled, 'sms');
      const phone = phoneDestination(secret.destination);
      const message = this.renderer.otp(data, secret, phone.e164, now);
      if (message.channel !== 'sms') throw DeliveryError.permanent(DeliveryFailureReason.InvalidPayload, 'channel mismatch');
      await this.smsGuard.admit(phone, { id: job.id, name: data.name, userId: data.userId }, now);
      receipt = await channel.send(message);
    }

    const acceptedAt = this.clock.now();
    const ttl = (expiresAt - acceptedAt.getTime()) / 1000 + SENT_MARKER_MARGIN_SECONDS;
    await this.state.markSent(QueueName.OtpDelivery, job.id, receipt, ttl);
    await this.report(job, { status: 'sent', providerMessageId: receipt.providerMessageId }, acceptedAt);
    const requestedAt = Date.parse(data.requestedAt);
    return {
      status: 'sent',
      channel: data.channel,
      provider: receipt.provider,
      latencySeconds: Number.isNaN(requestedAt) ? undefined : (acceptedAt.getTime() - requestedAt) / 1000,
    };
  }

  /** Reports a delivery the notifier gives up on. */
  async reportFailure(job: DeliveryJob<OtpDeliveryJob>, reason: DeliveryFailureReason): Promise<void> {
    await this.report(job, { status: 'failed', reason });
  }

  /** Opens the sealed part and checks it against its schema (a malformed secret is never retried). */
  private open(data: OtpDeliveryJob): OtpDeliverySecret {
    let opened: unknown;
    try {
      opened = open<OtpDeliverySecret>(data.sealed, this.keyring, sealContext(QueueName.OtpDelivery, data.name));
    } catch {
      throw DeliveryError.permanent(DeliveryFailureReason.Undecryptable, 'sealed payload did not open');
    }
    const secret = otpDeliverySecretSchema.safeParse(opened);
    if (!secret.success) throw DeliveryError.permanent(DeliveryFailureReason.InvalidPayload, 'sealed payload malformed');
    return secret.data;
  }

  private async drop(job: DeliveryJob<OtpDeliveryJob>, reason: DeliveryFailureReason): Promise<DeliveryOutcome> {
    await this.report(job, { status: 'dropped', reason });
    return { status: 'dropped', reason };
  }

  private async report(
    job: DeliveryJob<OtpDeliveryJob>,
    outcome: Pick<DeliveryResult, 'status' | 'providerMessageId' | 'reason'>,
    at: Date = this.clock.now(),
  ): Promise<void> {
    await this.results.publish(job.id, {
      deliveryName: job.data.name,
      referenceId: job.data.referenceId,
      channel: job.data.channel,
      attempts: job.attempt,
      at: at.toISOString(),
      ...outcome,
    });
  }
}
