import { oracleCode, oracleCodes } from '../../test/support/totp-oracle';
import { generateTotpSecret, matchStep, OtpAlgorithm, timeStep, totpCode, totpKey } from './totp-algorithm';

// The product computes codes through otplib; these vectors and the independent oracle
// (test/support/totp-oracle.ts, node:crypto HMAC only) check what it computes.
const SEED_SHA1 = Buffer.from('12345678901234567890', 'ascii');
const SEED_SHA256 = Buffer.from('12345678901234567890123456789012', 'ascii');
const SEED_SHA512 = Buffer.from('1234567890123456789012345678901234567890123456789012345678901234', 'ascii');

describe('HOTP (RFC 4226 Appendix D) as TOTP with the step equal to the count', () => {
  const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];

  it.each(expected.map((code, count) => [count, code]))('produces the RFC value for count %i', (count, code) => {
    expect(totpCode(SEED_SHA1, (count as number) * 30)).toBe(code);
    expect(totpCode(SEED_SHA1, (count as number) * 30 + 29)).toBe(code);
  });

  it('refuses a negative or non-finite time', () => {
    expect(() => totpCode(SEED_SHA1, -1)).toThrow();
    expect(() => totpCode(SEED_SHA1, Number.NaN)).toThrow();
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
    expect(totpCode(SEED_SHA1, t, { digits: 8, algorithm: 'sha1' })).toBe(sha1);
    expect(totpCode(SEED_SHA256, t, { digits: 8, algorithm: 'sha256' })).toBe(sha256);
    expect(totpCode(SEED_SHA512, t, { digits: 8, algorithm: 'sha512' })).toBe(sha512);
  });

  it.each(rows)('at t=%i verification accepts the RFC values and names their step', (t, sha1, sha256, sha512) => {
    const at = (secret: Buffer, code: string, algorithm: OtpAlgorithm) =>
      matchStep({ secret, code, epochSeconds: t, window: 0, lastStep: null, params: { digits: 8, algorithm } });
    expect(at(SEED_SHA1, sha1, 'sha1')).toEqual({ step: Math.floor(t / 30) });
    expect(at(SEED_SHA256, sha256, 'sha256')).toEqual({ step: Math.floor(t / 30) });
    expect(at(SEED_SHA512, sha512, 'sha512')).toEqual({ step: Math.floor(t / 30) });
    expect(at(SEED_SHA1, sha256, 'sha1')).toEqual({ reason: 'wrong_code' });
  });

  it('does not overflow 32 bits after 2038 (t=20000000000 is step 0x27BC86AA)', () => {
    expect(timeStep(20000000000)).toBe(0x27bc86aa);
    expect(totpCode(SEED_SHA1, 20000000000, { digits: 8 })).toBe('65353130');
  });

  it('gives the known wrong values when the 20-byte seed is used for SHA-256/512 (the RFC erratum)', () => {
    expect(totpCode(SEED_SHA1, 59, { digits: 8, algorithm: 'sha256' })).toBe('32247374');
    expect(totpCode(SEED_SHA1, 59, { digits: 8, algorithm: 'sha512' })).toBe('69342147');
  });

  it('takes the last 6 digits for 6-digit codes (t=59 SHA1 is HOTP count 1), SHA-1 and 30 s by default', () => {
    expect(totpCode(SEED_SHA1, 59)).toBe('287082');
    expect(totpCode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 59)).toBe('287082');
  });

  it('agrees with the independent oracle on random secrets and times, and on the SHA-256/512 seeds', () => {
    const random = Array.from({ length: 200 }, (_, i) => ({ secret: generateTotpSecret(), epoch: 1_000_000_000 + i * 7919 * 31 }));
    const seeded = (['sha256', 'sha512'] as const).map((algorithm) => ({
      secret: (algorithm === 'sha256' ? SEED_SHA256 : SEED_SHA512).toString('hex'),
      hexKey: true,
      epoch: 20000000000,
      algorithm,
      digits: 8 as const,
    }));
    const theirs = oracleCodes([...random, ...seeded]);
    const ours = [
      ...random.map((r) => totpCode(r.secret, r.epoch)),
      ...seeded.map((r) => totpCode(Buffer.from(r.secret, 'hex'), r.epoch, { digits: 8, algorithm: r.algorithm })),
    ];
    expect(ours).toEqual(theirs);
    expect(theirs.slice(-2)).toEqual(['77737706', '47863826']);
  });
});

