import { OtpDeliveryJobName } from '@twostep/contracts';
import { uniqueId } from '@twostep/crypto';
import { testInfra, testKey, TwilioSink, uniqueTestPrefix } from '@twostep/testing';
import { otpJob, RunningNotifier, startNotifier, TestProducer } from './notifier-fixtures';

/**
 * SMS pumping caps (issue 10, hole 8): per account per day, per number range, per country, each counted
 * apart for verified destinations (MFA challenge codes) and unverified ones (phone verification), so
 * abuse that spends the unverified budget cannot block a verified user's code.
 */
describe('notifier SMS caps (real twilio SDK against a loopback Messages API)', () => {
  let sink: TwilioSink;
  let notifier: RunningNotifier;
  let producer: TestProducer;
  const prefix = uniqueTestPrefix('notif-smscap');
  let next = 1000;
  /** distinct GB mobile numbers, each in a range (all but the last 4 digits) of its own */
  const gbNumber = () => `+4477${String(next++).padStart(4, '0')}1234`;

  beforeAll(async () => {
    sink = await TwilioSink.start();
    notifier = await startNotifier({
      REDIS_URL: testInfra().redisUrl,
      REDIS_KEY_PREFIX: prefix,
      QUEUE_ENCRYPTION_KEY: testKey(),
      TWILIO_ACCOUNT_SID: sink.accountSid,
      TWILIO_AUTH_TOKEN: sink.authToken,
      TWILIO_FROM: '+14155550100',
      TWILIO_API_URL: sink.url,
      SMS_ALLOWED_COUNTRIES: 'US,GB,FR',
      SMS_COUNTRY_LIMIT: '3',
      SMS_PREFIX_LIMIT: '2',
      SMS_ACCOUNT_DAILY_LIMIT: '2',
      PROVIDER_TIMEOUT_MS: '1000',
    });
    producer = new TestProducer(testInfra().redisUrl, prefix);
  });

  afterAll(async () => {
    await notifier?.stop();
    await producer?.close();
    await sink?.stop();
  });

  const send = async (to: string, opts: { name?: OtpDeliveryJobName; userId?: string } = {}) => {
    const jobId = await producer.addOtp(
      otpJob(notifier.keyring, {
        channel: 'sms',
        name: opts.name ?? OtpDeliveryJobName.PhoneVerificationCode,
        userId: opts.userId,
        secret: { destination: to, code: '246810' },
      }),
    );
    return producer.result(jobId);
  };

  const metric = async (cap: string, bucket: string) => {
    const text = await (await fetch(notifier.url('/metrics'))).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith('notifier_sms_cap_tripped_total{') && l.includes(`cap="${cap}"`) && l.includes(`bucket="${bucket}"`));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  it('caps one account per day, and a tripped cap is counted and logged without the number', async () => {
    const userId = uniqueId();
    const numbers = [gbNumber(), gbNumber(), gbNumber()];
    expect(await send(numbers[0], { userId })).toMatchObject({ status: 'sent' });
    expect(await send(numbers[1], { userId })).toMatchObject({ status: 'sent' });
    const before = sink.requests;
    expect(await send(numbers[2], { userId })).toMatchObject({ status: 'failed', reason: 'account_limit' });
    expect(sink.requests).toBe(before);
    expect(await metric('account', 'unverified')).toBe(1);
    const line = notifier.logs.find((l) => l.includes('SMS cap reached'));
    expect(line).toBeDefined();
    expect(line).toMatch(/"cap":"account"/);
    for (const n of numbers) expect(notifier.logs.join('\n')).not.toContain(n.slice(1));
  });

  it('caps one number range (the number without its last 4 digits) across accounts', async () => {
    const range = `+3361${String(next++ % 1000).padStart(3, '0')}`; // French mobiles: the other tests do not spend France's country budget
    expect(await send(`${range}0001`)).toMatchObject({ status: 'sent' });
    expect(await send(`${range}0002`)).toMatchObject({ status: 'sent' });
    expect(await send(`${range}0003`)).toMatchObject({ status: 'failed', reason: 'prefix_limit' });
  });

  it('keeps a separate budget for verified numbers: pumping spends the unverified country cap, MFA codes still go out', async () => {
    // fill the unverified country budget for US (3 an hour) from different accounts and ranges
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await send(`+1415${String(200 + i)}${String(next++ % 10_000).padStart(4, '0')}`));
    expect(results.map((r) => r.status)).toEqual(['sent', 'sent', 'sent', 'failed']);
    expect(results[3]).toMatchObject({ reason: 'country_limit' });
    expect(await metric('country', 'unverified')).toBe(1);
    // a verified user's challenge code to a US number still goes out
    const verified = `+1415300${String(next++ % 10_000).padStart(4, '0')}`;
    expect(await send(verified, { name: OtpDeliveryJobName.MfaChallengeCode })).toMatchObject({ status: 'sent' });
    expect((await sink.waitForTo(verified)).body).toMatch(/^246810 /);
  });
});
