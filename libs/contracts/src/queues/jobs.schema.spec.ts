import { assertJob, assertSealedContent, InvalidJobError, otpDeliveryJobSchema, securityNoticeJobSchema } from './jobs.schema';
import { QueueName } from './queue-names';

const sealed = { v: 1, kid: 'k1', iv: 'aaaa', tag: 'bbbb', ct: 'cccc' };
const otp = {
  name: 'mfa-challenge-code',
  channel: 'email',
  referenceId: '0123456789abcdef0123',
  userId: 'u1',
  locale: 'en',
  projectName: 'Acme',
  expiresAt: '2031-03-04T05:16:10.000Z',
  requestedAt: '2031-03-04T05:06:10.000Z',
  sealed,
};

describe('job schemas', () => {
  it('accepts a producer-shaped job, drops a malformed request id and unknown fields instead of refusing', () => {
    expect(otpDeliveryJobSchema.parse({ ...otp, requestId: 'r-1' })).toEqual({ ...otp, requestId: 'r-1' });
    const parsed = otpDeliveryJobSchema.parse({ ...otp, requestId: 'a b"}\n', extra: true });
    expect(parsed).not.toHaveProperty('extra');
    expect(parsed.requestId).toBeUndefined();
  });

  it('refuses unknown names, channels and events, non-UID ids, unreadable times and boxes that are not sealed boxes', () => {
    for (const bad of [
      { name: 'nope' },
      { channel: 'pigeon' },
      { userId: '../x' },
      { expiresAt: 'tomorrow' },
      { sealed: { ...sealed, v: 2 } },
      { sealed: 'plaintext' },
      { locale: '../../etc' },
    ])
      expect(otpDeliveryJobSchema.safeParse({ ...otp, ...bad }).success).toBe(false);
    const notice = {
      name: 'security-notice',
      noticeId: 'n1',
      event: 'mfa-enabled',
      userId: 'u',
      locale: 'en',
      projectName: 'A',
      occurredAt: otp.requestedAt,
      sealed,
    };
    expect(securityNoticeJobSchema.safeParse(notice).success).toBe(true);
    expect(securityNoticeJobSchema.safeParse({ ...notice, event: 'party' }).success).toBe(false);
  });

  it('lets producers check before enqueueing and before sealing, with errors that name fields but never values', () => {
    expect(() => assertJob(QueueName.OtpDelivery, otp)).not.toThrow();
    expect(() => assertJob(QueueName.OtpDelivery, { ...otp, userId: 'SECRET value' })).toThrow(InvalidJobError);
    expect(() => assertJob(QueueName.OtpDelivery, { ...otp, userId: 'SECRET value' })).toThrow(/userId/);
    expect(() => assertJob(QueueName.OtpDelivery, { ...otp, userId: 'SECRET value' })).not.toThrow(/SECRET/);
    expect(() => assertSealedContent(QueueName.OtpDelivery, { destination: 'a@b.co', code: '123456' })).not.toThrow();
    expect(() => assertSealedContent(QueueName.OtpDelivery, { destination: 'a@b.co', code: '654x21' })).toThrow(/code/);
    expect(() => assertSealedContent(QueueName.SecurityNotices, { userName: 'x' })).toThrow(/email/);
  });
});