describe('window matching and the replay rule', () => {
  const secret = SEED_SHA1;
  const t = 1_700_000_000;
  const step = timeStep(t);
  /** the code the user's app shows `delta` steps from t */
  const codeOf = (delta: number) => oracleCode({ secret: secret.toString('hex'), hexKey: true, epoch: t + delta * 30 });
  const match = (code: string, lastStep: number | null = null, window = 1) =>
    matchStep({ secret, code, epochSeconds: t, window, lastStep });

  it('accepts the codes of T-1, T and T+1 and names the step that matched', () => {
    for (const delta of [-1, 0, 1]) expect(match(codeOf(delta))).toEqual({ step: step + delta });
  });

  it('rejects the codes of T-2 and T+2 with a window of 1, and accepts them with a window of 2', () => {
    expect(match(codeOf(-2))).toEqual({ reason: 'wrong_code' });
    expect(match(codeOf(2))).toEqual({ reason: 'wrong_code' });
    expect(match(codeOf(-2), null, 2)).toEqual({ step: step - 2 });
    expect(match(codeOf(2), null, 2)).toEqual({ step: step + 2 });
  });

  it('accepts only the current step with a window of 0', () => {
    expect(match(codeOf(0), null, 0)).toEqual({ step });
    expect(match(codeOf(1), null, 0)).toEqual({ reason: 'wrong_code' });
    expect(match(codeOf(-1), null, 0)).toEqual({ reason: 'wrong_code' });
  });

  it('refuses a step at or below the last accepted one as a replay, and accepts a later one', () => {
    expect(match(codeOf(0), step)).toEqual({ reason: 'replayed_step' });
    expect(match(codeOf(-1), step)).toEqual({ reason: 'replayed_step' });
    expect(match(codeOf(0), step - 1)).toEqual({ step });
    expect(match(codeOf(1), step)).toEqual({ step: step + 1 });
    expect(match(codeOf(2), step)).toEqual({ reason: 'wrong_code' });
  });

  it("refuses as a replay, without throwing, when the last accepted step is ahead of this server's window (clock skew between replicas)", () => {
    expect(match(codeOf(0), step + 5)).toEqual({ reason: 'replayed_step' });
    expect(match('000000', step + 5)).toEqual(match('000000', null));
  });

  it('stores the highest step a code proves, so a code that is the code of two steps never passes twice', () => {
    // With the RFC seed, steps 57017782 and 57017784 both have the code 882938 (checked by the oracle).
    const collision = 57017783;
    const epochSeconds = collision * 30 + 10;
    const code = oracleCode({ secret: secret.toString('hex'), hexKey: true, epoch: (collision - 1) * 30 });
    expect(oracleCode({ secret: secret.toString('hex'), hexKey: true, epoch: (collision + 1) * 30 })).toBe(code);
    expect(oracleCode({ secret: secret.toString('hex'), hexKey: true, epoch: collision * 30 })).not.toBe(code);
    const first = matchStep({ secret, code, epochSeconds, window: 1, lastStep: null });
    expect(first).toEqual({ step: collision + 1 });
    expect(matchStep({ secret, code, epochSeconds, window: 1, lastStep: collision + 1 })).toEqual({ reason: 'replayed_step' });
    expect(matchStep({ secret, code, epochSeconds, window: 1, lastStep: collision - 1 })).toEqual({ step: collision + 1 });
  });

  it('never matches codes of another length or with other characters', () => {
    const code = codeOf(0);
    for (const bad of [code.slice(1), `${code}0`, ` ${code}`, `${code.slice(0, 5)}x`, '', '١٢٣٤٥٦', '12345６']) {
      expect(match(bad)).toEqual({ reason: 'wrong_code' });
    }
  });
});

describe('secrets', () => {
  it('are 160-bit (20 bytes), base32 without padding, and 1,000 of them are all distinct', () => {
    const secrets = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const s = generateTotpSecret();
      expect(s).toMatch(/^[A-Z2-7]{32}$/);
      expect(totpKey(s).length).toBe(20);
      secrets.add(s);
    }
    expect(secrets.size).toBe(1000);
  });

  it("decode as the RFC 4648 vectors and the security bar's RFC 6238 seeds say", () => {
    expect(Buffer.from(totpKey('MZXW6YTBOI')).toString()).toBe('foobar');
    expect(Buffer.from(totpKey('mzxw6ytboi')).toString()).toBe('foobar');
    expect(Buffer.from(totpKey('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA')).equals(SEED_SHA256)).toBe(true);
    expect(() => totpKey('MZXW1')).toThrow();
  });
});
