import { DeliveryResultJobName, OtpDeliveryJobName, SecurityNoticeJobName } from './queue-names';

/**
 * A sealed (AES-256-GCM) JSON value. Everything secret in a job (codes, links, email addresses,
 * phone numbers, names) travels inside one of these; Redis only ever sees ciphertext.
 * Produced and opened by `@twostep/crypto` (`seal` / `open`).
 */
export interface SealedBox {
  /** format version */
  v: 1;
  /** id of the key in the keyring that sealed it (lets keys rotate) */
  kid: string;
  /** base64url 12-byte nonce */
  iv: string;
  /** base64url 16-byte GCM tag */
  tag: string;
  /** base64url ciphertext */
  ct: string;
}

/** A sealed box whose plaintext is known to be a `T` (phantom type: ties producer and consumer). */
export type Sealed<T> = SealedBox & { readonly __plaintext?: T };

export type DeliveryChannel = 'email' | 'sms';

/** What the user's client looked like when the message was asked for (shown in the email). Not secret. */
export interface RequesterInfo {
  clientName?: string;
  osName?: string;
  deviceName?: string;
}

/** The secret part of an OTP delivery job. */
export interface OtpDeliverySecret {
  /** email address or E.164 phone number */
  destination: string;
  /** the 6-digit code (challenge, phone verification) */
  code?: string;
  /** the verification link (email verification) */
  url?: string;
  /** the user's display name */
  userName?: string;
}

/** Payload of every job on the `otp-delivery` queue. */
export interface OtpDeliveryJob {
  name: OtpDeliveryJobName;
  channel: DeliveryChannel;
  /** the challenge or verification token this message belongs to; results are reported against it */
  referenceId: string;
  userId: string;
  /** BCP 47 language tag; templates fall back to `en` */
  locale: string;
  projectName: string;
  /** ISO 8601: after this the code is useless and the job is dropped without contacting the provider */
  expiresAt: string;
  /** ISO 8601: when the producer enqueued it (delivery latency is measured from here) */
  requestedAt: string;
  requester?: RequesterInfo;
  /**
   * The request id (`reqId` in the logs) of the request that caused this job, so one id finds the whole
   * story in all services. Not secret. Consumers accept it only as a short `[A-Za-z0-9._-]` string.
   */
  requestId?: string;
  sealed: Sealed<OtpDeliverySecret>;
}

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

/** Payload of every job on the `delivery-results` queue. */
export interface DeliveryResultJob {
  name: DeliveryResultJobName;
  /** which kind of message this reports on (lets each consumer take only its own) */
  deliveryName: OtpDeliveryJobName;
  referenceId: string;
  channel: DeliveryChannel;
  status: 'sent' | 'failed' | 'dropped';
  providerMessageId?: string;
  reason?: DeliveryFailureReason;
  attempts: number;
  /** ISO 8601 */
  at: string;
  /** the request id carried by the delivery job this reports on (see {@link OtpDeliveryJob.requestId}) */
  requestId?: string;
}

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

export interface SecurityNoticeSecret {
  email: string;
  userName?: string;
}

/** Payload of every job on the `security-notices` queue. */
export interface SecurityNoticeJob {
  name: SecurityNoticeJobName;
  /** unique per event; the job id is derived from it */
  noticeId: string;
  event: SecurityEvent;
  userId: string;
  locale: string;
  projectName: string;
  /** ISO 8601 */
  occurredAt: string;
  requester?: RequesterInfo;
  /**
   * The request id (`reqId` in the logs) of the request that caused this job, so one id finds the whole
   * story in all services. Not secret. Consumers accept it only as a short `[A-Za-z0-9._-]` string.
   */
  requestId?: string;
  sealed: Sealed<SecurityNoticeSecret>;
}

/** Redis keys that more than one service reads. Values here are never secret. */
export const SharedRedisKey = {
  /**
   * Set (with a TTL) by the producer when a challenge or verification token is consumed or superseded;
   * the notifier drops a job whose reference is closed without contacting the provider.
   */
  closedReference: (prefix: string, referenceId: string) => `${prefix}:closed-ref:${referenceId}`,
  /**
   * Written by every running notifier (JSON {@link NotifierChannels}, TTL about 30 s, refreshed every
   * 10 s). Producers read it to answer 503 `general_smtp_disabled` / `general_phone_disabled` when no
   * notifier can deliver on a channel. Absent key: no notifier is alive yet; jobs are queued anyway.
   */
  notifierChannels: (prefix: string) => `${prefix}:notifier:channels`,
} as const;

/** What the notifiers can deliver right now (see {@link SharedRedisKey.notifierChannels}). */
export interface NotifierChannels {
  email: boolean;
  sms: boolean;
  /** ISO 8601 time of the last heartbeat */
  at: string;
}
