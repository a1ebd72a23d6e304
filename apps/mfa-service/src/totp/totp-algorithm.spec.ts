import { otplibCodes } from '../../test/support/otplib-oracle';
import { base32Decode } from './base32';
import { generateTotpSecret, hotp, matchingSteps, OtpAlgorithm, timeStep, totp } from './totp-algorithm';

const SEED_SHA1 = Buffer.from('12345678901234567890', 'ascii');
const SEED_SHA256 = Buffer.from('12345678901234567890123456789012', 'ascii');
const SEED_SHA512 = Buffer.from('1234567890123456789012345678901234567890123456789012345678901234', 'ascii');

describe('HOTP (RFC 4226 Appendix D)', () => {
  const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];

  it.each(expected.map((code, count) => [count, code]))('produces the RFC value for count %i', (count, code) => {
    expect(hotp(SEED_SHA1, count as number)).toBe(code);
  });

  it('refuses negative or fractional counters', () => {
    expect(() => hotp(SEED_SHA1, -1)).toThrow(RangeError);
    expect(() => hotp(SEED_SHA1, 1.5)).toThrow(RangeError);
  });
});

describe('TOTP (RFC 6238 Appendix B, 8 digits, each algorithm with its own seed)', () => {
  const rows: Array<[number, string, string, string]> = [
    [59, '94287082', '46119246', '90693936'],
    [1111111109, '07081804', '68084774', '25091201'],
    [1111111111, '14050471', '67062674', '99943326'],
    [1234567890, '89005924', '91819424', '93441116'],
    [2000000000, '69279037', '90698825', '38618901'],
    [20000000000, '65353130', '77737706', '47863826'],
  ];

  it.each(rows)('at t=%i gives the RFC values for SHA1, SHA256 and SHA512', (t, sha1, sha256, sha512) => {
    expect(totp(SEED_SHA1, t, 8, 'sha1')).toBe(sha1);
    expect(totp(SEED_SHA256, t, 8, 'sha256')).toBe(sha256);
    expect(totp(SEED_SHA512, t, 8, 'sha512')).toBe(sha512);
  });

  it('does not overflow 32 bits after 2038 (t=20000000000 is step 0x27BC86AA)', () => {
    expect(timeStep(20000000000)).toBe(0x27bc86aa);
    expect(totp(SEED_SHA1, 20000000000, 8)).toBe('65353130');
  });

  it('gives the known wrong values when the 20-byte seed is used for SHA-256/512 (the RFC erratum)', () => {
    expect(totp(SEED_SHA1, 59, 8, 'sha256')).toBe('32247374');
    expect(totp(SEED_SHA1, 59, 8, 'sha512')).toBe('69342147');
    expect(totp(SEED_SHA1, 59, 8, 'sha256')).not.toBe('46119246');
  });

  it('takes the last 6 digits for 6-digit codes (t=59 SHA1 is HOTP count 1)', () => {
    expect(totp(SEED_SHA1, 59)).toBe('287082');
    expect(totp(SEED_SHA1, 59)).toBe(hotp(SEED_SHA1, 1));
  });

  it('agrees with otplib on random secrets and times, and on the SHA-256/512 seeds', () => {
    const random = Array.from({ length: 200 }, (_, i) => ({ secret: generateTotpSecret(), epoch: 1_000_000_000 + i * 7919 * 31 }));
    const seeded = (['sha256', 'sha512'] as OtpAlgorithm[]).map((algorithm) => ({
      secret: (algorithm === 'sha256' ? SEED_SHA256 : SEED_SHA512).toString('hex'),
      hexKey: true,
      epoch: 20000000000,
      algorithm,
      digits: 8 as const,
    }));
    const theirs = otplibCodes([...random, ...seeded]);
    const ours = [
      ...random.map((r) => totp(base32Decode(r.secret), r.epoch)),
      ...seeded.map((r) => totp(Buffer.from(r.secret, 'hex'), r.epoch, 8, r.algorithm)),
    ];
    expect(ours).toEqual(theirs);
    expect(theirs.slice(-2)).toEqual(['77737706', '47863826']);
  });
});

describe('window matching', () => {
  const key = SEED_SHA1;
  const t = 1_700_000_000;
  const step = timeStep(t);

  it('accepts the codes of T-1, T and T+1 and names the step that matched', () => {
    for (const delta of [-1, 0, 1]) {
      expect(matchingSteps(key, hotp(key, step + delta), step, 1)).toEqual([step + delta]);
    }
  });

  it('rejects the codes of T-2 and T+2 with a window of 1', () => {
    expect(matchingSteps(key, hotp(key, step - 2), step, 1)).toEqual([]);
    expect(matchingSteps(key, hotp(key, step + 2), step, 1)).toEqual([]);
  });

  it('accepts only the current step with a window of 0', () => {
    expect(matchingSteps(key, hotp(key, step), step, 0)).toEqual([step]);
    expect(matchingSteps(key, hotp(key, step + 1), step, 0)).toEqual([]);
  });

  it('never matches codes of another length or with other characters', () => {
    const code = hotp(key, step);
    for (const bad of [code.slice(1), `${code}0`, ` ${code}`, '', '١٢٣٤٥٦']) expect(matchingSteps(key, bad, step, 1)).toEqual([]);
  });
});

describe('secrets', () => {
  it('are 160-bit (20 bytes), base32 without padding, and 1,000 of them are all distinct', () => {
    const secrets = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const s = generateTotpSecret();
      expect(s).toMatch(/^[A-Z2-7]{32}$/);
      expect(base32Decode(s).length).toBeGreaterThanOrEqual(20);
      secrets.add(s);
    }
    expect(secrets.size).toBe(1000);
  });
});
