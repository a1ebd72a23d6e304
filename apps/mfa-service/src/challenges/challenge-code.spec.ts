import { OTP_CODE_PATTERN } from '@twostep/contracts';
import { generateChallengeCode } from './challenge-code';

/** Pearson's chi-square statistic of observed counts against a uniform expectation. */
function chiSquare(counts: number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const expected = total / counts.length;
  return counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
}

/** Critical value of chi-square with 9 degrees of freedom at p = 0.0001. */
const CHI2_9DF_P0001 = 33.72;
/** with 99 degrees of freedom (first two digits together) at p = 0.0001 */
const CHI2_99DF_P0001 = 158.0;

function digitCounts(codes: string[], position: number): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const code of codes) counts[code.charCodeAt(position) - 48]++;
  return counts;
}

describe('email and SMS challenge codes', () => {
  const codes = Array.from({ length: 100_000 }, () => generateChallengeCode());

  it('are exactly six ASCII digits, leading zeros kept', () => {
    for (const code of codes) expect(code).toMatch(OTP_CODE_PATTERN);
    expect(codes.some((c) => c.startsWith('0'))).toBe(true);
  });

  it('are uniform at every position (chi-square over 100,000 codes)', () => {
    for (let position = 0; position < 6; position++) {
      expect(chiSquare(digitCounts(codes, position))).toBeLessThan(CHI2_9DF_P0001);
    }
  });

  it('are uniform over all digits together and over pairs of positions', () => {
    const all = new Array<number>(10).fill(0);
    for (let p = 0; p < 6; p++) digitCounts(codes, p).forEach((c, d) => (all[d] += c));
    expect(chiSquare(all)).toBeLessThan(CHI2_9DF_P0001);
    const pairs = new Array<number>(100).fill(0);
    for (const code of codes) pairs[Number(code.slice(0, 2))]++;
    expect(chiSquare(pairs)).toBeLessThan(CHI2_99DF_P0001);
  });

  it('the uniformity check itself flags a biased generator', () => {
    // digits 0-5 twice as likely as 6-9: what `byte % 10` style bias looks like, exaggerated
    const biased = Array.from({ length: 100_000 }, (_, i) => String(i % 16 < 12 ? (i % 16) % 6 : 6 + (i % 4)).repeat(6));
    expect(chiSquare(digitCounts(biased, 0))).toBeGreaterThan(CHI2_9DF_P0001);
  });

  it('do not repeat more than chance allows', () => {
    // 100,000 draws from 10^6 codes leave on average 10^6 * (1 - e^-0.1) = 95,163 distinct ones, with a
    // standard deviation of about 65; the bound sits 8.6 deviations below (a false alarm less than once in
    // 10^15 runs), where 95,000 used to fail about one run in a hundred by chance
    expect(new Set(codes).size).toBeGreaterThan(94_600);
  });
});
