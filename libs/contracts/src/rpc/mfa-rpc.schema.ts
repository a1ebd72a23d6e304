import { z } from 'zod';
import {
  DESCRIPTIONS,
  e164,
  emailAddress,
  generatedId,
  locale,
  OTP_CODE_PATTERN,
  oneOf,
  RECOVERY_CODE_INPUT_PATTERN,
  RECOVERY_CODE_PATTERN,
  uid,
} from '../schemas/primitives';
import {
  cleanDisplayText,
  credentialShape,
  generatedIdRef,
  isoTimestamp,
  MFA_FACTOR_NAMES,
  plainText,
  requesterInfo,
} from '../schemas/rpc-primitives';
import { MfaPattern } from './mfa-patterns';

/**
 * One request and one reply schema per `mfa.v1.*` pattern. mfa-service parses every request with its
 * schema before a handler sees it (one pipe), auth-api's MfaClient parses every reply with its schema.
 * Id rules, the same on both sides:
 *  - user ids and session ids: Appwrite's UID (at most 36 characters);
 *  - challenge ids: ids this product generated (20 lower-case hex); any other value cannot name a
 *    challenge and is answered `user_invalid_token`, as an unknown one is.
 */

const factor = () => oneOf(MFA_FACTOR_NAMES, { caseInsensitive: true });
export const mfaFactorSchema = z.enum(MFA_FACTOR_NAMES);
export type MfaFactor = z.output<typeof mfaFactorSchema>;

const userRef = z.object({ userId: uid() });
/** A change to a user's factors, made from a session (recorded as the enroller) or by an administrator. */
const enrollingSessionRef = userRef.extend({ sessionId: uid().nullish() });

// ---- Ping / Heartbeat

/** Ping is a probe: any payload is answered; a nonce is echoed, cut to 256 characters. */
const pingRequest = z.preprocess(
  (v) => {
    const nonce = typeof v === 'object' && v !== null ? (v as { nonce?: unknown }).nonce : undefined;
    return { nonce: typeof nonce === 'string' ? nonce.slice(0, 256) : '' };
  },
  z.object({ nonce: z.string() }),
);
const pingReply = z.object({
  nonce: z.string(),
  /** mfa-service's own readiness: its Postgres and Redis answer */
  ready: z.boolean(),
  now: isoTimestamp(),
});
const heartbeatRequest = z.object({});
/** false is never sent: a draining replica answers 503 instead */
const heartbeatReply = z.object({ accepting: z.literal(true) });

// ---- Factors

/** What mfa-service knows about a user's factors (email/phone verification lives in auth-api). */
const factorsReply = z.object({
  /** a TOTP authenticator exists and is verified */
  totp: z.boolean(),
  /** at least one unused recovery code exists */
  recoveryCode: z.boolean(),
});

// ---- TOTP

const totpCreateRequest = userRef.extend({
  /** the label's account part: the user's email (or phone, or id when neither exists); no ':' */
  accountName: plainText(320, { noColon: true }),
  /** the project name (TOTP issuer); never contains ':' */
  issuer: plainText(128, { noColon: true }),
});
const totpCreateReply = z.object({
  /** base32, no padding */
  secret: z.string().regex(/^[A-Z2-7]{16,128}$/),
  /** otpauth://totp/<issuer>:<account>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30 */
  uri: z.string().startsWith('otpauth://totp/'),
});
const totpVerifyRequest = enrollingSessionRef.extend({
  otp: credentialShape((s) => OTP_CODE_PATTERN.test(s), DESCRIPTIONS.otpCode),
});
const totpVerifyReply = z.object({ verified: z.literal(true) });
const totpDeleteReply = z.object({ deleted: z.literal(true) });

// ---- Challenges

/** Where and how to deliver the code of an `email` or `phone` challenge (auth-api checked it is verified). */
const challengeDelivery = z.object({
  destination: z.string({ error: DESCRIPTIONS.text(320) }),
  userName: cleanDisplayText(),
  locale: locale(),
  projectName: plainText(128),
  requester: requesterInfo()
    .nullish()
    .transform((r) => r ?? undefined),
});
const emailDestination = emailAddress();
const phoneDestination = e164();

