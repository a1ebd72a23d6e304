import { MFA_FACTORS, MfaFactor } from '@twostep/contracts';
import { required, v, validateParams, Validator } from '../common/validation/params';

/**
 * `factor`: case-insensitive (the SDK enum sends `recoverycode`), answered in canonical form
 * (`recoveryCode`). The description lists the lower-cased values, as Appwrite's does.
 */
export const factorParam = (): Validator<MfaFactor> => v.whitelist(MFA_FACTORS, { caseInsensitive: true });

const SIX_DIGITS = /^[0-9]{6}$/;
const RECOVERY_CODE_SHAPE = /^[0-9A-Za-z-]{8,64}$/;

/** A one-time code from an authenticator app, an email or an SMS: exactly six ASCII digits. */
export function totpCodeParam(): Validator<string> {
  return {
    description: 'Value must be a 6-digit code',
    check: (value) => (typeof value === 'string' && SIX_DIGITS.test(value) ? value : undefined),
  };
}

/**
 * The `otp` of a challenge: six ASCII digits, or the shape of a recovery code. Anything else (blanks,
 * padding, non-ASCII digits, numbers, objects) is a 400 before it reaches mfa-service.
 */
export function challengeOtpParam(): Validator<string> {
  return {
    description: 'Value must be a 6-digit code or a recovery code',
    check: (value) => (typeof value === 'string' && (SIX_DIGITS.test(value) || RECOVERY_CODE_SHAPE.test(value)) ? value : undefined),
  };
}

/** The authenticator `type` path parameter: only `totp` exists. */
export function authenticatorType(type: unknown): 'totp' {
  return validateParams({ type }, { type: required(v.whitelist(['totp'] as const, { caseInsensitive: true })) }).type;
}

/** An id in a path (`userId`, `challengeId`): Appwrite's UID rule, so `../sms` and friends are a 400. */
export function idParam(name: string, value: unknown): string {
  return validateParams({ [name]: value }, { [name]: required(v.uid()) })[name] as string;
}
