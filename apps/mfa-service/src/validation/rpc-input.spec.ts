import { AppError } from '@twostep/contracts';
import { challengeIdOf, deliveryOf, factorOf, labelPartOf, otpOf, payloadOf, sessionIdOf, userIdOf } from './rpc-input';

function typeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof AppError ? error.type : 'not-an-app-error';
  }
}

const goodDelivery = { destination: 'alice@example.com', locale: 'en', projectName: 'Twostep' };

describe('RPC payload validation', () => {
  it('refuses payloads that are not objects', () => {
    for (const p of [null, undefined, 1, 'x', [], true]) expect(typeOf(() => payloadOf(p))).toBe('general_argument_invalid');
  });

  it('accepts Appwrite-style user and session ids and refuses paths, quotes, emoji and long strings', () => {
    expect(userIdOf({ userId: 'user_1.a-b' })).toBe('user_1.a-b');
    for (const bad of ['', '../sms', '%2e%2e%2f', 'a#b', 'x'.repeat(10_240), "a'b", '"', '😀', 'a b', 12, null, {}, ['a']]) {
      expect(typeOf(() => userIdOf({ userId: bad }))).toBe('general_argument_invalid');
      expect(typeOf(() => sessionIdOf({ sessionId: bad }))).toBe('general_argument_invalid');
    }
  });

  it('takes challenge ids and codes as strings of at most 256 characters', () => {
    expect(challengeIdOf({ challengeId: '../sms' })).toBe('../sms');
    for (const bad of ['', 'x'.repeat(257), 1, null, {}, []])
      expect(typeOf(() => challengeIdOf({ challengeId: bad }))).toBe('general_argument_invalid');
    expect(otpOf({ otp: ' 123456' })).toBe(' 123456');
    for (const bad of ['', 'x'.repeat(257), 123456, null, [], {}, { $gt: '' }])
      expect(typeOf(() => otpOf({ otp: bad }))).toBe('general_argument_invalid');
  });

  it('accepts factor names case-insensitively and nothing else', () => {
    expect(factorOf({ factor: 'recoverycode' })).toBe('recoveryCode');
    expect(factorOf({ factor: 'TOTP' })).toBe('totp');
    for (const bad of ['sms', '__proto__', 1, null, '']) expect(typeOf(() => factorOf({ factor: bad }))).toBe('general_argument_invalid');
  });

  it('requires a well-formed delivery block for email and phone challenges', () => {
    expect(deliveryOf({ delivery: goodDelivery }, 'email')).toEqual(goodDelivery);
    expect(deliveryOf({ delivery: { ...goodDelivery, destination: '+14155550100' } }, 'phone').destination).toBe('+14155550100');
    const bad: unknown[] = [
      undefined,
      null,
      'x',
      { ...goodDelivery, destination: 'victim@x.test\r\nBcc: evil@y.test' },
      { ...goodDelivery, destination: 'no-at-sign' },
      { ...goodDelivery, locale: 'en_US;drop' },
      { ...goodDelivery, projectName: '' },
      { ...goodDelivery, userName: 42 },
      { ...goodDelivery, requester: { clientName: ['x'] } },
      { ...goodDelivery, requester: 'chrome' },
    ];
    for (const d of bad) expect(typeOf(() => deliveryOf({ delivery: d }, 'email'))).toBe('general_argument_invalid');
    // display text is cleaned rather than refused
    expect(
      deliveryOf(
        { delivery: { ...goodDelivery, userName: 'Eve\r\nBcc: x', requester: { clientName: 'x'.repeat(200), osName: '\t' } } },
        'email',
      ),
    ).toEqual({
      ...goodDelivery,
      userName: 'EveBcc: x',
      requester: { clientName: 'x'.repeat(128) },
    });
    expect(deliveryOf({ delivery: { ...goodDelivery, locale: 'en-Latn-US-x-private' } }, 'email').locale).toBe('en-Latn-US-x-private');
    for (const phone of ['12345', '+1 (555) 010-abcd', '+0000', '0044123456789']) {
      expect(typeOf(() => deliveryOf({ delivery: { ...goodDelivery, destination: phone } }, 'phone'))).toBe('general_argument_invalid');
    }
  });

  it('refuses otpauth label parts with a colon or control characters', () => {
    expect(labelPartOf({ issuer: 'My App' }, 'issuer', 128)).toBe('My App');
    for (const bad of ['a:b', '', '  ', 'a\nb', 'x'.repeat(129), 5])
      expect(typeOf(() => labelPartOf({ issuer: bad }, 'issuer', 128))).toBe('general_argument_invalid');
  });
});
