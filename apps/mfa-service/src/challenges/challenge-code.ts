import { randomDigits } from '@twostep/crypto';

/** Email and SMS codes: 6 decimal digits (`OTP_CODE_PATTERN` of @twostep/contracts), each uniform from the CSPRNG (leading zeros kept). */
export const CHALLENGE_CODE_DIGITS = 6;

export function generateChallengeCode(): string {
  return randomDigits(CHALLENGE_CODE_DIGITS);
}
