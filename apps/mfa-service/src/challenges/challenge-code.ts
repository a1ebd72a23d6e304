import { randomDigits } from '@twostep/crypto';

/** Email and SMS codes: 6 decimal digits, each uniform from the CSPRNG (leading zeros kept). */
export const CHALLENGE_CODE_DIGITS = 6;
export const CHALLENGE_CODE = /^[0-9]{6}$/;

export function generateChallengeCode(): string {
  return randomDigits(CHALLENGE_CODE_DIGITS);
}
