import { z } from 'zod';
import { AppError } from '../errors/error-catalog';
import { parseParams } from './param-errors';
import {
  challengeOtp,
  customId,
  displayName,
  emailAddress,
  httpUrl,
  integerInRange,
  jsonObject,
  oneOf,
  otpCode,
  password,
  smsPhone,
  strictBoolean,
  text,
  uid,
} from './primitives';

const messageOf = (schema: z.ZodType, value: unknown): string => {
  try {
    parseParams(z.object({ p: schema }), { p: value });
  } catch (e) {
    return (e as AppError).message;
  }
  return 'accepted';
};

describe('shared schema building blocks', () => {
  it('formats a missing required param and an invalid one with Appwrite messages', () => {
    expect(messageOf(emailAddress(), undefined)).toBe('Param "p" is not optional.');
    expect(messageOf(emailAddress(), 'not-an-email')).toBe('Invalid `p` param: Value must be a valid email address');
    expect(messageOf(emailAddress(), null)).toBe('Param "p" is not optional.');
    expect(messageOf(emailAddress(), 42)).toBe('Invalid `p` param: Value must be a valid email address');
  });

  it('lower-cases emails and refuses control characters, whitespace and over-long local parts', () => {
    expect(emailAddress().parse('Alice@Example.COM')).toBe('alice@example.com');
    for (const bad of ['a b@example.com', 'a@example.com\r\nBcc: x@y.z', `${'a'.repeat(65)}@example.com`, '@example.com', 'a@b']) {
      expect(emailAddress().safeParse(bad).success).toBe(false);
    }
  });

  it('counts characters, not UTF-16 units, for text and passwords', () => {
    expect(text(3).safeParse('😀😀😀').success).toBe(true);
    expect(text(3).safeParse('abcd').success).toBe(false);
    expect(password().safeParse('1234567').success).toBe(false);
    expect(password().safeParse('😀'.repeat(8)).success).toBe(true);
  });

  it('refuses control characters in display names and URLs', () => {
    expect(displayName().safeParse('Ann\nBcc: x').success).toBe(false);
    expect(displayName().safeParse('Ann\u2028').success).toBe(false);
    expect(httpUrl().safeParse('https://example.com/\u0000').success).toBe(false);
    expect(httpUrl().safeParse('javascript:alert(1)').success).toBe(false);
    expect(httpUrl().safeParse('https://user:pw@example.com/').success).toBe(false);
    expect(httpUrl(() => ['app.example.com']).safeParse('https://evil.example.com/').success).toBe(false);
    expect(httpUrl(() => ['app.example.com']).safeParse('https://APP.example.com/x').success).toBe(true);
  });

  it('applies Appwrite UID and CustomId rules', () => {
    expect(uid().safeParse('a'.repeat(36)).success).toBe(true);
    expect(uid().safeParse('a'.repeat(37)).success).toBe(false);
    expect(uid().safeParse('../sms').success).toBe(false);
    expect(customId().safeParse('unique()').success).toBe(true);
    expect(uid().safeParse('unique()').success).toBe(false);
  });

  it('accepts six ASCII digits as a code, and recovery-code shapes only as a challenge otp', () => {
    expect(otpCode().safeParse('012345').success).toBe(true);
    expect(otpCode().safeParse('٠١٢٣٤٥').success).toBe(false);
    expect(otpCode().safeParse(123456).success).toBe(false);
    expect(challengeOtp().safeParse('0123456789abcdef').success).toBe(true);
    expect(challengeOtp().safeParse('12 345').success).toBe(false);
  });

  it('accepts mobile numbers only for SMS', () => {
    expect(smsPhone().safeParse('+33612345678').success).toBe(true);
    expect(smsPhone().safeParse('+19005550123').success).toBe(false); // premium rate
    expect(smsPhone().safeParse('33612345678').success).toBe(false);
  });

  it('keeps JSON types strict and ranges bounded', () => {
    expect(strictBoolean().safeParse('true').success).toBe(false);
    expect(integerInRange(1, 10).parse('7')).toBe(7);
    expect(integerInRange(1, 10).safeParse(11).success).toBe(false);
    expect(jsonObject(10).safeParse({ a: 'x'.repeat(20) }).success).toBe(false);
    expect(jsonObject().safeParse([1]).success).toBe(false);
  });

  it('answers the canonical spelling of a case-insensitive choice', () => {
    const factor = oneOf(['totp', 'phone', 'email', 'recoveryCode'], { caseInsensitive: true });
    expect(factor.parse('recoverycode')).toBe('recoveryCode');
    expect(messageOf(factor, 'sms')).toBe('Invalid `p` param: Value must be one of (totp, phone, email, recoverycode)');
  });
});
