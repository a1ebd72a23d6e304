import { DeliveryFailureReason } from '@twostep/contracts';
import { DeliveryError } from '../delivery/delivery-error';
import { OutboxStore } from '../outbox/outbox.store';
import { MessageChannel, OutgoingMessage, SendReceipt } from './message-channel';

/**
 * Development stand-in for a provider: the message is written to the file outbox, where a person
 * (or `GET /dev/outbox?to=`) can read it. Only built when NODE_ENV is not production.
 */
export class OutboxChannel implements MessageChannel<OutgoingMessage> {
  readonly provider = 'outbox' as const;

  constructor(
    private readonly store: OutboxStore,
    private readonly from: string,
  ) {}

  async send(message: OutgoingMessage): Promise<SendReceipt> {
    try {
      const entry = await this.store.write(message, this.from);
      return { provider: this.provider, providerMessageId: entry.id };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw DeliveryError.transient(DeliveryFailureReason.Transient, {
        detail: `outbox ${typeof code === 'string' ? code : 'write failed'}`,
      });
    }
  }

  async close(): Promise<void> {
    /* nothing held open */
  }
}
