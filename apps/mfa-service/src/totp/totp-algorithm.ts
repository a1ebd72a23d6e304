import { generateSecret, HashAlgorithm } from '@otplib/core';
import { base32 } from '@otplib/plugin-base32-scure';
import { crypto } from '@otplib/plugin-crypto-node';
import { generateSync, verifySync } from '@otplib/totp';
import { OTP_CODE_PATTERN } from '@twostep/contracts';

/**
 * TOTP through otplib 13: HMAC and randomness from its `node:crypto` plugin, base32 from its base32
 * plugin. This file only fixes our parameters and the replay rule; it computes no HMAC itself.
 */

export type OtpAlgorithm = HashAlgorithm;

export interface TotpParams {
  algorithm: OtpAlgorithm;
  digits: 6 | 8;
  period: number;
}

/** What our authenticators use (and state explicitly in the otpauth URI), for interoperability. */
export const TOTP_PARAMS: Readonly<TotpParams> = Object.freeze({ algorithm: 'sha1', digits: 6, period: 30 });

/** RFC 4226 recommends 160 bits: the length of the HMAC-SHA-1 output. */
export const TOTP_SECRET_BYTES = 20;

/** A TOTP code as typed: exactly the configured number of ASCII digits (no spaces, no other scripts' digits). */
const CODE_PATTERN = { 6: OTP_CODE_PATTERN, 8: /^[0-9]{8}$/ } as const;

/** Our codes: exactly six ASCII digits. */
export const TOTP_CODE = CODE_PATTERN[TOTP_PARAMS.digits];

/** A secret as the authenticator holds it: base32 text (as stored and in the URI) or the raw key bytes. */
export type TotpSecret = string | Uint8Array;

/** A new TOTP secret: 20 bytes from `node:crypto`'s CSPRNG, base32 without padding (32 characters). */
export function generateTotpSecret(): string {
  return generateSecret({ crypto, base32, length: TOTP_SECRET_BYTES });
}

/** The raw key of a base32 secret (case-insensitive; throws on characters outside the alphabet). */
export function totpKey(secret: TotpSecret): Uint8Array {
  return typeof secret === 'string' ? base32.decode(secret) : secret;
}

/** The RFC 6238 time step T = floor((t - T0) / X) with T0 = 0. */
export function timeStep(epochSeconds: number, period: number = TOTP_PARAMS.period): number {
  return Math.floor(epochSeconds / period);
}

/** The code an authenticator shows for `secret` at `epochSeconds` (RFC 6238). */
export function totpCode(secret: TotpSecret, epochSeconds: number, params: Partial<TotpParams> = {}): string {
  const { algorithm, digits, period } = { ...TOTP_PARAMS, ...params };
  return generateSync({ secret: totpKey(secret), epoch: epochSeconds, algorithm, digits, period, crypto });
}

/** Which time step a code proves, or why it proves none. */
export type StepMatch = { step: number } | { reason: 'wrong_code' | 'replayed_step' };

export interface StepMatchInput {
  secret: TotpSecret;
  code: string;
  /** the server's time (never the client's) */
  epochSeconds: number;
  /** steps accepted either side of the current one */
  window: number;
  /** the last step accepted for this authenticator; it and every older step are refused */
  lastStep: number | null;
  params?: Partial<TotpParams>;
}

/**
 * The step a code proves within `[T - window, T + window]`, by otplib's `verify`: of the steps whose
 * code equals `code`, the highest one above `lastStep`. When the code only matches steps at or below
 * `lastStep` the reason is `replayed_step` (a replay, which the caller reports); otherwise `wrong_code`.
 *
 * otplib returns the first (lowest) matching step and skips steps up to `afterTimeStep`; asking again
 * after each match walks the window once, so every step's code is computed exactly once (2·window+1
 * HMACs whatever the outcome) and each comparison is constant-time (the plugin's `timingSafeEqual`).
 * Taking the highest match burns every step the code proves, so the same code never passes twice even
 * when it happens to be the code of two steps in the window.
 */
export function matchStep(input: StepMatchInput): StepMatch {
  const { algorithm, digits, period } = { ...TOTP_PARAMS, ...input.params };
  if (!CODE_PATTERN[digits].test(input.code)) return { reason: 'wrong_code' };
  const options = {
    secret: totpKey(input.secret),
    token: input.code,
    epoch: input.epochSeconds,
    epochTolerance: input.window * period,
    algorithm,
    digits,
    period,
    crypto,
  };
  let fresh: number | undefined;
  let spent = false;
  let after: number | undefined;
  for (;;) {
    const result = verifySync(after === undefined ? options : { ...options, afterTimeStep: after });
    if (!result.valid) break;
    if (input.lastStep !== null && result.timeStep <= input.lastStep) spent = true;
    else fresh = result.timeStep;
    after = result.timeStep;
  }
  if (fresh !== undefined) return { step: fresh };
  return { reason: spent ? 'replayed_step' : 'wrong_code' };
}
