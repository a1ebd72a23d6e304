import { OtpDeliveryJob, OtpDeliveryJobName, SecurityEvent, SecurityNoticeJob, SecurityNoticeJobName } from '@twostep/contracts';
import { catalogFor, CATALOGS } from './message-catalog';
import { MessageRenderer } from './message-renderer.service';

const NOW = new Date('2026-03-01T12:00:00Z');
const SEALED = { v: 1 as const, kid: 'k', iv: '', tag: '', ct: '' };

function job(over: Partial<OtpDeliveryJob> = {}): OtpDeliveryJob {
  return {
    name: OtpDeliveryJobName.MfaChallengeCode,
    channel: 'email',
    referenceId: 'ref1',
    userId: 'user1',
    locale: 'en',
    projectName: 'Acme',
    expiresAt: new Date(NOW.getTime() + 10 * 60_000).toISOString(),
    requestedAt: NOW.toISOString(),
    sealed: SEALED,
    ...over,
  };
}

function notice(event: SecurityEvent, locale = 'en'): SecurityNoticeJob {
  return {
    name: SecurityNoticeJobName.Notice,
    noticeId: 'n1',
    event,
    userId: 'u1',
    locale,
    projectName: 'Acme',
    occurredAt: NOW.toISOString(),
    sealed: SEALED,
  };
}

