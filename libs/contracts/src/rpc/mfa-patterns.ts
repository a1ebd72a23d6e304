/**
 * Message patterns of mfa-service over the @nestjs/microservices TCP transport, with the request and
 * response type of each. Versioned and persisted: a changed message gets a new pattern.
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
export type MfaFactor = 'totp' | 'email' | 'phone' | 'recoveryCode';
export const MFA_FACTORS: readonly MfaFactor[] = ['totp', 'email', 'phone', 'recoveryCode'];

/** Case-insensitive input (`recoverycode` from the SDK enum, `recoveryCode`, `TOTP`) to the canonical name. */
export function canonicalFactor(input: unknown): MfaFactor | undefined {
  if (typeof input !== 'string') return undefined;
  const lower = input.toLowerCase();
  return MFA_FACTORS.find((f) => f.toLowerCase() === lower);
}

export interface PingRequest {
  nonce: string;
}
export interface PingResponse {
  nonce: string;
  /** mfa-service's own readiness: its Postgres and Redis answer */
  ready: boolean;
  now: string;
}

export type HeartbeatRequest = Record<string, never>;
export interface HeartbeatResponse {
  /** false is never sent: a draining replica answers 503 instead */
  accepting: true;
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

export interface UserRef {
  userId: string;
}

/** What mfa-service knows about a user's factors (email/phone verification lives in auth-api). */
export interface FactorsResponse {
  /** a TOTP authenticator exists and is verified */
  totp: boolean;
  /** at least one unused recovery code exists */
  recoveryCode: boolean;
}

/** A change to a user's factors made from a session (the session is recorded as the factor's enroller). */
export interface EnrollingSessionRef extends UserRef {
  /** the session making the change; a factor enrolled by a session never earns that session a step-up */
  sessionId?: string;
}

export interface TotpCreateRequest extends UserRef {
  /** the label's account part: the user's email (or phone, or id when neither exists) */
  accountName: string;
  /** the project name (TOTP issuer); never contains ':' */
  issuer: string;
}
export interface TotpCreateResponse {
  /** base32, no padding */
  secret: string;
  /** otpauth://totp/<issuer>:<account>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30 */
  uri: string;
}

export interface TotpVerifyRequest extends EnrollingSessionRef {
  otp: string;
}
export interface TotpVerifyResponse {
  verified: true;
}

export interface TotpDeleteResponse {
  deleted: true;
}

/** Who asked for a code, shown in the email. Not secret. */
export interface ChallengeRequester {
  clientName?: string;
  osName?: string;
  deviceName?: string;
}

export interface ChallengeCreateRequest extends UserRef {
  /** the session the challenge is bound to: it can only be completed from that session */
  sessionId: string;
  factor: MfaFactor;
  /** for `email` and `phone`: where and how to deliver the code (auth-api checked it is verified) */
  delivery?: {
    destination: string;
    userName?: string;
    locale: string;
    projectName: string;
    requester?: ChallengeRequester;
  };
}

/** The public view of a challenge (Appwrite's MFAChallenge model, before formatting). */
export interface ChallengeView {
  id: string;
  createdAt: string;
  userId: string;
  expire: string;
}

export interface ChallengeVerifyRequest extends UserRef {
  sessionId: string;
  challengeId: string;
  otp: string;
}
export interface ChallengeVerifyResponse {
  /** the factor this challenge proved: auth-api adds it to the session */
  factor: MfaFactor;
  /** recovery codes left after this one (only for `recoveryCode`) */
  recoveryCodesLeft?: number;
  /**
   * the proven factor (TOTP authenticator, recovery-code set) was enrolled by the very session that
   * completed the challenge: it proves nothing new about that session (no step-up)
   */
  enrolledBySession: boolean;
}

export type ChallengeStatus = 'pending' | 'delivered' | 'delivery_failed' | 'expired' | 'exhausted' | 'consumed';

export interface ChallengeGetRequest extends UserRef {
  challengeId: string;
}
/** Beyond Appwrite: the state of a challenge, so an app can say "the SMS failed, try email". */
export interface ChallengeStateResponse extends ChallengeView {
  factor: MfaFactor;
  status: ChallengeStatus;
  attemptsLeft: number;
  delivery?: {
    channel: 'email' | 'sms';
    status: 'queued' | 'sent' | 'failed' | 'dropped';
    /** classified failure reason, e.g. `invalid_destination` */
    reason?: string;
    updatedAt: string;
  };
}

export interface RecoveryCodesResponse {
  recoveryCodes: string[];
}

export interface LockoutsClearResponse {
  /** factor budgets (of the account included) that had failures or a lockout and were cleared */
  cleared: number;
}

export interface UserPurgeResponse {
  purged: true;
}

/**
 * Request and response type of every pattern. The RPC client (auth-api MfaClient) and the handlers are
 * typed from this map, so a change to a message breaks both sides at compile time.
 */
export interface MfaRpc {
  [MfaPattern.Ping]: { request: PingRequest; response: PingResponse };
  [MfaPattern.Heartbeat]: { request: HeartbeatRequest; response: HeartbeatResponse };
  [MfaPattern.FactorsGet]: { request: UserRef; response: FactorsResponse };
  [MfaPattern.TotpCreate]: { request: TotpCreateRequest; response: TotpCreateResponse };
  [MfaPattern.TotpVerify]: { request: TotpVerifyRequest; response: TotpVerifyResponse };
  [MfaPattern.TotpDelete]: { request: UserRef; response: TotpDeleteResponse };
  [MfaPattern.ChallengeCreate]: { request: ChallengeCreateRequest; response: ChallengeView };
  [MfaPattern.ChallengeVerify]: { request: ChallengeVerifyRequest; response: ChallengeVerifyResponse };
  [MfaPattern.ChallengeGet]: { request: ChallengeGetRequest; response: ChallengeStateResponse };
  [MfaPattern.RecoveryCodesCreate]: { request: EnrollingSessionRef; response: RecoveryCodesResponse };
  [MfaPattern.RecoveryCodesGet]: { request: UserRef; response: RecoveryCodesResponse };
  [MfaPattern.RecoveryCodesRegenerate]: { request: EnrollingSessionRef; response: RecoveryCodesResponse };
  [MfaPattern.UserPurge]: { request: UserRef; response: UserPurgeResponse };
  [MfaPattern.LockoutsClear]: { request: UserRef; response: LockoutsClearResponse };
}
