import type { DeliveryChannel } from '@twostep/contracts';

/** A rendered email, ready for a channel. Every header value is a single line. */
export interface EmailMessage {
  channel: 'email';
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** A rendered SMS, ready for a channel. `to` is E.164. */
export interface SmsMessage {
  channel: 'sms';
  to: string;
  body: string;
}

export type OutgoingMessage = EmailMessage | SmsMessage;

export type ProviderName = 'smtp' | 'twilio' | 'outbox';

/** What a provider answered when it accepted a message. */
export interface SendReceipt {
  provider: ProviderName;
  /** the provider's id for the message (SMTP Message-ID, Twilio SM… sid, outbox file id) */
  providerMessageId: string;
}

/**
 * One way to deliver messages of one kind. `send` resolves once the provider accepted the message
 * and rejects with a classified `DeliveryError` (permanent or transient) otherwise, within the
 * configured provider timeout.
 */
export interface MessageChannel<M extends OutgoingMessage = OutgoingMessage> {
  readonly provider: ProviderName;
  send(message: M): Promise<SendReceipt>;
  close(): Promise<void>;
}

export type ChannelFor<C extends DeliveryChannel> = C extends 'email' ? MessageChannel<EmailMessage> : MessageChannel<SmsMessage>;
