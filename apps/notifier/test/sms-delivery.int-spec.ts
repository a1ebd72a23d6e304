import { OtpDeliveryJobName } from '@twostep/contracts';
import { testInfra, testKey, TwilioSink, uniqueTestPrefix } from '@twostep/testing';
import { otpJob, RunningNotifier, startNotifier, TestProducer } from './notifier-fixtures';

/** Valid numbers (libphonenumber) per region, distinct per test so per-destination limits never meet. */
let nextNumber = 100;
function usNumber(): string {
  return `+1415555${String(nextNumber++).padStart(4, '0')}`;
}
function gbNumber(): string {
  return `+4477001${String(nextNumber++).padStart(5, '0')}`;
}
function frNumber(): string {
  return `+3361234${String(nextNumber++).padStart(4, '0')}`;
}

describe('notifier SMS delivery (real twilio SDK against a loopback Messages API)', () => {
  let sink: TwilioSink;
  let notifier: RunningNotifier;
  let producer: TestProducer;
  const prefix = uniqueTestPrefix('notif-sms');
  const from = '+14155550100';

  beforeAll(async () => {
    sink = await TwilioSink.start();
    notifier = await startNotifier({
      REDIS_URL: testInfra().redisUrl,
      REDIS_KEY_PREFIX: prefix,
      QUEUE_ENCRYPTION_KEY: testKey(),
      TWILIO_ACCOUNT_SID: sink.accountSid,
      TWILIO_AUTH_TOKEN: sink.authToken,
      TWILIO_FROM: from,
      TWILIO_API_URL: sink.url,
      SMS_ALLOWED_COUNTRIES: 'US,GB',
      SMS_DESTINATION_LIMIT: '2',
      PROVIDER_TIMEOUT_MS: '1000',
    });
    producer = new TestProducer(testInfra().redisUrl, prefix);
  });

  afterAll(async () => {
    await notifier?.stop();
    await producer?.close();
    await sink?.stop();
  });

  beforeEach(() => sink.clear());

  it('sends the MFA code SMS to the number, from TWILIO_FROM, with the account credentials and the code in the body', async () => {
    const to = usNumber();
    const job = otpJob(notifier.keyring, { channel: 'sms', secret: { destination: to, code: '482913' } });
    const jobId = await producer.addOtp(job);
    const sms = await sink.waitForTo(to);
    expect(sms.from).toBe(from);
    expect(sms.auth).toEqual({ username: sink.accountSid, password: sink.authToken });
    expect(sms.body).toMatch(/^482913 is your Acme Cloud verification code\. It expires in (9|10) minutes\./);
    expect(await producer.result(jobId)).toMatchObject({ status: 'sent', channel: 'sms', providerMessageId: sms.sid, attempts: 1 });
  });

  it('sends the phone verification code SMS in the job locale', async () => {
    const to = gbNumber();
    await producer.addOtp(
      otpJob(notifier.keyring, {
        name: OtpDeliveryJobName.PhoneVerificationCode,
        channel: 'sms',
        locale: 'fr',
        secret: { destination: to, code: '314159' },
      }),
    );
    const sms = await sink.waitForTo(to);
    expect(sms.body).toMatch(/^314159 est votre code Acme Cloud pour vérifier ce numéro/);
  });

  it('retries a transient Twilio failure (HTTP 503) three times, then delivers exactly once', async () => {
    const to = usNumber();
    sink.failNext(3, { status: 503, code: 20500, message: 'service unavailable' });
    const jobId = await producer.addOtp(otpJob(notifier.keyring, { channel: 'sms', secret: { destination: to, code: '271828' } }));
    expect(await producer.result(jobId, 15_000)).toMatchObject({ status: 'sent', attempts: 4 });
    expect(sink.requests).toBe(4);
    expect(sink.messages.filter((m) => m.to === to)).toHaveLength(1);
  });

  it('honours Retry-After on Twilio rate limiting (429, 20429) before trying again', async () => {
    const to = usNumber();
    sink.failNext(1, { status: 429, code: 20429, message: 'Too Many Requests', retryAfter: 2 });
    const t0 = Date.now();
    const jobId = await producer.addOtp(otpJob(notifier.keyring, { channel: 'sms', secret: { destination: to, code: '161803' } }));
    const sms = await sink.waitForTo(to, 15_000);
    expect(sms.receivedAt.getTime() - t0).toBeGreaterThanOrEqual(2000);
    expect(await producer.result(jobId)).toMatchObject({ status: 'sent' });
    expect(sink.requests).toBe(2);
  });

  it('retries after a provider timeout (a request that never answers) and delivers', async () => {
    const to = usNumber();
    sink.failNext(1, { status: 0, hang: true });
    const jobId = await producer.addOtp(otpJob(notifier.keyring, { channel: 'sms', secret: { destination: to, code: '141421' } }));
    expect(await producer.result(jobId, 15_000)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(sink.messages.filter((m) => m.to === to)).toHaveLength(1);
  });

  it.each([
    [21211, 'invalid_destination', 400],
    [21610, 'unsubscribed', 400],
    [21408, 'unreachable', 400],
    [20003, 'provider_auth', 401],
  ])('fails Twilio error %i permanently, without retry, and reports %s on delivery-results', async (code, reason, status) => {
    sink.failNext(2, { status, code });
    const jobId = await producer.addOtp(otpJob(notifier.keyring, { channel: 'sms', secret: { destination: usNumber(), code: '112358' } }));
    expect(await producer.result(jobId)).toMatchObject({ status: 'failed', reason, attempts: 1, channel: 'sms' });
    expect(await producer.otpState(jobId)).toBe('failed');
    expect(sink.requests).toBe(1);
    expect(sink.pendingFailures).toBe(1);
  });

  it('blocks a number outside SMS_ALLOWED_COUNTRIES before any provider call', async () => {
    const jobId = await producer.addOtp(otpJob(notifier.keyring, { channel: 'sms', secret: { destination: frNumber(), code: '998877' } }));
    expect(await producer.result(jobId)).toMatchObject({ status: 'failed', reason: 'destination_not_allowed' });
    expect(sink.requests).toBe(0);
  });

  it('blocks the SMS over the per-destination limit before any provider call, and does not count a retried job twice', async () => {
    const to = gbNumber();
    sink.failNext(1, { status: 500, code: 20500 });
    const first = await producer.addOtp(otpJob(notifier.keyring, { channel: 'sms', secret: { destination: to, code: '100001' } }));
    expect(await producer.result(first)).toMatchObject({ status: 'sent', attempts: 2 });
    const second = await producer.addOtp(otpJob(notifier.keyring, { channel: 'sms', secret: { destination: to, code: '100002' } }));
    expect(await producer.result(second)).toMatchObject({ status: 'sent' });
    const requestsBefore = sink.requests;
    const third = await producer.addOtp(otpJob(notifier.keyring, { channel: 'sms', secret: { destination: to, code: '100003' } }));
    expect(await producer.result(third)).toMatchObject({ status: 'failed', reason: 'destination_limit' });
    expect(sink.requests).toBe(requestsBefore);
    expect(sink.messages.filter((m) => m.to === to).map((m) => m.body.slice(0, 6))).toEqual(['100001', '100002']);
  });

  it('fails a malformed number permanently as invalid_destination before any provider call', async () => {
    const jobId = await producer.addOtp(
      otpJob(notifier.keyring, { channel: 'sms', secret: { destination: '+1 415\r\n555', code: '123456' } }),
    );
    expect(await producer.result(jobId)).toMatchObject({ status: 'failed', reason: 'invalid_destination' });
    expect(sink.requests).toBe(0);
  });

  it('keeps the destination out of Redis: limit counters are keyed by a keyed hash of the number', async () => {
    const to = usNumber();
    await producer.addOtp(otpJob(notifier.keyring, { channel: 'sms', secret: { destination: to, code: '246802' } }));
    await sink.waitForTo(to);
    const keys = await producer.redis.keys(`${prefix}:notifier:sms-limit:*`);
    expect(keys.some((k) => /:dest:(?:verified|unverified):[0-9a-f]{64}$/.test(k))).toBe(true);
    const dump = await producer.dump();
    expect(dump).not.toContain(to);
    expect(dump).not.toContain(to.slice(1));
    expect(dump).not.toContain('246802');
  });
});

describe('notifier SMS through a Twilio messaging service, with a per-country limit', () => {
  let sink: TwilioSink;
  let notifier: RunningNotifier;
  let producer: TestProducer;
  const prefix = uniqueTestPrefix('notif-msid');
  const messagingServiceSid = `MG${'ab'.repeat(16)}`;

  beforeAll(async () => {
    sink = await TwilioSink.start();
    notifier = await startNotifier({
      REDIS_URL: testInfra().redisUrl,
      REDIS_KEY_PREFIX: prefix,
      QUEUE_ENCRYPTION_KEY: testKey(),
      TWILIO_ACCOUNT_SID: sink.accountSid,
      TWILIO_AUTH_TOKEN: sink.authToken,
      TWILIO_MESSAGING_SERVICE_SID: messagingServiceSid,
      TWILIO_API_URL: sink.url,
      SMS_COUNTRY_LIMIT: '1',
    });
    producer = new TestProducer(testInfra().redisUrl, prefix);
  });

  afterAll(async () => {
    await notifier?.stop();
    await producer?.close();
    await sink?.stop();
  });

  it('sends with MessagingServiceSid instead of From when TWILIO_MESSAGING_SERVICE_SID is set', async () => {
    await producer.addOtp(otpJob(notifier.keyring, { channel: 'sms', secret: { destination: '+14155550142', code: '424242' } }));
    const sms = await sink.waitForTo('+14155550142');
    expect(sms.messagingServiceSid).toBe(messagingServiceSid);
    expect(sms.from).toBeUndefined();
  });

  it('blocks the SMS over the per-country limit before any provider call, and counts each country apart', async () => {
    const requestsBefore = sink.requests;
    const us = await producer.addOtp(otpJob(notifier.keyring, { channel: 'sms', secret: { destination: '+14155550143', code: '434343' } }));
    expect(await producer.result(us)).toMatchObject({ status: 'failed', reason: 'country_limit' });
    expect(sink.requests).toBe(requestsBefore);
    const fr = await producer.addOtp(otpJob(notifier.keyring, { channel: 'sms', secret: { destination: frNumber(), code: '454545' } }));
    expect(await producer.result(fr)).toMatchObject({ status: 'sent' });
  });
});
