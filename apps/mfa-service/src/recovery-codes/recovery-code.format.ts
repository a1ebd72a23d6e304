import { RECOVERY_CODE_PATTERN } from '@twostep/contracts';
import { randomHex } from '@twostep/crypto';

/** How many codes a set has. */
export const RECOVERY_CODE_COUNT = 10;
/** 16 lowercase hex characters (`RECOVERY_CODE_PATTERN`): 64 bits from the CSPRNG (NIST SP 800-63B-4 4.2.1.1 asks for >= 64). */
export function generateRecoveryCode(): string {
  return randomHex(8);
}

/**
 * What a user types, made comparable: surrounding and inner spaces and dashes dropped, lower case.
 * Returns null when the result is not shaped like a recovery code.
 */
export function normalizeRecoveryCode(input: string): string | null {
  const normalized = input.trim().toLowerCase().replace(/[\s-]/g, '');
  return RECOVERY_CODE_PATTERN.test(normalized) ? normalized : null;
}
