import { z } from 'zod';
import { MFA_FACTORS } from '../../rpc/mfa-patterns';
import type { MfaFactor } from '../../rpc/mfa-rpc.schema';
import { challengeOtp, oneOf, otpCode, strictBoolean, uid } from '../../schemas/primitives';
import { userIdParams } from './common';

/** `PATCH /v1/account/mfa`, `PATCH /v1/users/:userId/mfa`. */
export const updateMfaBody = z.object({ mfa: strictBoolean() });
export type UpdateMfaBody = z.output<typeof updateMfaBody>;

/** `:type` of an authenticator: only `totp` exists (case-insensitive). */
export const authenticatorTypeParams = z.object({ type: oneOf(['totp'], { caseInsensitive: true }) });
export type AuthenticatorTypeParams = z.output<typeof authenticatorTypeParams>;

/** `/v1/users/:userId/mfa/authenticators/:type`. */
export const userAuthenticatorParams = userIdParams.extend(authenticatorTypeParams.shape);
export type UserAuthenticatorParams = z.output<typeof userAuthenticatorParams>;

/** `PUT /v1/account/mfa/authenticators/:type`: a current code of the new authenticator. */
export const verifyAuthenticatorBody = z.object({ otp: otpCode() });
export type VerifyAuthenticatorBody = z.output<typeof verifyAuthenticatorBody>;

/**
 * `POST /v1/account/mfa/challenges`: `factor` is case-insensitive (the SDK enum sends `recoverycode`),
 * answered in canonical form (`recoveryCode`).
 */
export const createChallengeBody = z.object({
  factor: oneOf(MFA_FACTORS as readonly [MfaFactor, ...MfaFactor[]], { caseInsensitive: true }),
});
export type CreateChallengeBody = z.output<typeof createChallengeBody>;

/** `PUT /v1/account/mfa/challenges`: a six-digit code or a recovery code. */
export const completeChallengeBody = z.object({ challengeId: uid(), otp: challengeOtp() });
export type CompleteChallengeBody = z.output<typeof completeChallengeBody>;

/** `GET /v1/account/mfa/challenges/:challengeId`. */
export const challengeIdParams = z.object({ challengeId: uid() });
export type ChallengeIdParams = z.output<typeof challengeIdParams>;
