import { ID } from 'appwrite';
import { Client as ServerClient, Users } from 'node-appwrite';
import { SmtpSink, TestStack, TwilioSink } from '@twostep/testing';
import { removeWindow, WebApp } from './support/web-sdk';

const APP_URL = 'https://app.example.test/verify';

/**
 * Email verification by the link read from a real SMTP server, and phone verification by the code read
 * from a loopback Twilio, through the web SDK and the whole stack (auth-api → BullMQ → notifier).
 */
describe('email and phone verification end to end', () => {
  let stack: TestStack;
  let smtp: SmtpSink;
  let twilio: TwilioSink;
  const secrets: string[] = [];

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    twilio = await TwilioSink.start();
    stack = await TestStack.start({
      label: 'verify',
      env: {
        CORS_ORIGINS: 'https://app.example.test',
        SMTP_URL: smtp.url,
        TWILIO_API_URL: twilio.url,
        TWILIO_ACCOUNT_SID: twilio.accountSid,
        TWILIO_AUTH_TOKEN: twilio.authToken,
        TWILIO_FROM: '+15005550006',
      },
    });
  }, 90_000);

  afterAll(async () => {
    removeWindow();
    await stack?.stop();
    await smtp?.stop();
    await twilio?.stop();
  });

  async function signedIn(): Promise<{ app: WebApp; userId: string; email: string; password: string }> {
    const app = new WebApp(stack.endpoint, stack.projectId);
    const email = `verify-${ID.unique()}@example.test`;
    const password = `pw-${ID.unique()}`;
    secrets.push(password);
    const users = new Users(new ServerClient().setEndpoint(stack.endpoint).setProject(stack.projectId).setKey(stack.apiKey));
    const user = await users.create({ userId: ID.unique(), email, password, name: 'Verify Me' });
    await app.run((a) => a.createEmailPasswordSession({ email, password }));
    return { app, userId: user.$id, email, password };
  }

  it('verifies the email with the link from the email, once', async () => {
    const { app, userId, email } = await signedIn();
    const token = await app.run((a) => a.createEmailVerification({ url: APP_URL }));
    expect(token).toMatchObject({ userId, secret: '' });

    const mail = await smtp.waitForTo(email, 15_000);
    const href = (mail.text + mail.html).match(/https:\/\/app\.example\.test\/verify\?[^\s"'<>]+/)?.[0];
    expect(href).toBeDefined();
    const link = new URL(href!.replace(/&amp;/g, '&'));
    expect(link.searchParams.get('userId')).toBe(userId);
    const secret = link.searchParams.get('secret')!;
    secrets.push(secret);

    const done = await app.run((a) => a.updateEmailVerification({ userId, secret }));
    expect(done).toMatchObject({ userId, secret: '' });
    expect((await app.run((a) => a.get())).emailVerification).toBe(true);
    await expect(app.run((a) => a.updateEmailVerification({ userId, secret }))).rejects.toMatchObject({
      code: 401,
      type: 'user_invalid_token',
    });
  }, 30_000);

  it('verifies the phone with the 6-digit code from the SMS', async () => {
    const { app, userId, password } = await signedIn();
    const phone = '+14155552671';
    await app.run((a) => a.updatePhone({ phone, password }));
    await app.run((a) => a.createPhoneVerification());
    const sms = await twilio.waitForTo(phone, 15_000);
    const code = sms.body.match(/\b(\d{6})\b/)?.[1];
    expect(code).toBeDefined();
    secrets.push(code!);
    await expect(
      app.run((a) => a.updatePhoneVerification({ userId, secret: code === '000000' ? '111111' : '000000' })),
    ).rejects.toMatchObject({ code: 401, type: 'user_invalid_token' });
    await app.run((a) => a.updatePhoneVerification({ userId, secret: code! }));
    expect((await app.run((a) => a.get())).phoneVerification).toBe(true);
  }, 30_000);

  it('never writes the link secret, the code, the email or the phone number to any log', () => {
    const logs = stack.allLogs();
    for (const s of secrets) expect(logs).not.toContain(s);
    expect(logs).not.toMatch(/[A-Za-z0-9._%+-]+@example\.test/);
    expect(logs).not.toContain('4155552671');
  });
});
