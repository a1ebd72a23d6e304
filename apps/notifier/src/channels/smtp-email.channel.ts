import nodemailer, { Transporter } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { SpanKind, withSpan } from '@twostep/observability';
import { classifySmtpError, withDeadline } from './failure-classifier';
import { EmailMessage, MessageChannel, SendReceipt } from './message-channel';

/**
 * Email through an SMTP relay with nodemailer. `SMTP_URL` decides the transport security:
 * `smtps://` is TLS from the first byte, `smtp://` upgrades with STARTTLS when the server offers it
 * (`?requireTLS=true` refuses to send without it); credentials in the URL turn on AUTH. Every phase
 * of the SMTP transaction has the provider timeout, and the whole send is cut at that deadline.
 * Connections are pooled: a relay's handshake (and greeting delay) is paid once per connection, not
 * once per code.
 */
export class SmtpEmailChannel implements MessageChannel<EmailMessage> {
  readonly provider = 'smtp' as const;
  private readonly transport: Transporter<SMTPPool.SentMessageInfo>;

  constructor(
    url: string,
    private readonly from: string,
    private readonly timeoutMs: number,
    poolSize = 5,
  ) {
    const options: SMTPPool.Options = {
      url,
      pool: true,
      maxConnections: poolSize,
      maxMessages: 1000,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      dnsTimeout: timeoutMs,
      // the message is built from our templates only: never let it pull files or URLs
      disableFileAccess: true,
      disableUrlAccess: true,
      logger: false,
      debug: false,
    };
    this.transport = nodemailer.createTransport(options);
  }

  async send(message: EmailMessage): Promise<SendReceipt> {
    // nodemailer has no instrumentation: one CLIENT span around the send, without recipient, subject or body
    return withSpan('smtp send', SpanKind.CLIENT, { 'messaging.system': 'smtp', 'twostep.channel': 'email' }, () => this.sendMail(message));
  }

  private async sendMail(message: EmailMessage): Promise<SendReceipt> {
    try {
      const info = await withDeadline(this.timeoutMs, (signal) =>
        this.transport.sendMail({
          from: this.from,
          // an address object, so nodemailer never parses a list out of the string
          to: { name: '', address: message.to },
          subject: message.subject,
          text: message.text,
          html: message.html,
          signal,
        } as Mail.Options & { signal: AbortSignal }),
      );
      return { provider: this.provider, providerMessageId: info.messageId };
    } catch (error) {
      throw classifySmtpError(error);
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
