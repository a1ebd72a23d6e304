import { generateRecoveryCode, normalizeRecoveryCode } from './recovery-code.format';

describe('recovery codes', () => {
  it('are 16 lowercase hex characters (64 bits) and do not repeat', () => {
    const codes = new Set(Array.from({ length: 10_000 }, () => generateRecoveryCode()));
    expect(codes.size).toBe(10_000);
    for (const c of codes) expect(c).toMatch(/^[0-9a-f]{16}$/);
  });

  it('are compared after trimming, lower-casing and dropping spaces and dashes', () => {
    expect(normalizeRecoveryCode('  0123-4567-89AB-cdef ')).toBe('0123456789abcdef');
    expect(normalizeRecoveryCode('0123 4567 89ab cdef')).toBe('0123456789abcdef');
    expect(normalizeRecoveryCode('0123456789abcdef')).toBe('0123456789abcdef');
  });

  it('rejects anything that is not a recovery code once normalized', () => {
    for (const bad of [
      '',
      '123456',
      '0123456789abcde',
      '0123456789abcdef0',
      '0123456789abcdeg',
      '０１２３４５６７８９ａｂｃｄｅｆ',
      '0123456789abcde_',
    ]) {
      expect(normalizeRecoveryCode(bad)).toBeNull();
    }
  });
});
