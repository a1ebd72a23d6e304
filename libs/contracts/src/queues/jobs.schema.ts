import { z } from 'zod';
import { locale, otpCode, uid } from '../schemas/primitives';
import { cleanDisplayText, isoTimestamp, optionalRequestId, requesterInfo } from '../schemas/rpc-primitives';
import { DeliveryResultJobName, OtpDeliveryJobName, QueueName, SecurityNoticeJobName } from './queue-names';

/**
 * One schema per job payload: the envelope as it sits in Redis (checked by the worker host before a
 * handler sees it) and the secret content of its sealed box (checked after opening). Ids (`userId`,
 * `referenceId`: a challenge or verification token, `noticeId`) are opaque to consumers: Appwrite's UID
 * rule. A malformed `requestId` is dropped, never a reason to refuse a job.
 */

const base64url = z.string().regex(/^[A-Za-z0-9_-]{1,100000}$/);

/**
 * A sealed (AES-256-GCM) JSON value. Everything secret in a job (codes, links, email addresses, phone
 * numbers, names) travels inside one of these; Redis only ever sees ciphertext. Produced and opened by
 * `@twostep/crypto` (`seal` / `open`).
 */
export const sealedBoxSchema = z.object({
  /** format version */
  v: z.literal(1),
  /** id of the key in the keyring that sealed it (lets keys rotate) */
  kid: z.string().min(1).max(64),
  /** base64url 12-byte nonce */
  iv: base64url,
  /** base64url 16-byte GCM tag */
  tag: base64url,
  /** base64url ciphertext */
  ct: base64url,
});
export type SealedBox = z.output<typeof sealedBoxSchema>;
/** A sealed box whose plaintext is known to be a `T` (phantom type: ties producer and consumer). */
export type Sealed<T> = SealedBox & { readonly __plaintext?: T };

export const DELIVERY_CHANNELS = ['email', 'sms'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];

const otpDeliveryJobNames = Object.values(OtpDeliveryJobName) as [OtpDeliveryJobName, ...OtpDeliveryJobName[]];

/** The secret part of an OTP delivery job (inside `sealed`). */
export const otpDeliverySecretSchema = z.object({
  /** email address or E.164 phone number (classified by the notifier's destination check) */
  destination: z.string().min(1).max(320),
  /** the 6-digit code (challenge, phone verification, sign-in) */
  code: otpCode().optional(),
  /** the link (email verification, magic URL, password recovery) */
  url: z.string().min(1).max(4096).optional(),
  /** the user's display name */
  userName: cleanDisplayText(),
});
export type OtpDeliverySecret = z.output<typeof otpDeliverySecretSchema>;

/** Payload of every job on the `otp-delivery` queue. */
export const otpDeliveryJobSchema = z.object({
  name: z.enum(otpDeliveryJobNames),
  channel: z.enum(DELIVERY_CHANNELS),
  /** the challenge or verification token this message belongs to; results are reported against it */
  referenceId: uid(),
  userId: uid(),
  /** BCP 47 language tag; templates fall back to `en` */
  locale: locale(),
  /** shown in the message; the notifier's templates clean and escape it */
  projectName: z.string().min(1).max(256),
  /** ISO 8601: after this the code is useless and the job is dropped without contacting the provider */
  expiresAt: isoTimestamp(),
  /** ISO 8601: when the producer enqueued it (delivery latency is measured from here) */
  requestedAt: isoTimestamp(),
  requester: requesterInfo().optional(),
  /** the request id (`reqId` in the logs) of the request that caused this job; not secret */
  requestId: optionalRequestId(),
  sealed: sealedBoxSchema,
});
export type OtpDeliveryJob = Omit<z.output<typeof otpDeliveryJobSchema>, 'sealed' | 'name'> & {
  name: OtpDeliveryJobName;
  sealed: Sealed<OtpDeliverySecret>;
};

export const DeliveryFailureReason = {
  InvalidDestination: 'invalid_destination',
  Unsubscribed: 'unsubscribed',
  Unreachable: 'unreachable',
  ProviderAuth: 'provider_auth',
  ProviderRejected: 'provider_rejected',
  RateLimited: 'rate_limited',
  Transient: 'transient',
  Expired: 'expired',
  Consumed: 'consumed',
  DestinationNotAllowed: 'destination_not_allowed',
  DestinationLimit: 'destination_limit',
  ChannelDisabled: 'channel_disabled',
  Undecryptable: 'undecryptable',
  /** the SMS country's hourly budget (SMS_COUNTRY_LIMIT) is spent */
  CountryLimit: 'country_limit',
  PrefixLimit: 'prefix_limit',
  AccountLimit: 'account_limit',
  /** the job does not make sense (unknown name or event, missing code or link, channel not allowed for this job) */
  InvalidPayload: 'invalid_payload',
} as const;
export type DeliveryFailureReason = (typeof DeliveryFailureReason)[keyof typeof DeliveryFailureReason];
const failureReasons = Object.values(DeliveryFailureReason) as [DeliveryFailureReason, ...DeliveryFailureReason[]];

