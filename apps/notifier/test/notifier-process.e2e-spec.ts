import { Keyring, parseKeyring } from '@twostep/crypto';
import { SmtpSink, TestStack, TwilioSink, waitFor } from '@twostep/testing';
import { otpJob, TestProducer, uniqueId } from './notifier-fixtures';

/** The built notifier (apps/notifier/dist/main.js) as a process: shutdown and crash behaviour. */
describe('notifier process: graceful shutdown and crash recovery', () => {
  let smtp: SmtpSink;
  let twilio: TwilioSink;
  let stack: TestStack;
  let producer: TestProducer;
  let keyring: Keyring;
  const secrets: string[] = [];

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    twilio = await TwilioSink.start();
    stack = await TestStack.start({
      label: 'notifier-proc',
      services: ['notifier'],
      env: {
        SMTP_URL: smtp.url,
        SMTP_FROM: 'Acme <no-reply@acme.test>',
        TWILIO_ACCOUNT_SID: twilio.accountSid,
        TWILIO_AUTH_TOKEN: twilio.authToken,
        TWILIO_FROM: '+14155550100',
        TWILIO_API_URL: twilio.url,
        OTP_DELIVERY_CONCURRENCY: '10',
        WORKER_LOCK_DURATION_MS: '4000',
        WORKER_STALLED_INTERVAL_MS: '1000',
        PROVIDER_TIMEOUT_MS: '2000',
      },
    });
    keyring = parseKeyring(stack.env.QUEUE_ENCRYPTION_KEY);
    producer = new TestProducer(stack.redisUrl, stack.prefix);
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    await producer?.close();
    await smtp?.stop();
    await twilio?.stop();
  });

  it('finishes all 5 active deliveries on SIGTERM, takes no new job, and exits 0', async () => {
    smtp.setDelay(1500);
    const addresses = Array.from({ length: 5 }, (_, i) => `term-${i}-${uniqueId()}@example.test`);
    const jobIds: string[] = [];
    for (const [i, to] of addresses.entries()) {
      const code = String(400000 + i);
      secrets.push(to, code);
      jobIds.push(await producer.addOtp(otpJob(keyring, { secret: { destination: to, code } })));
    }
    await waitFor(() => smtp.inFlight === 5, 10_000, 20, '5 deliveries in flight');

    const exited = stack.stopService('notifier', 'SIGTERM');
    await waitFor(async () => (await fetch(stack.healthUrl('notifier'))).status === 503, 5000, 20, 'readiness to turn false');
    const late = `late-${uniqueId()}@example.test`;
    secrets.push(late, '499999');
    const lateJob = await producer.addOtp(otpJob(keyring, { secret: { destination: late, code: '499999' } }));

    expect(await exited).toBe(0);
    for (const to of addresses) expect(smtp.latestTo(to)?.text).toContain('40000');
    for (const id of jobIds) expect(await producer.result(id, 1000)).toMatchObject({ status: 'sent' });
    expect(await producer.otpState(lateJob)).toBe('waiting');
    expect(smtp.latestTo(late)).toBeUndefined();

    // the job left waiting is delivered by the next notifier
    smtp.setDelay(0);
    await stack.startService('notifier');
    expect((await smtp.waitForTo(late, 10_000)).text).toContain('499999');
  }, 60_000);

  it('delivers the job of a SIGKILLed notifier with the next one, and only once', async () => {
    const to = '+14155550191';
    secrets.push(to, '525252');
    twilio.clear();
    twilio.failNext(1, { status: 0, hang: true });
    const jobId = await producer.addOtp(otpJob(keyring, { channel: 'sms', secret: { destination: to, code: '525252' } }));
    await waitFor(() => twilio.requests === 1, 10_000, 20, 'the provider call to be in flight');

    await stack.stopService('notifier', 'SIGKILL');
    await stack.startService('notifier');

    const sms = await twilio.waitForTo(to, 20_000);
    expect(sms.body).toContain('525252');
    expect(await producer.result(jobId)).toMatchObject({ status: 'sent', providerMessageId: sms.sid });
    await new Promise((r) => setTimeout(r, 1500));
    expect(twilio.messages.filter((m) => m.to === to)).toHaveLength(1);
  }, 60_000);

  it('wrote no code, email address or phone number to its log', () => {
    const logs = stack.logs.notifier.join('\n');
    expect(logs).toContain('message sent');
    for (const secret of secrets) expect(logs).not.toContain(secret);
  });
});
