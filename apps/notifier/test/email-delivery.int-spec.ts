import { JobId, OtpDeliveryJob, OtpDeliveryJobName, SecurityEvent, SharedRedisKey } from '@twostep/contracts';
import { seal } from '@twostep/crypto';
import { SmtpSink, testInfra, testKey, uniqueTestPrefix, waitFor } from '@twostep/testing';
import { otpJob, noticeJob, RunningNotifier, startNotifier, TestProducer, uniqueId } from './notifier-fixtures';

const FROM = 'Acme Cloud <no-reply@acme.test>';

describe('notifier email delivery (real Redis, BullMQ and SMTP)', () => {
  let sink: SmtpSink;
  let notifier: RunningNotifier;
  let producer: TestProducer;
  const prefix = uniqueTestPrefix('notif-email');

  beforeAll(async () => {
    sink = await SmtpSink.start();
    notifier = await startNotifier({
      REDIS_URL: testInfra().redisUrl,
      REDIS_KEY_PREFIX: prefix,
      QUEUE_ENCRYPTION_KEY: testKey(),
      SMTP_URL: sink.url,
      SMTP_FROM: FROM,
      PROVIDER_TIMEOUT_MS: '3000',
    });
    producer = new TestProducer(testInfra().redisUrl, prefix);
  });

  afterAll(async () => {
    await notifier?.stop();
    await producer?.close();
    await sink?.stop();
  });

  beforeEach(() => sink.clear());

  it('delivers the MFA code email to the recipient, from SMTP_FROM, with subject, text and HTML parts holding the code', async () => {
    const to = `alice-${uniqueId()}@example.test`;
    const job = otpJob(notifier.keyring, {
      secret: { destination: to, code: '482913', userName: 'Alice' },
      requester: { clientName: 'Chrome 126', osName: 'macOS', deviceName: 'Desktop' },
    });
    const jobId = await producer.addOtp(job);
    const mail = await sink.waitForTo(to);

    expect(mail.envelopeTo).toEqual([to]);
    expect(mail.envelopeFrom).toBe('no-reply@acme.test');
    expect(mail.headers.from).toBe('Acme Cloud <no-reply@acme.test>');
    expect(mail.subject).toBe('Verification Code for Acme Cloud');
    expect(mail.text).toContain('482913');
    expect(mail.text).toContain('Hello Alice,');
    expect(mail.text).toMatch(/expire in (9|10) minutes/);
    expect(mail.text).toContain('requested using Chrome 126 on Desktop macOS');
    expect(mail.html).toContain('482913');
    expect(mail.html).toContain('<strong>Acme Cloud</strong>');

    const result = await producer.result(jobId);
    expect(result).toMatchObject({
      name: 'delivery-outcome',
      deliveryName: OtpDeliveryJobName.MfaChallengeCode,
      referenceId: job.referenceId,
      channel: 'email',
      status: 'sent',
      attempts: 1,
    });
    expect(result.providerMessageId).toBe(mail.headers['message-id']);
  });

  it('renders the job locale, and English for an unknown locale', async () => {
    const fr = `fr-${uniqueId()}@example.test`;
    const xx = `xx-${uniqueId()}@example.test`;
    await producer.addOtp(otpJob(notifier.keyring, { locale: 'fr-CA', secret: { destination: fr, code: '111222' } }));
    await producer.addOtp(otpJob(notifier.keyring, { locale: 'tlh', secret: { destination: xx, code: '333444' } }));
    expect((await sink.waitForTo(fr)).subject).toBe('Code de vérification pour Acme Cloud');
    expect((await sink.waitForTo(xx)).subject).toBe('Verification Code for Acme Cloud');
  });

  it('sends the verification link email with the link in both parts', async () => {
    const to = `link-${uniqueId()}@example.test`;
    const url = `https://app.example.test/verify?userId=u1&secret=${uniqueId()}`;
    const job = otpJob(notifier.keyring, { name: OtpDeliveryJobName.EmailVerificationLink, secret: { destination: to, url } });
    const jobId = await producer.addOtp(job);
    const mail = await sink.waitForTo(to);
    expect(mail.subject).toBe('Verify your email address for Acme Cloud');
    expect(mail.text).toContain(url);
    expect(mail.html).toContain(`href="${url.replace(/&/g, '&amp;')}"`);
    expect(jobId).toBe(JobId.verification(job.referenceId));
    expect((await producer.result(jobId)).status).toBe('sent');
  });

  it('escapes user-provided names in HTML and keeps CR/LF out of the subject header', async () => {
    const to = `esc-${uniqueId()}@example.test`;
    await producer.addOtp(
      otpJob(notifier.keyring, {
        projectName: 'Evil <b>Co</b>\r\nBcc: victim@example.test',
        secret: { destination: to, code: '909090', userName: '<script>alert(1)</script>' },
      }),
    );
    const mail = await sink.waitForTo(to);
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).toContain('Evil &lt;b&gt;Co&lt;/b&gt;');
    expect(mail.subject).toBe('Verification Code for Evil <b>Co</b> Bcc: victim@example.test');
    expect(mail.headers.bcc).toBeUndefined();
    expect(mail.envelopeTo).toEqual([to]);
  });

  it('fails a destination holding CR/LF permanently as invalid_destination, without contacting SMTP', async () => {
    const job = otpJob(notifier.keyring, { secret: { destination: 'a@example.test\r\nBcc: b@example.test', code: '123123' } });
    const jobId = await producer.addOtp(job);
    expect(await producer.result(jobId)).toMatchObject({ status: 'failed', reason: 'invalid_destination', attempts: 1 });
    expect(await producer.otpState(jobId)).toBe('failed');
    expect(sink.messages).toHaveLength(0);
  });

  it('retries a transient SMTP failure (421) three times, then delivers exactly once', async () => {
    const to = `retry-${uniqueId()}@example.test`;
    sink.failNext(3, { code: 421, message: 'try again later' });
    const jobId = await producer.addOtp(otpJob(notifier.keyring, { secret: { destination: to, code: '246810' } }));
    const result = await producer.result(jobId, 15_000);
    expect(result).toMatchObject({ status: 'sent', attempts: 4 });
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.messages.filter((m) => m.envelopeTo.includes(to))).toHaveLength(1);
  });

  it('fails an SMTP 5xx permanently as provider_rejected, without retry', async () => {
    sink.failNext(2, { code: 554, message: 'rejected' });
    const to = `perm-${uniqueId()}@example.test`;
    const jobId = await producer.addOtp(otpJob(notifier.keyring, { secret: { destination: to, code: '135790' } }));
    expect(await producer.result(jobId)).toMatchObject({ status: 'failed', reason: 'provider_rejected', attempts: 1 });
    // the result is published from inside the attempt; BullMQ records the failure just after it
    await waitFor(async () => (await producer.otpState(jobId)) === 'failed', 10_000, 50, 'the job to be failed');
    const job = await producer.otp.getJob(jobId);
    expect(job?.attemptsMade).toBe(1);
    expect(await job?.getState()).toBe('failed');
    // the second scripted refusal was never used: nobody tried again
    expect(sink.pendingFailures).toBe(1);
  });

  it('drops a job whose challenge expired without contacting SMTP', async () => {
    const to = `expired-${uniqueId()}@example.test`;
    const jobId = await producer.addOtp(otpJob(notifier.keyring, { expiresInMs: -1000, secret: { destination: to, code: '555666' } }));
    expect(await producer.result(jobId)).toMatchObject({ status: 'dropped', reason: 'expired' });
    expect(sink.messages).toHaveLength(0);
  });

  it('drops a job whose challenge was consumed or superseded (closed reference) without contacting SMTP', async () => {
    const to = `closed-${uniqueId()}@example.test`;
    const referenceId = uniqueId();
    await producer.redis.set(SharedRedisKey.closedReference(prefix, referenceId), '1', 'EX', 600);
    const jobId = await producer.addOtp(otpJob(notifier.keyring, { referenceId, secret: { destination: to, code: '777888' } }));
    expect(await producer.result(jobId)).toMatchObject({ status: 'dropped', reason: 'consumed' });
    expect(sink.messages).toHaveLength(0);
  });

  it('sends once when the same job is enqueued twice, also after the completed job was removed', async () => {
    const to = `dup-${uniqueId()}@example.test`;
    const job = otpJob(notifier.keyring, { secret: { destination: to, code: '102938' } });
    sink.setDelay(300);
    try {
      const [first, second] = await Promise.all([producer.addOtp(job), producer.addOtp(job)]);
      expect(first).toBe(second);
      await sink.waitForTo(to);
      await waitFor(async () => (await producer.otpState(first)) === 'unknown', 5000, 50, 'the completed job to be removed');
      await producer.addOtp(job);
      await waitFor(async () => (await producer.otpState(first)) === 'unknown', 5000, 50, 'the re-added job to complete');
    } finally {
      sink.setDelay(0);
    }
    expect(sink.messages.filter((m) => m.envelopeTo.includes(to))).toHaveLength(1);
  });

  it('fails a payload sealed for another job kind (or with another key) as undecryptable', async () => {
    const job = otpJob(notifier.keyring, { secret: { destination: 'x@example.test', code: '121212' } });
    job.sealed = seal({ destination: 'x@example.test', code: '121212' }, notifier.keyring, 'security-notices|security-notice');
    const jobId = await producer.addOtp(job);
    expect(await producer.result(jobId)).toMatchObject({ status: 'failed', reason: 'undecryptable' });
    expect(sink.messages).toHaveLength(0);
  });

  it('fails a job that does not match its queue schema once, permanently, and a malformed sealed part as invalid_payload', async () => {
    const wrong = { ...otpJob(notifier.keyring, { secret: { destination: 'y@example.test', code: '131313' } }), channel: 'pigeon' };
    const wrongId = await producer.addOtp(wrong as unknown as OtpDeliveryJob);
    await waitFor(async () => (await producer.otpState(wrongId)) === 'failed', 10_000, 50, 'the malformed job to fail');
    expect((await producer.otp.getJob(wrongId))?.attemptsMade).toBe(1);
    const badCode = otpJob(notifier.keyring, { secret: { destination: 'z@example.test', code: '12ab56' } });
    expect(await producer.result(await producer.addOtp(badCode))).toMatchObject({
      status: 'failed',
      reason: 'invalid_payload',
      attempts: 1,
    });
    expect(sink.messages).toHaveLength(0);
  });

  it.each(Object.values(SecurityEvent))('emails the security notice for %s', async (event) => {
    const to = `notice-${uniqueId()}@example.test`;
    await producer.addNotice(noticeJob(notifier.keyring, event, { email: to, userName: 'Bob' }));
    const mail = await sink.waitForTo(to);
    expect(mail.subject).toContain('Acme Cloud');
    expect(mail.text).toContain('Hello Bob,');
    expect(mail.text).toContain('Device: Firefox 128 on Desktop Linux.');
    expect(mail.html).toContain('<strong>Acme Cloud</strong>');
  });

  it('sends a security notice once even when it is enqueued again after completion', async () => {
    const to = `notice-dup-${uniqueId()}@example.test`;
    const job = noticeJob(notifier.keyring, SecurityEvent.MfaDisabled, { email: to });
    const jobId = await producer.addNotice(job);
    await sink.waitForTo(to);
    await waitFor(async () => (await producer.notices.getJobState(jobId)) === 'unknown', 5000);
    await producer.addNotice(job);
    await waitFor(async () => (await producer.notices.getJobState(jobId)) === 'unknown', 5000);
    expect(sink.messages.filter((m) => m.envelopeTo.includes(to))).toHaveLength(1);
    expect(sink.messages[0].subject).toBe('Two-step verification was turned off for Acme Cloud');
  });
});