const challengeCreateRequest = userRef
  .extend({
    /** the session the challenge is bound to: it can only be completed from that session */
    sessionId: uid(),
    factor: factor(),
    delivery: challengeDelivery.nullish(),
  })
  .transform((req, ctx): { userId: string; sessionId: string; factor: MfaFactor; delivery?: ChallengeDelivery } => {
    const { delivery, ...rest } = req;
    if (req.factor !== 'email' && req.factor !== 'phone') return rest;
    if (!delivery) {
      ctx.addIssue({ code: 'custom', path: ['delivery'], message: DESCRIPTIONS.object, input: delivery });
      return z.NEVER;
    }
    const destination = (req.factor === 'email' ? emailDestination : phoneDestination).safeParse(delivery.destination);
    if (!destination.success) {
      ctx.addIssue({
        code: 'custom',
        path: ['delivery', 'destination'],
        message: destination.error.issues[0]?.message ?? DESCRIPTIONS.text(320),
        input: delivery.destination,
      });
      return z.NEVER;
    }
    return { ...rest, delivery: { ...delivery, destination: destination.data } };
  });
/** The delivery block of an email or phone challenge as mfa-service uses it. */
export type ChallengeDelivery = z.output<typeof challengeDelivery>;

/** The public view of a challenge (Appwrite's MFAChallenge model, before formatting). */
const challengeView = z.object({
  id: generatedId(),
  createdAt: isoTimestamp(),
  userId: uid(),
  expire: isoTimestamp(),
});

const challengeVerifyRequest = userRef.extend({
  sessionId: uid(),
  challengeId: generatedIdRef(),
  /** a six-digit code, or a recovery code as typed (spaces, dashes and case are normalised by mfa-service) */
  otp: credentialShape(
    (s) => s.length <= 256 && (OTP_CODE_PATTERN.test(s) || RECOVERY_CODE_INPUT_PATTERN.test(s.replace(/\s/g, ''))),
    DESCRIPTIONS.challengeOtp,
  ),
});
const challengeVerifyReply = z.object({
  /** the factor this challenge proved: auth-api adds it to the session */
  factor: mfaFactorSchema,
  /** recovery codes left after this one (only for `recoveryCode`) */
  recoveryCodesLeft: z.number().int().min(0).optional(),
  /** the proven factor was enrolled by the very session that completed the challenge: no step-up */
  enrolledBySession: z.boolean(),
});

export const CHALLENGE_STATUSES = ['pending', 'delivered', 'delivery_failed', 'expired', 'exhausted', 'consumed'] as const;
export type ChallengeStatus = (typeof CHALLENGE_STATUSES)[number];

const challengeGetRequest = userRef.extend({ challengeId: generatedIdRef() });
/** Beyond Appwrite: the state of a challenge, so an app can say "the SMS failed, try email". */
const challengeStateReply = challengeView.extend({
  factor: mfaFactorSchema,
  status: z.enum(CHALLENGE_STATUSES),
  attemptsLeft: z.number().int().min(0),
  delivery: z
    .object({
      channel: z.enum(['email', 'sms']),
      status: z.enum(['queued', 'sent', 'failed', 'dropped']),
      /** classified failure reason, e.g. `invalid_destination` */
      reason: z.string().max(64).optional(),
      updatedAt: isoTimestamp(),
    })
    .optional(),
});

// ---- Recovery codes, users, lockouts

const recoveryCodesReply = z.object({ recoveryCodes: z.array(z.string().regex(RECOVERY_CODE_PATTERN)) });
const userPurgeReply = z.object({ purged: z.literal(true) });
/** factor budgets (of the account included) that had failures or a lockout and were cleared */
const lockoutsClearReply = z.object({ cleared: z.number().int().min(0) });

