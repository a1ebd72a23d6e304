import twilio from 'twilio';
import { SpanKind, withSpan } from '@twostep/observability';
import { classifyTwilioError, withDeadline } from './failure-classifier';
import { MessageChannel, SendReceipt, SmsMessage } from './message-channel';
import { TwilioHttpClient } from './twilio-http.client';

export interface TwilioChannelOptions {
  accountSid: string;
  authToken: string;
  from?: string;
  messagingServiceSid?: string;
  apiUrl?: string;
  timeoutMs: number;
}

/**
 * SMS through the official `twilio` SDK (Messages API). Sends from the messaging service when one is
 * configured, else from `TWILIO_FROM`. The SDK never retries by itself (`autoRetry: false`): retries
 * belong to the queue, where they are bounded, backed off and visible.
 */
export class TwilioSmsChannel implements MessageChannel<SmsMessage> {
  readonly provider = 'twilio' as const;
  private readonly http: TwilioHttpClient;
  private readonly client: twilio.Twilio;

  constructor(private readonly options: TwilioChannelOptions) {
    this.http = new TwilioHttpClient(options.apiUrl, options.timeoutMs);
    // `env: {}`: the SDK must not pick credentials or settings from the process environment
    this.client = twilio(options.accountSid, options.authToken, { httpClient: this.http, env: {}, autoRetry: false, lazyLoading: true });
  }

  async send(message: SmsMessage): Promise<SendReceipt> {
    // one CLIENT span around the SDK call (the HTTP instrumentation adds the request under it), without
    // the number or the text
    return withSpan('twilio send', SpanKind.CLIENT, { 'messaging.system': 'twilio', 'twostep.channel': 'sms' }, () => this.create(message));
  }

  private async create(message: SmsMessage): Promise<SendReceipt> {
    const sender = this.options.messagingServiceSid
      ? { messagingServiceSid: this.options.messagingServiceSid }
      : { from: this.options.from };
    const { result, error, info } = await this.http.capture(() =>
      withDeadline(this.options.timeoutMs, () => this.client.messages.create({ to: message.to, body: message.body, ...sender })),
    );
    if (!result) throw classifyTwilioError(error, info.retryAfter);
    return { provider: this.provider, providerMessageId: result.sid };
  }

  async close(): Promise<void> {
    /* no pooled resources beyond the agent's idle keep-alive sockets */
  }
}
