import { SmtpSink, TestStack, TwilioSink } from '@twostep/testing';

/** The sender number the tests configure; messages from the sink are checked against it. */
export const TEST_SMS_FROM = '+15005550006';

export interface StackWithSinks {
  stack: TestStack;
  smtp: SmtpSink;
  twilio: TwilioSink;
  stop(): Promise<void>;
}

/**
 * The three services as processes, delivering email to a real SMTP server on loopback and SMS through
 * the real twilio SDK to a loopback server speaking Twilio's Messages API.
 */
export async function startStackWithSinks(label: string, env: Record<string, string> = {}): Promise<StackWithSinks> {
  const smtp = await SmtpSink.start();
  const twilio = await TwilioSink.start();
  const stack = await TestStack.start({
    label,
    env: {
      SMTP_URL: smtp.url,
      SMTP_FROM: 'Twostep Test <no-reply@twostep.test>',
      TWILIO_API_URL: twilio.url,
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_FROM: TEST_SMS_FROM,
      ...env,
    },
  });
  return {
    stack,
    smtp,
    twilio,
    async stop() {
      await stack.stop();
      await smtp.stop();
      await twilio.stop();
    },
  };
}
