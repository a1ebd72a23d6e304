import { AppError } from '@twostep/contracts';
import { optional, required, v, validateParams } from './params';

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('validateParams (Appwrite parameter rules)', () => {
  it('names a missing required param the way Appwrite does', () => {
    const e = errorOf(() => validateParams({}, { otp: required(v.text(256, 1)) }));
    expect(e.type).toBe('general_argument_invalid');
    expect(e.code).toBe(400);
    expect(e.message).toBe('Param "otp" is not optional.');
  });

  it('treats null like a missing param', () => {
    expect(errorOf(() => validateParams({ otp: null }, { otp: required(v.text(256, 1)) })).message).toBe('Param "otp" is not optional.');
    expect(validateParams({ name: null }, { name: optional(v.text(128), 'dflt') })).toEqual({ name: 'dflt' });
  });

  it('names an invalid param with the validator description', () => {
    expect(errorOf(() => validateParams({ email: 'nope' }, { email: required(v.email()) })).message).toBe(
      'Invalid `email` param: Value must be a valid email address',
    );
    expect(errorOf(() => validateParams({ password: 'short' }, { password: required(v.password()) })).message).toBe(
      'Invalid `password` param: Password must be between 8 and 256 characters long.',
    );
    expect(errorOf(() => validateParams({ otp: '' }, { otp: required(v.text(256, 1)) })).message).toBe(
      'Invalid `otp` param: Value must be a valid string and at least 1 chars and no longer than 256 chars',
    );
  });

  it('drops unknown fields instead of passing them on (no mass assignment)', () => {
    const out = validateParams({ name: 'x', mfa: true, emailVerification: true, userId: 'evil' }, { name: required(v.text(128)) });
    expect(out).toEqual({ name: 'x' });
    expect(Object.keys(out)).toEqual(['name']);
  });

  it('reads only own properties, never the prototype chain', () => {
    const input = Object.create({ email: 'inherited@example.test' }) as Record<string, unknown>;
    expect(errorOf(() => validateParams(input, { email: required(v.email()) })).message).toBe('Param "email" is not optional.');
  });

  it('treats a non-object body as empty', () => {
    expect(errorOf(() => validateParams(['a'], { name: required(v.text(1)) })).message).toBe('Param "name" is not optional.');
    expect(errorOf(() => validateParams(undefined, { name: required(v.text(1)) })).message).toBe('Param "name" is not optional.');
  });
});

describe('validators', () => {
  it('accepts strict JSON booleans only', () => {
    const b = v.boolean();
    expect(b.check(true)).toBe(true);
    expect(b.check(false)).toBe(false);
    for (const bad of ['true', 1, 0, 'false', null, {}]) expect(b.check(bad)).toBeUndefined();
    expect(b.description).toBe('Value must be a valid boolean');
  });

  it('lower-cases emails and refuses header-injection and whitespace', () => {
    const e = v.email();
    expect(e.check('Alice@Example.TEST')).toBe('alice@example.test');
    for (const bad of ['victim@x.test\r\nBcc: evil@y.test', 'a b@x.test', 'a@x', '@x.test', 'a@', 42, `${'a'.repeat(250)}@x.test`]) {
      expect(e.check(bad)).toBeUndefined();
    }
  });

  it('enforces 8-256 characters for passwords, counting characters not bytes', () => {
    const p = v.password();
    expect(p.check('12345678')).toBe('12345678');
    expect(p.check('1234567')).toBeUndefined();
    expect(p.check('é'.repeat(256))).toBe('é'.repeat(256));
    expect(p.check('a'.repeat(257))).toBeUndefined();
    expect(p.check(12345678)).toBeUndefined();
  });

  it('follows the custom id rule and accepts unique()', () => {
    const id = v.customId();
    expect(id.check('unique()')).toBe('unique()');
    expect(id.check('user.name-1_2')).toBe('user.name-1_2');
    for (const bad of ['_start', '.start', 'a'.repeat(37), '../sms', 'a#b', '%2e%2e%2f', "a'b", '', 12])
      expect(id.check(bad)).toBeUndefined();
    expect(v.uid().check('unique()')).toBeUndefined();
  });

  it('accepts only absolute http(s) URLs, restricted to the allowed hosts when there are some', () => {
    const any = v.url();
    expect(any.check('https://app.example.test/verify?x=1')?.toString()).toBe('https://app.example.test/verify?x=1');
    for (const bad of ['javascript:alert(1)', 'ftp://x.test/', '/relative', 'https://user:pw@x.test/', 'not a url'])
      expect(any.check(bad)).toBeUndefined();
    const restricted = v.url(() => ['app.example.test', 'localhost:3000']);
    expect(restricted.check('https://app.example.test/v')).toBeDefined();
    expect(restricted.check('http://localhost:3000/v')).toBeDefined();
    expect(restricted.check('https://evil.test/v')).toBeUndefined();
    expect(restricted.check('http://localhost:4000/v')).toBeUndefined();
  });

  it('accepts E.164 phone numbers that exist and nothing else', () => {
    const phone = v.phone();
    expect(phone.check('+14155552671')).toBe('+14155552671');
    expect(phone.check('+33612345678')).toBe('+33612345678');
    for (const bad of ['12345', '+1 (555) 010-abcd', '14155552671', '+0000', '+1415555267', '+999123456789', 14155552671])
      expect(phone.check(bad)).toBeUndefined();
    expect(phone.description).toBe("Phone number must start with a '+' can have a maximum of fifteen digits.");
  });

  it('refuses numbers that cannot receive an SMS or cost extra to text (libphonenumber max metadata types)', () => {
    const phone = v.phone();
    // MOBILE, and FIXED_LINE_OR_MOBILE (US/CA numbers cannot be told apart) stay accepted
    for (const good of ['+33612345678', '+447712345678', '+14155552671', '+16135550123'])
      expect({ good, ok: phone.check(good) }).toEqual({ good, ok: good });
    const refused = {
      'premium rate US': '+19005550100',
      'premium rate GB': '+449098790000',
      'premium rate FR': '+33899123456',
      'toll free US': '+18005550100',
      'landline FR': '+33144556677',
      'landline GB': '+442079460000',
      'personal number US (500)': '+15005550006',
    };
    for (const [kind, number] of Object.entries(refused)) expect({ kind, ok: phone.check(number) }).toEqual({ kind, ok: undefined });
  });

  it('whitelists case-insensitively when asked, returning the canonical spelling', () => {
    const factor = v.whitelist(['email', 'phone', 'totp', 'recoveryCode'], { caseInsensitive: true });
    expect(factor.check('recoverycode')).toBe('recoveryCode');
    expect(factor.check('TOTP')).toBe('totp');
    expect(factor.check('sms')).toBeUndefined();
    expect(factor.check('__proto__')).toBeUndefined();
    expect(factor.description).toBe('Value must be one of (email, phone, totp, recoverycode)');
    expect(v.whitelist(['a', 'B']).check('b')).toBeUndefined();
  });

  it('accepts plain objects within the size limit as prefs', () => {
    const o = v.object(64);
    expect(o.check({ theme: 'dark' })).toEqual({ theme: 'dark' });
    for (const bad of [[], 'x', null, { big: 'x'.repeat(100) }, new Date()]) expect(o.check(bad)).toBeUndefined();
  });

  it('refuses control characters in display names', () => {
    expect(v.name().check('Alice Example')).toBe('Alice Example');
    expect(v.name().check('Alice\r\nBcc: evil@y.test')).toBeUndefined();
    expect(v.name(3).check('abcd')).toBeUndefined();
  });
});
