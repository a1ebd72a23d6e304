import { base32Decode, totpAt } from './totp';

describe('test TOTP generator (independent of the product)', () => {
  it('matches RFC 6238 Appendix B (SHA-1, last 6 digits)', () => {
    const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    expect(base32Decode(secret).toString()).toBe('12345678901234567890');
    expect(totpAt(secret, Math.floor(59 / 30))).toBe('287082');
    expect(totpAt(secret, Math.floor(1111111109 / 30))).toBe('081804');
    expect(totpAt(secret, Math.floor(20000000000 / 30))).toBe('353130');
  });
});
