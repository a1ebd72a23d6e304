import { randomBytes } from 'node:crypto';
import { base32Decode, base32Encode } from './base32';

describe('base32 (RFC 4648, no padding)', () => {
  it.each([
    ['', ''],
    ['f', 'MY'],
    ['fo', 'MZXQ'],
    ['foo', 'MZXW6'],
    ['foob', 'MZXW6YQ'],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI'],
  ])('encodes %j as the RFC 4648 test vector %s without padding', (plain, encoded) => {
    expect(base32Encode(Buffer.from(plain))).toBe(encoded);
    expect(base32Decode(encoded).toString()).toBe(plain);
  });

  it('encodes the RFC 6238 seeds as the security bar lists them', () => {
    expect(base32Encode(Buffer.from('12345678901234567890'))).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(base32Encode(Buffer.from('12345678901234567890123456789012'))).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA');
  });

  it('round-trips random data of every length', () => {
    for (let n = 0; n < 70; n++) {
      const data = randomBytes(n);
      expect(base32Decode(base32Encode(data)).equals(data)).toBe(true);
    }
  });

  it('decodes lower case and ignores padding, and refuses other characters', () => {
    expect(base32Decode('mzxw6ytboi======').toString()).toBe('foobar');
    expect(() => base32Decode('MZXW1')).toThrow();
    expect(() => base32Decode('MZ!W6')).toThrow();
  });
});
