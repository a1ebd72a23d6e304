import { MFA_FACTOR_NAMES } from '../schemas/rpc-primitives';
import type { MfaFactor } from './mfa-rpc.schema';

/**
 * Message patterns of mfa-service over the @nestjs/microservices TCP transport; the request and reply
 * schema of each is in `mfa-rpc.schema.ts` ({@link rpcContracts}). Versioned and persisted: a changed message gets a new pattern.
 *
 * Conventions:
 *  - all times are ISO 8601 strings produced by mfa-service's clock (the one authority for expiry and
 *    TOTP time); auth-api only re-formats them;
 *  - failures are thrown as AppError on the mfa-service side and arrive in auth-api as the same AppError
 *    (type, message, retryAfterSeconds): `user_invalid_token`, `user_authenticator_not_found`,
 *    `user_authenticator_already_verified`, `user_recovery_codes_not_found`,
 *    `user_recovery_codes_already_exists`, `general_rate_limit_exceeded` (with retryAfterSeconds),
 *    `general_service_unavailable`, `general_argument_invalid`;
 *  - no response ever carries a code, code hash or secret, except `TotpCreate` (the enrollment secret,
 *    once) and the recovery-code responses.
 */
export const MfaPattern = {
  Ping: 'mfa.v1.ping',
  /** cheap liveness of one replica for auth-api's endpoint pool (no Postgres/Redis); refused while draining */
  Heartbeat: 'mfa.v1.heartbeat',
  FactorsGet: 'mfa.v1.factors.get',
  TotpCreate: 'mfa.v1.totp.create',
  TotpVerify: 'mfa.v1.totp.verify',
  TotpDelete: 'mfa.v1.totp.delete',
  ChallengeCreate: 'mfa.v1.challenge.create',
  ChallengeVerify: 'mfa.v1.challenge.verify',
  ChallengeGet: 'mfa.v1.challenge.get',
  RecoveryCodesCreate: 'mfa.v1.recovery-codes.create',
  RecoveryCodesGet: 'mfa.v1.recovery-codes.get',
  RecoveryCodesRegenerate: 'mfa.v1.recovery-codes.regenerate',
  UserPurge: 'mfa.v1.user.purge',
  LockoutsClear: 'mfa.v1.lockouts.clear',
} as const;
export type MfaPattern = (typeof MfaPattern)[keyof typeof MfaPattern];

/** Canonical factor names (what is stored and what appears in `session.factors`). */
export const MFA_FACTORS: readonly MfaFactor[] = MFA_FACTOR_NAMES;

/** Case-insensitive input (`recoverycode` from the SDK enum, `recoveryCode`, `TOTP`) to the canonical name. */
export function canonicalFactor(input: unknown): MfaFactor | undefined {
  if (typeof input !== 'string') return undefined;
  const lower = input.toLowerCase();
  return MFA_FACTORS.find((f) => f.toLowerCase() === lower);
}

/**
 * Patterns that change nothing: after the connection to one replica drops mid-call, auth-api may send
 * them again to another replica. Every other pattern is retried only when it never left auth-api.
 */
export const MFA_READ_ONLY_PATTERNS: ReadonlySet<string> = new Set<string>([
  MfaPattern.Ping,
  MfaPattern.Heartbeat,
  MfaPattern.FactorsGet,
  MfaPattern.ChallengeGet,
  MfaPattern.RecoveryCodesGet,
]);
