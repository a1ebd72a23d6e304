import { emailDestination, phoneDestination } from './destination.validator';

describe('emailDestination', () => {
  it('accepts one plain address', () => {
    expect(emailDestination('alice.o+mfa@mail.example.test')).toBe('alice.o+mfa@mail.example.test');
  });

  it.each([
    'a@example.test\r\nBcc: b@example.test',
    'a@example.test\n',
    'a@example.test, b@example.test',
    'Alice <a@example.test>',
    'no-at-sign.example.test',
    'a@localhost',
    '.a@example.test',
    'a..b@example.test',
    `${'a'.repeat(65)}@example.test`,
    '',
  ])('rejects %j permanently as invalid_destination', (value) => {
    expect(() => emailDestination(value)).toThrow(expect.objectContaining({ reason: 'invalid_destination', permanent: true }));
  });

  it('rejects a destination that is not a string', () => {
    expect(() => emailDestination(42)).toThrow(expect.objectContaining({ reason: 'invalid_destination' }));
  });
});

describe('phoneDestination', () => {
  it('normalises an E.164 number and finds its region', () => {
    expect(phoneDestination('+14155552671')).toEqual({ e164: '+14155552671', country: 'US' });
    expect(phoneDestination('+33612345678')).toEqual({ e164: '+33612345678', country: 'FR' });
  });

  it.each(['14155552671', '+1', '+1415555\r\n2671', '+1 (415) abc', '+999999999999999999999'])(
    'rejects %j permanently as invalid_destination',
    (value) => {
      expect(() => phoneDestination(value)).toThrow(expect.objectContaining({ reason: 'invalid_destination', permanent: true }));
    },
  );
});