describe('MessageRenderer', () => {
  const renderer = new MessageRenderer();

  it.each(Object.keys(CATALOGS))('renders every message of the %s catalog with no missing variable', (locale) => {
    const secret = { destination: 'x', code: '123456', url: 'https://app.example.test/v?s=1', userName: 'Ann' };
    for (const channel of ['email', 'sms'] as const) expect(renderer.otp(job({ locale, channel }), secret, 'to', NOW)).toBeDefined();
    expect(renderer.otp(job({ locale, name: OtpDeliveryJobName.EmailVerificationLink }), secret, 'to', NOW)).toBeDefined();
    expect(renderer.otp(job({ locale, name: OtpDeliveryJobName.PhoneVerificationCode, channel: 'sms' }), secret, 'to', NOW)).toBeDefined();
    for (const event of Object.values(SecurityEvent)) {
      const mail = renderer.securityNotice(
        { ...notice(event, locale), requester: { clientName: 'Safari' } },
        { email: 'x', userName: 'Ann' },
        'to',
      );
      expect(mail.subject).toContain('Acme');
      expect(mail.subject).not.toMatch(/[{}*]/);
      expect(mail.text).not.toMatch(/\{\{|\*\*/);
    }
  });

  it.each(Object.keys(CATALOGS))(
    'renders the sign-in code, magic URL and recovery messages of the %s catalog with their code or link',
    (locale) => {
      const secret = { destination: 'x', code: '987654', url: 'https://app.example.test/m?userId=u&secret=abc', userName: 'Ann' };
      for (const channel of ['email', 'sms'] as const) {
        const m = renderer.otp(job({ locale, channel, name: OtpDeliveryJobName.SignInCode }), secret, 'to', NOW);
        expect(m.channel === 'sms' ? m.body : m.text).toContain('987654');
        expect(m.channel === 'sms' ? m.body : m.text).not.toMatch(/\{\{|\*\*/);
      }
      for (const name of [OtpDeliveryJobName.MagicUrlLink, OtpDeliveryJobName.PasswordRecoveryLink]) {
        const m = renderer.otp(job({ locale, name }), secret, 'to', NOW);
        if (m.channel !== 'email') throw new Error('expected an email');
        expect(m.text).toContain('https://app.example.test/m?userId=u&secret=abc');
        expect(m.html).toContain('https://app.example.test/m?userId=u&amp;secret=abc');
        expect(m.subject).toContain('Acme');
        // links never go by SMS
        expect(() => renderer.otp(job({ locale, name, channel: 'sms' }), secret, 'to', NOW)).toThrow();
      }
    },
  );

  it('builds the MFA code email with the code, project, expiry, requester, in both parts', () => {
    const mail = renderer.otp(
      job({ requester: { clientName: 'Chrome 126', deviceName: 'Desktop', osName: 'Windows' } }),
      { destination: 'a@example.test', code: '654321', userName: 'Ann' },
      'a@example.test',
      NOW,
    );
    expect(mail).toMatchObject({ channel: 'email', to: 'a@example.test', subject: 'Verification Code for Acme' });
    if (mail.channel !== 'email') throw new Error('expected an email');
    expect(mail.text).toContain('Hello Ann,');
    expect(mail.text).toContain('    654321');
    expect(mail.text).toContain('This code will expire in 10 minutes.');
    expect(mail.text).toContain('requested using Chrome 126 on Desktop Windows.');
    expect(mail.html).toContain('654321');
    expect(mail.html).toContain('<strong>Acme</strong>');
    expect(mail.html).toContain('<html lang="en">');
  });

  it('says "an unknown app on an unknown device" when the requester is not known, and 1 minute in the singular', () => {
    const mail = renderer.otp(
      job({ expiresAt: new Date(NOW.getTime() + 30_000).toISOString() }),
      { destination: 'a', code: '111111' },
      'a',
      NOW,
    );
    if (mail.channel !== 'email') throw new Error('expected an email');
    expect(mail.text).toContain('using an unknown app on an unknown device');
    expect(mail.text).toContain('expire in 1 minute.');
    expect(mail.text).toContain('Hello,');
  });

  it('falls back from a regional tag to its language, and from an unknown language to English', () => {
    expect(catalogFor('fr-CA').locale).toBe('fr');
    expect(catalogFor('FR_fr').locale).toBe('fr');
    expect(catalogFor('tlh').locale).toBe('en');
    expect(catalogFor(undefined).locale).toBe('en');
    expect(catalogFor('__proto__').locale).toBe('en');
  });

  it('escapes user-provided names in HTML and strips CR/LF from the subject', () => {
    const mail = renderer.otp(
      job({ projectName: 'A<b>\r\nBcc: x@y.test' }),
      { destination: 'a', code: '111111', userName: '"><script>x</script>' },
      'a',
      NOW,
    );
    if (mail.channel !== 'email') throw new Error('expected an email');
    expect(mail.subject).toBe('Verification Code for A<b> Bcc: x@y.test');
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<b>');
    expect(mail.html).toContain('&quot;&gt;&lt;script&gt;x&lt;/script&gt;');
  });

  it('builds the SMS text for an MFA code and for phone verification', () => {
    expect(renderer.otp(job({ channel: 'sms' }), { destination: '+1', code: '222333' }, '+14155550100', NOW)).toEqual({
      channel: 'sms',
      to: '+14155550100',
      body: '222333 is your Acme verification code. It expires in 10 minutes. Do not share it.',
    });
    const sms = renderer.otp(
      job({ channel: 'sms', name: OtpDeliveryJobName.PhoneVerificationCode }),
      { destination: '+1', code: '444555' },
      '+1',
      NOW,
    );
    expect(sms).toMatchObject({ body: '444555 is your Acme code to verify this phone number. It expires in 10 minutes.' });
  });

  it('puts the verification link in the button and in clear, escaped in HTML', () => {
    const url = 'https://app.example.test/verify?userId=1&secret=abc';
    const mail = renderer.otp(job({ name: OtpDeliveryJobName.EmailVerificationLink }), { destination: 'a', url }, 'a', NOW);
    if (mail.channel !== 'email') throw new Error('expected an email');
    expect(mail.text).toContain(`Verify email address: ${url}`);
    expect(mail.html).toContain('href="https://app.example.test/verify?userId=1&amp;secret=abc"');
  });

  it.each([
    ['a code job without a code', job(), { destination: 'a' }],
    ['a malformed code', job(), { destination: 'a', code: '12<b>' }],
    ['a javascript: link', job({ name: OtpDeliveryJobName.EmailVerificationLink }), { destination: 'a', url: 'javascript:alert(1)' }],
    [
      'a link with credentials',
      job({ name: OtpDeliveryJobName.EmailVerificationLink }),
      { destination: 'a', url: 'https://u:p@example.test/' },
    ],
    [
      'an email verification sent by SMS',
      job({ name: OtpDeliveryJobName.EmailVerificationLink, channel: 'sms' }),
      { destination: 'a', url: 'https://e.test/' },
    ],
    ['a phone verification sent by email', job({ name: OtpDeliveryJobName.PhoneVerificationCode }), { destination: 'a', code: '123456' }],
  ])('refuses %s permanently as invalid_payload', (_what, j, secret) => {
    expect(() => renderer.otp(j, secret, 'a', NOW)).toThrow(expect.objectContaining({ reason: 'invalid_payload', permanent: true }));
  });

  it('refuses an unknown security event as invalid_payload', () => {
    expect(() => renderer.securityNotice(notice('made-up' as SecurityEvent), { email: 'a' }, 'a')).toThrow(
      expect.objectContaining({ reason: 'invalid_payload' }),
    );
  });
});