describe('notifier email delivery with SMTP authentication', () => {
  it('fails permanently as provider_auth (nodemailer EAUTH) when the SMTP credentials are refused, without retry', async () => {
    const sink = await SmtpSink.start({ auth: { user: 'mailer', pass: 'right-password' } });
    const prefix = uniqueTestPrefix('notif-eauth');
    const notifier = await startNotifier({
      REDIS_URL: testInfra().redisUrl,
      REDIS_KEY_PREFIX: prefix,
      QUEUE_ENCRYPTION_KEY: testKey(),
      SMTP_URL: sink.urlWithAuth('mailer', 'wrong-password'),
      SMTP_FROM: FROM,
    });
    const producer = new TestProducer(testInfra().redisUrl, prefix);
    try {
      const jobId = await producer.addOtp(otpJob(notifier.keyring, { secret: { destination: 'auth@example.test', code: '343434' } }));
      expect(await producer.result(jobId)).toMatchObject({ status: 'failed', reason: 'provider_auth', attempts: 1 });
      expect((await producer.otp.getJob(jobId))?.attemptsMade).toBe(1);
      expect(sink.messages).toHaveLength(0);
    } finally {
      await notifier.stop();
      await producer.close();
      await sink.stop();
    }
  });

  it('authenticates with the credentials in SMTP_URL', async () => {
    const sink = await SmtpSink.start({ auth: { user: 'mailer', pass: 'p@ss word' } });
    const prefix = uniqueTestPrefix('notif-auth');
    const notifier = await startNotifier({
      REDIS_URL: testInfra().redisUrl,
      REDIS_KEY_PREFIX: prefix,
      QUEUE_ENCRYPTION_KEY: testKey(),
      SMTP_URL: sink.urlWithAuth('mailer', 'p@ss word'),
      SMTP_FROM: FROM,
    });
    const producer = new TestProducer(testInfra().redisUrl, prefix);
    try {
      await producer.addOtp(otpJob(notifier.keyring, { secret: { destination: 'authok@example.test', code: '565656' } }));
      expect((await sink.waitForTo('authok@example.test')).text).toContain('565656');
    } finally {
      await notifier.stop();
      await producer.close();
      await sink.stop();
    }
  });
});
