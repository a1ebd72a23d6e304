import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { base32Encode } from './base32';

export type OtpAlgorithm = 'sha1' | 'sha256' | 'sha512';

/** What our authenticators use (and state explicitly in the otpauth URI), for interoperability. */
export const TOTP_PARAMS = { algorithm: 'sha1' as OtpAlgorithm, digits: 6, period: 30 } as const;

/** RFC 4226 recommends 160 bits: the length of the HMAC-SHA-1 output. */
export const TOTP_SECRET_BYTES = 20;

/**
 * HOTP (RFC 4226 section 5): HMAC over the 8-byte big-endian counter, dynamic truncation to 31 bits,
 * the last `digits` decimal digits. The counter is written as a 64-bit integer, so TOTP time steps
 * past 2^32 (year 2106 at 30 s; RFC 6238 section 4.2) work.
 */
export function hotp(key: Buffer, counter: number, digits = 6, algorithm: OtpAlgorithm = 'sha1'): string {
  if (!Number.isSafeInteger(counter) || counter < 0) throw new RangeError('counter must be a non-negative safe integer');
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, key).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The RFC 6238 time step T = floor((t - T0) / X) with T0 = 0. */
export function timeStep(epochSeconds: number, period: number = TOTP_PARAMS.period): number {
  return Math.floor(epochSeconds / period);
}

/** TOTP (RFC 6238): HOTP of the time step. */
export function totp(key: Buffer, epochSeconds: number, digits: number = TOTP_PARAMS.digits, algorithm: OtpAlgorithm = TOTP_PARAMS.algorithm, period: number = TOTP_PARAMS.period): string {
  return hotp(key, timeStep(epochSeconds, period), digits, algorithm);
}

/**
 * The steps in `[current - window, current + window]` whose code equals `code`. Every candidate is
 * computed and compared in constant time, so timing does not tell which step (if any) matched.
 */
export function matchingSteps(key: Buffer, code: string, currentStep: number, window: number): number[] {
  const given = Buffer.from(code, 'utf8');
  const matches: number[] = [];
  for (let step = currentStep - window; step <= currentStep + window; step++) {
    if (step < 0) continue;
    const expected = Buffer.from(hotp(key, step, TOTP_PARAMS.digits, TOTP_PARAMS.algorithm), 'utf8');
    const equal = expected.length === given.length && timingSafeEqual(expected, given);
    if (equal) matches.push(step);
  }
  return matches;
}

/** A new TOTP secret: 20 bytes from the CSPRNG, base32 without padding (32 characters). */
export function generateTotpSecret(): string {
  return base32Encode(randomBytes(TOTP_SECRET_BYTES));
}
