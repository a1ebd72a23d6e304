import { SecurityEvent } from '@twostep/contracts';
import { SmtpSink, testInfra, testKey, uniqueTestPrefix, waitFor } from '@twostep/testing';
import { noticeJob, otpJob, RunningNotifier, startNotifier, TestProducer, uniqueId } from './notifier-fixtures';

interface LogLine {
  msg?: string;
  jobId?: string;
  reqId?: string;
}

describe('notifier: the producer request id travels with the job', () => {
  let sink: SmtpSink;
  let notifier: RunningNotifier;
  let producer: TestProducer;
  const prefix = uniqueTestPrefix('notif-reqid');

  beforeAll(async () => {
    sink = await SmtpSink.start();
    notifier = await startNotifier({
      REDIS_URL: testInfra().redisUrl,
      REDIS_KEY_PREFIX: prefix,
      QUEUE_ENCRYPTION_KEY: testKey(),
      SMTP_URL: sink.url,
      SMTP_FROM: 'Acme <no-reply@acme.test>',
      PROVIDER_TIMEOUT_MS: '3000',
      LOG_LEVEL: 'debug',
    });
    producer = new TestProducer(testInfra().redisUrl, prefix);
  });

  afterAll(async () => {
    await notifier?.stop();
    await producer?.close();
    await sink?.stop();
  });

  const linesOf = (jobId: string) => notifier.logs.map((l) => JSON.parse(l) as LogLine).filter((l) => l.jobId === jobId);

  it('logs an otp-delivery job under the request id it carries and passes the id on to its delivery result', async () => {
    const to = `rid-${uniqueId()}@example.test`;
    const jobId = await producer.addOtp({
      ...otpJob(notifier.keyring, { secret: { destination: to, code: '482913' } }),
      requestId: 'req-7f3.A_b',
    });
    await sink.waitForTo(to);
    expect((await producer.result(jobId)).requestId).toBe('req-7f3.A_b');
    await waitFor(() => linesOf(jobId).some((l) => l.msg === 'message sent'));
    const lines = linesOf(jobId);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.reqId === 'req-7f3.A_b')).toBe(true);
  });

  it('logs a security-notice job under the request id it carries', async () => {
    const email = `notice-${uniqueId()}@example.test`;
    const job = { ...noticeJob(notifier.keyring, SecurityEvent.PasswordChanged, { email }), requestId: 'notice-req-1' };
    const jobId = await producer.addNotice(job);
    await sink.waitForTo(email);
    await waitFor(() => linesOf(jobId).some((l) => l.msg === 'message sent'));
    expect(linesOf(jobId).every((l) => l.reqId === 'notice-req-1')).toBe(true);
  });

  it('ignores a malformed request id: the job is delivered, its lines and result carry none', async () => {
    for (const bad of ['x'.repeat(65), 'a b', 'id"}\n{"level":"fatal"', 42]) {
      const to = `bad-${uniqueId()}@example.test`;
      const jobId = await producer.addOtp({
        ...otpJob(notifier.keyring, { secret: { destination: to, code: '135790' } }),
        requestId: bad as string,
      });
      await sink.waitForTo(to);
      const result = await producer.result(jobId);
      expect(result.status).toBe('sent');
      expect(result).not.toHaveProperty('requestId');
      await waitFor(() => linesOf(jobId).some((l) => l.msg === 'message sent'));
      expect(linesOf(jobId).filter((l) => l.reqId !== undefined)).toEqual([]);
    }
  });
});
