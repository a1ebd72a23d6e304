import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotifierChannels, OtpDeliveryJobName, SecurityEvent, SharedRedisKey } from '@twostep/contracts';
import { SmtpSink, testInfra, testKey, TwilioSink, uniqueTestPrefix, waitFor } from '@twostep/testing';
import { noticeJob, otpJob, RunningNotifier, startNotifier, TestProducer, uniqueId } from './notifier-fixtures';

/** The value of the Prometheus sample `name` whose labels include `labels` (undefined when absent). */
function sample(metrics: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of metrics.split('\n')) {
    const m = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...m[2].matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

async function heartbeat(producer: TestProducer): Promise<NotifierChannels | undefined> {
  const raw = await producer.redis.get(SharedRedisKey.notifierChannels(producer.prefix));
  return raw ? (JSON.parse(raw) as NotifierChannels) : undefined;
}

describe('notifier channels by environment', () => {
  const dirs: string[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function boot(env: Record<string, string>): Promise<{ notifier: RunningNotifier; producer: TestProducer; dataDir: string }> {
    const prefix = uniqueTestPrefix('notif-env');
    const dataDir = mkdtempSync(join(tmpdir(), 'notifier-'));
    dirs.push(dataDir);
    const notifier = await startNotifier({
      REDIS_URL: testInfra().redisUrl,
      REDIS_KEY_PREFIX: prefix,
      QUEUE_ENCRYPTION_KEY: testKey(),
      DATA_DIR: dataDir,
      ...env,
    });
    const producer = new TestProducer(testInfra().redisUrl, prefix);
    cleanups.push(async () => {
      await notifier.stop();
      await producer.close();
    });
    return { notifier, producer, dataDir };
  }

  it('writes the heartbeat with the configured channels (SMTP on, SMS unconfigured in production) and a TTL of about 30 s', async () => {
    const sink = await SmtpSink.start();
    cleanups.push(() => sink.stop());
    const { producer } = await boot({ NODE_ENV: 'production', SMTP_URL: sink.url, SMTP_FROM: 'Acme <no-reply@acme.test>' });
    const beat = await heartbeat(producer);
    expect(beat).toEqual({ email: true, sms: false, at: expect.any(String) });
    expect(Date.now() - Date.parse(beat!.at)).toBeLessThan(15_000);
    const ttl = await producer.redis.ttl(SharedRedisKey.notifierChannels(producer.prefix));
    expect(ttl).toBeGreaterThan(15);
    expect(ttl).toBeLessThanOrEqual(30);
  });

  it('reports Twilio as the SMS channel in the heartbeat when it is configured', async () => {
    const sink = await TwilioSink.start();
    cleanups.push(() => sink.stop());
    const { producer } = await boot({
      NODE_ENV: 'production',
      TWILIO_ACCOUNT_SID: sink.accountSid,
      TWILIO_AUTH_TOKEN: sink.authToken,
      TWILIO_FROM: '+14155550100',
      TWILIO_API_URL: sink.url,
      SMS_ALLOWED_COUNTRIES: 'US',
    });
    expect(await heartbeat(producer)).toMatchObject({ email: false, sms: true });
  });

  it('uses the file outbox in development and serves the latest messages for an address on /dev/outbox', async () => {
    const { notifier, producer, dataDir } = await boot({ NODE_ENV: 'development' });
    expect(await heartbeat(producer)).toMatchObject({ email: true, sms: true });
    const email = `dev-${uniqueId()}@example.test`;
    const phone = '+14155550177';
    const mailJob = await producer.addOtp(otpJob(notifier.keyring, { secret: { destination: email, code: '808080', userName: 'Dev' } }));
    const smsJob = await producer.addOtp(
      otpJob(notifier.keyring, {
        channel: 'sms',
        name: OtpDeliveryJobName.PhoneVerificationCode,
        secret: { destination: phone, code: '909091' },
      }),
    );
    expect((await producer.result(mailJob)).status).toBe('sent');
    expect((await producer.result(smsJob)).status).toBe('sent');

    const files = readdirSync(join(dataDir, 'outbox'));
    expect(files).toHaveLength(2);
    const mailFile = readFileSync(
      join(
        dataDir,
        'outbox',
        files.find((f) => f.includes('-email-'))!,
      ),
      'utf8',
    );
    expect(mailFile).toContain(`To: ${email}`);
    expect(mailFile).toContain('Subject: Verification Code for Acme Cloud');
    expect(mailFile).toContain('808080');

    const res = await fetch(notifier.url(`/dev/outbox?to=${encodeURIComponent(email.toUpperCase())}`));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { messages: Array<{ channel: string; to: string; subject: string; text: string; html: string }> };
    expect(body.messages).toHaveLength(1);
    expect(body.messages[0]).toMatchObject({ channel: 'email', to: email, subject: 'Verification Code for Acme Cloud' });
    expect(body.messages[0].text).toContain('808080');
    expect(body.messages[0].html).toContain('808080');

    const sms = (await (await fetch(notifier.url(`/dev/outbox?to=${encodeURIComponent(phone)}`))).json()) as {
      messages: Array<{ text: string }>;
    };
    expect(sms.messages[0].text).toMatch(/^909091 is your Acme Cloud code/);
    expect((await fetch(notifier.url('/dev/outbox'))).status).toBe(400);
  });

  it('refuses the outbox in production: unconfigured channels are disabled, jobs fail as channel_disabled and /dev/outbox is not served', async () => {
    const { notifier, producer, dataDir } = await boot({ NODE_ENV: 'production' });
    expect(await heartbeat(producer)).toMatchObject({ email: false, sms: false });
    const mailJob = await producer.addOtp(otpJob(notifier.keyring, { secret: { destination: 'prod@example.test', code: '123987' } }));
    const smsJob = await producer.addOtp(
      otpJob(notifier.keyring, { channel: 'sms', secret: { destination: '+14155550178', code: '123988' } }),
    );
    expect(await producer.result(mailJob)).toMatchObject({ status: 'failed', reason: 'channel_disabled' });
    expect(await producer.result(smsJob)).toMatchObject({ status: 'failed', reason: 'channel_disabled' });
    expect((await fetch(notifier.url('/dev/outbox?to=prod@example.test'))).status).toBe(404);
    expect(existsSync(join(dataDir, 'outbox'))).toBe(false);
  });
});

describe('notifier operations: readiness, metrics, secrets, Redis faults', () => {
  let smtp: SmtpSink;
  let twilio: TwilioSink;
  let notifier: RunningNotifier;
  let producer: TestProducer;
  const prefix = uniqueTestPrefix('notif-ops');

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    twilio = await TwilioSink.start();
    notifier = await startNotifier({
      REDIS_URL: testInfra().redisUrl,
      REDIS_KEY_PREFIX: prefix,
      QUEUE_ENCRYPTION_KEY: testKey(),
      SMTP_URL: smtp.url,
      SMTP_FROM: 'Acme <no-reply@acme.test>',
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_FROM: '+14155550100',
      TWILIO_API_URL: twilio.url,
    });
    producer = new TestProducer(testInfra().redisUrl, prefix);
  });

  afterAll(async () => {
    await notifier?.stop();
    await producer?.close();
    await smtp?.stop();
    await twilio?.stop();
  });

  it('is ready when Redis answers and both workers run', async () => {
    const res = await fetch(notifier.url('/health/ready'));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { checks: Record<string, string> }).checks).toEqual({
      redis: 'up',
      'otp-delivery-worker': 'up',
      'security-notices-worker': 'up',
    });
  });

  it('exposes sent, failed by reason, retried, latency, queue depth and the age of the oldest waiting job on /metrics', async () => {
    twilio.failNext(1, { status: 503, code: 20500 });
    const sent = await producer.addOtp(
      otpJob(notifier.keyring, { channel: 'sms', secret: { destination: '+14155550181', code: '121314' } }),
    );
    expect((await producer.result(sent)).status).toBe('sent');
    twilio.failNext(1, { status: 400, code: 21610 });
    const failed = await producer.addOtp(
      otpJob(notifier.keyring, { channel: 'sms', secret: { destination: '+14155550182', code: '121315' } }),
    );
    expect((await producer.result(failed)).reason).toBe('unsubscribed');
    await producer.otp.add(OtpDeliveryJobName.MfaChallengeCode as never, {} as never, { jobId: `delayed-${uniqueId()}`, delay: 60_000 });

    const metrics = await (await fetch(notifier.url('/metrics'))).text();
    expect(sample(metrics, 'notifier_messages_sent_total', { queue: 'otp-delivery', channel: 'sms', provider: 'twilio' })).toBe(1);
    expect(sample(metrics, 'notifier_messages_failed_total', { queue: 'otp-delivery', channel: 'sms', reason: 'unsubscribed' })).toBe(1);
    expect(sample(metrics, 'notifier_delivery_retries_total', { queue: 'otp-delivery', channel: 'sms', reason: 'transient' })).toBe(1);
    expect(sample(metrics, 'notifier_delivery_latency_seconds_count', { queue: 'otp-delivery', channel: 'sms' })).toBe(1);
    expect(sample(metrics, 'notifier_queue_jobs', { queue: 'otp-delivery', state: 'delayed' })).toBe(1);
    expect(sample(metrics, 'notifier_queue_jobs', { queue: 'otp-delivery', state: 'failed' })).toBe(1);
    expect(sample(metrics, 'notifier_queue_jobs', { queue: 'delivery-results', state: 'waiting' })).toBe(2);
    // nobody consumes delivery-results here: its oldest waiting job ages; otp-delivery has none waiting
    expect(sample(metrics, 'notifier_queue_oldest_waiting_seconds', { queue: 'delivery-results' })).toBeGreaterThan(0);
    expect(sample(metrics, 'notifier_queue_oldest_waiting_seconds', { queue: 'otp-delivery' })).toBe(0);
    expect(sample(metrics, 'notifier_channel_enabled', { channel: 'email', provider: 'smtp' })).toBe(1);
  });

  it('never writes a code, an email address or a phone number in clear text to Redis or to a log line', async () => {
    const email = `secret-${uniqueId()}@example.test`;
    const phone = '+14155550183';
    const codes = ['731946', '731947', '731948', '731949'];
    // providers echo the destination in their error messages: those must not leak either
    smtp.failNext(1, { code: 550, message: `mailbox ${email} unavailable` });
    twilio.failNext(1, { status: 400, code: 21211, message: `The 'To' number ${phone} is not a valid phone number.` });
    const a = await producer.addOtp(otpJob(notifier.keyring, { secret: { destination: email, code: codes[0], userName: 'Secret Name' } }));
    const b = await producer.addOtp(otpJob(notifier.keyring, { channel: 'sms', secret: { destination: phone, code: codes[1] } }));
    expect((await producer.result(a)).status).toBe('failed');
    expect((await producer.result(b)).status).toBe('failed');
    const c = await producer.addOtp(otpJob(notifier.keyring, { secret: { destination: email, code: codes[2] } }));
    const d = await producer.addOtp(otpJob(notifier.keyring, { channel: 'sms', secret: { destination: phone, code: codes[3] } }));
    expect((await producer.result(c)).status).toBe('sent');
    expect((await producer.result(d)).status).toBe('sent');
    await producer.addNotice(noticeJob(notifier.keyring, SecurityEvent.RecoveryCodeUsed, { email, userName: 'Secret Name' }));
    await smtp.waitFor((m) => m.envelopeTo.includes(email) && m.subject.includes('recovery code'));

    const everything = `${await producer.dump()}\n${notifier.logs.join('\n')}`;
    expect(everything).toContain('challenge-'); // the dump and logs did capture the jobs
    for (const secret of [...codes, email, phone, phone.slice(1), 'Secret Name']) expect(everything).not.toContain(secret);
  });

  it('keeps delivering after Redis drops every notifier connection (ioredis reconnects, no restart)', async () => {
    const clients = (await producer.redis.client('LIST')) as string;
    const ours = clients
      .split('\n')
      .map((line) => ({ id: /\bid=(\d+)/.exec(line)?.[1], name: /\bname=(\S*)/.exec(line)?.[1] ?? '' }))
      .filter((c) => c.id && (c.name.startsWith(`notifier:${prefix}:`) || c.name.startsWith(`${prefix}:`)));
    expect(ours.length).toBeGreaterThanOrEqual(3);
    for (const c of ours) await producer.redis.client('KILL', 'ID', c.id!);

    const to = `after-kill-${uniqueId()}@example.test`;
    await producer.addOtp(otpJob(notifier.keyring, { secret: { destination: to, code: '606060' } }));
    await smtp.waitForTo(to, 15_000);
    await waitFor(async () => (await fetch(notifier.url('/health/ready'))).status === 200, 10_000, 100, 'readiness after reconnect');
  });
});
