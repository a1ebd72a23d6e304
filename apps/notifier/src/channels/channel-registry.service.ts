import { resolve } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import type { DeliveryChannel } from '@twostep/contracts';
import { ChannelModes, NOTIFIER_CONFIG, NotifierConfig } from '../config/notifier.config';
import { CHANNEL_MODES } from '../core/tokens';
import { OutboxStore } from '../outbox/outbox.store';
import { EmailMessage, MessageChannel, SmsMessage } from './message-channel';
import { OutboxChannel } from './outbox.channel';
import { SmtpEmailChannel } from './smtp-email.channel';
import { TwilioSmsChannel } from './twilio-sms.channel';

/**
 * The channel behind each kind of delivery, built once from the config: SMTP or Twilio when
 * configured, the file outbox when not (outside production), nothing in production (disabled: jobs
 * for it fail with `channel_disabled` and the heartbeat says so).
 */
@Injectable()
export class ChannelRegistry {
  readonly email?: MessageChannel<EmailMessage>;
  readonly sms?: MessageChannel<SmsMessage>;
  /** the development outbox, when a channel uses it */
  readonly outbox?: OutboxStore;

  constructor(@Inject(NOTIFIER_CONFIG) config: NotifierConfig, @Inject(CHANNEL_MODES) modes: ChannelModes) {
    const usesOutbox = modes.email.kind === 'outbox' || modes.sms.kind === 'outbox';
    if (usesOutbox && config.NODE_ENV === 'production') throw new Error('the file outbox is refused in production');
    this.outbox = usesOutbox ? new OutboxStore(resolve(config.DATA_DIR, 'outbox')) : undefined;

    if (modes.email.kind === 'smtp')
      this.email = new SmtpEmailChannel(modes.email.url, modes.email.from, config.PROVIDER_TIMEOUT_MS, config.SMTP_POOL_SIZE);
    else if (modes.email.kind === 'outbox') this.email = new OutboxChannel(this.outbox!, modes.email.from);

    if (modes.sms.kind === 'twilio')
      this.sms = new TwilioSmsChannel({ ...modes.sms, from: modes.sms.from, timeoutMs: config.PROVIDER_TIMEOUT_MS });
    else if (modes.sms.kind === 'outbox') this.sms = new OutboxChannel(this.outbox!, modes.sms.from);
  }

  /** What this notifier can deliver (the heartbeat producers read). */
  enabled(): Record<DeliveryChannel, boolean> {
    return { email: this.email !== undefined, sms: this.sms !== undefined };
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.email?.close(), this.sms?.close()]);
  }
}