/** Payload of every job on the `delivery-results` queue (nothing secret: not sealed). */
export const deliveryResultJobSchema = z.object({
  name: z.literal(DeliveryResultJobName.Outcome),
  /** which kind of message this reports on (lets each consumer take only its own) */
  deliveryName: z.enum(otpDeliveryJobNames),
  referenceId: uid(),
  channel: z.enum(DELIVERY_CHANNELS),
  status: z.enum(['sent', 'failed', 'dropped']),
  providerMessageId: z.string().max(1024).optional(),
  reason: z.enum(failureReasons).optional(),
  attempts: z.number().int().min(0),
  /** ISO 8601 */
  at: isoTimestamp(),
  /** the request id carried by the delivery job this reports on */
  requestId: optionalRequestId(),
});
export type DeliveryResultJob = z.output<typeof deliveryResultJobSchema>;

export const SecurityEvent = {
  MfaEnabled: 'mfa-enabled',
  MfaDisabled: 'mfa-disabled',
  AuthenticatorAdded: 'authenticator-added',
  AuthenticatorRemoved: 'authenticator-removed',
  RecoveryCodesCreated: 'recovery-codes-created',
  RecoveryCodesRegenerated: 'recovery-codes-regenerated',
  RecoveryCodeUsed: 'recovery-code-used',
  TotpReplayRejected: 'totp-replay-rejected',
  FactorLocked: 'mfa-factor-locked',
  PasswordChanged: 'password-changed',
  EmailChanged: 'email-changed',
  PhoneChanged: 'phone-changed',
  /** the password was reset through a recovery link */
  PasswordReset: 'password-reset',
} as const;
export type SecurityEvent = (typeof SecurityEvent)[keyof typeof SecurityEvent];

/** The secret part of a security notice (inside `sealed`). */
export const securityNoticeSecretSchema = z.object({
  /** the address to notify (classified by the notifier's destination check) */
  email: z.string().min(1).max(320),
  userName: cleanDisplayText(),
});
export type SecurityNoticeSecret = z.output<typeof securityNoticeSecretSchema>;

/** Payload of every job on the `security-notices` queue. */
export const securityNoticeJobSchema = z.object({
  name: z.literal(SecurityNoticeJobName.Notice),
  /** unique per event; the job id is derived from it */
  noticeId: uid(),
  event: z.enum(Object.values(SecurityEvent) as [SecurityEvent, ...SecurityEvent[]]),
  userId: uid(),
  locale: locale(),
  /** shown in the message; the notifier's templates clean and escape it */
  projectName: z.string().min(1).max(256),
  /** ISO 8601 */
  occurredAt: isoTimestamp(),
  requester: requesterInfo().optional(),
  /** the request id (`reqId` in the logs) of the request that caused this job; not secret */
  requestId: optionalRequestId(),
  sealed: sealedBoxSchema,
});
export type SecurityNoticeJob = Omit<z.output<typeof securityNoticeJobSchema>, 'sealed'> & { sealed: Sealed<SecurityNoticeSecret> };

/** The schemas of every queue: the envelope as stored and, for sealed jobs, the opened content. */
export const queueContracts = {
  [QueueName.OtpDelivery]: { job: otpDeliveryJobSchema, sealed: otpDeliverySecretSchema },
  [QueueName.DeliveryResults]: { job: deliveryResultJobSchema, sealed: null },
  [QueueName.SecurityNotices]: { job: securityNoticeJobSchema, sealed: securityNoticeSecretSchema },
} as const satisfies Record<QueueName, { job: z.ZodType; sealed: z.ZodType | null }>;

/** A job (or sealed content) a producer built that its consumer would refuse: a bug, never retried. */
export class InvalidJobError extends Error {
  constructor(queue: QueueName, part: 'job' | 'sealed', issues: readonly z.core.$ZodIssue[]) {
    // paths and codes only: the content may be secret
    super(`invalid ${queue} ${part}: ${issues.map((i) => `${i.path.map(String).join('.') || '(root)'} ${i.code}`).join(', ')}`);
    this.name = 'InvalidJobError';
  }
}

/** The producer's check before enqueueing: `job` must pass its queue's schema. */
export function assertJob(queue: QueueName, job: unknown): void {
  const result = queueContracts[queue].job.safeParse(job);
  if (!result.success) throw new InvalidJobError(queue, 'job', result.error.issues);
}

/** The producer's check before sealing: `content` must pass the queue's sealed-content schema. */
export function assertSealedContent(queue: typeof QueueName.OtpDelivery | typeof QueueName.SecurityNotices, content: unknown): void {
  const result = queueContracts[queue].sealed.safeParse(content);
  if (!result.success) throw new InvalidJobError(queue, 'sealed', result.error.issues);
}