/** Request and reply schema of every pattern: the one definition of each message. */
export const rpcContracts = {
  [MfaPattern.Ping]: { request: pingRequest, reply: pingReply },
  [MfaPattern.Heartbeat]: { request: heartbeatRequest, reply: heartbeatReply },
  [MfaPattern.FactorsGet]: { request: userRef, reply: factorsReply },
  [MfaPattern.TotpCreate]: { request: totpCreateRequest, reply: totpCreateReply },
  [MfaPattern.TotpVerify]: { request: totpVerifyRequest, reply: totpVerifyReply },
  [MfaPattern.TotpDelete]: { request: userRef, reply: totpDeleteReply },
  [MfaPattern.ChallengeCreate]: { request: challengeCreateRequest, reply: challengeView },
  [MfaPattern.ChallengeVerify]: { request: challengeVerifyRequest, reply: challengeVerifyReply },
  [MfaPattern.ChallengeGet]: { request: challengeGetRequest, reply: challengeStateReply },
  [MfaPattern.RecoveryCodesCreate]: { request: enrollingSessionRef, reply: recoveryCodesReply },
  [MfaPattern.RecoveryCodesGet]: { request: userRef, reply: recoveryCodesReply },
  [MfaPattern.RecoveryCodesRegenerate]: { request: enrollingSessionRef, reply: recoveryCodesReply },
  [MfaPattern.UserPurge]: { request: userRef, reply: userPurgeReply },
  [MfaPattern.LockoutsClear]: { request: userRef, reply: lockoutsClearReply },
} as const satisfies Record<MfaPattern, { request: z.ZodType; reply: z.ZodType }>;

export type RpcContracts = typeof rpcContracts;
/** What a caller sends for `P` (before parsing). */
export type RpcRequest<P extends MfaPattern> = z.input<RpcContracts[P]['request']>;
/** What a handler of `P` receives (after parsing: canonical factor, cleaned texts). */
export type RpcPayload<P extends MfaPattern> = z.output<RpcContracts[P]['request']>;
/** What `P` answers. */
export type RpcReply<P extends MfaPattern> = z.output<RpcContracts[P]['reply']>;

export type UserRef = RpcPayload<typeof MfaPattern.FactorsGet>;
export type EnrollingSessionRef = RpcPayload<typeof MfaPattern.RecoveryCodesCreate>;
export type PingRequest = RpcRequest<typeof MfaPattern.Ping>;
export type PingResponse = RpcReply<typeof MfaPattern.Ping>;
export type HeartbeatRequest = RpcRequest<typeof MfaPattern.Heartbeat>;
export type HeartbeatResponse = RpcReply<typeof MfaPattern.Heartbeat>;
export type FactorsResponse = RpcReply<typeof MfaPattern.FactorsGet>;
export type TotpCreateRequest = RpcRequest<typeof MfaPattern.TotpCreate>;
export type TotpCreateResponse = RpcReply<typeof MfaPattern.TotpCreate>;
export type TotpVerifyRequest = RpcRequest<typeof MfaPattern.TotpVerify>;
export type TotpVerifyResponse = RpcReply<typeof MfaPattern.TotpVerify>;
export type TotpDeleteResponse = RpcReply<typeof MfaPattern.TotpDelete>;
export type ChallengeCreateRequest = RpcRequest<typeof MfaPattern.ChallengeCreate>;
export type ChallengeView = RpcReply<typeof MfaPattern.ChallengeCreate>;
export type ChallengeVerifyRequest = RpcRequest<typeof MfaPattern.ChallengeVerify>;
export type ChallengeVerifyResponse = RpcReply<typeof MfaPattern.ChallengeVerify>;
export type ChallengeGetRequest = RpcRequest<typeof MfaPattern.ChallengeGet>;
export type ChallengeStateResponse = RpcReply<typeof MfaPattern.ChallengeGet>;
export type RecoveryCodesResponse = RpcReply<typeof MfaPattern.RecoveryCodesGet>;
export type LockoutsClearResponse = RpcReply<typeof MfaPattern.LockoutsClear>;
export type UserPurgeResponse = RpcReply<typeof MfaPattern.UserPurge>;

/**
 * Request and response type of every pattern, inferred from {@link rpcContracts}: the RPC client
 * (auth-api MfaClient) and the handlers are typed from this map, so a change to a message breaks both.
 */
export type MfaRpc = { [P in MfaPattern]: { request: RpcRequest<P>; response: RpcReply<P> } };
