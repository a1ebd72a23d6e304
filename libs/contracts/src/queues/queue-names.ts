/**
 * Queue names are persisted API: jobs already in Redis are found by these names after an upgrade.
 * Never rename one; add a new queue instead.
 */
export const QueueName = {
  /** mfa-service and auth-api produce; notifier consumes. Codes and links to deliver. */
  OtpDelivery: 'otp-delivery',
  /** notifier produces; mfa-service (and auth-api for verification tokens) consume. */
  DeliveryResults: 'delivery-results',
  /** auth-api and mfa-service produce; notifier emails the user. */
  SecurityNotices: 'security-notices',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

/** Job names, one set per queue. Persisted API as well. */
export const OtpDeliveryJobName = {
  MfaChallengeCode: 'mfa-challenge-code',
  EmailVerificationLink: 'email-verification-link',
  PhoneVerificationCode: 'phone-verification-code',
  /** a 6-digit sign-in code (email OTP or phone OTP sign-in), by email or SMS */
  SignInCode: 'sign-in-code',
  /** a sign-in link (magic URL), by email */
  MagicUrlLink: 'magic-url-link',
  /** a password recovery link, by email */
  PasswordRecoveryLink: 'password-recovery-link',
} as const;
export type OtpDeliveryJobName = (typeof OtpDeliveryJobName)[keyof typeof OtpDeliveryJobName];

export const DeliveryResultJobName = {
  Outcome: 'delivery-outcome',
} as const;
export type DeliveryResultJobName = (typeof DeliveryResultJobName)[keyof typeof DeliveryResultJobName];

export const SecurityNoticeJobName = {
  Notice: 'security-notice',
} as const;
export type SecurityNoticeJobName = (typeof SecurityNoticeJobName)[keyof typeof SecurityNoticeJobName];

/** The job names a queue carries. */
export interface JobNamesByQueue {
  [QueueName.OtpDelivery]: OtpDeliveryJobName;
  [QueueName.DeliveryResults]: DeliveryResultJobName;
  [QueueName.SecurityNotices]: SecurityNoticeJobName;
}

/**
 * The associated-data context a job's `sealed` box is bound to: `<queue>|<job name>`
 * (e.g. `otp-delivery|mfa-challenge-code`). Producers seal and the notifier opens with this same
 * function, so a box sealed for one kind of job never opens as another. Persisted API: changing it
 * makes every queued job undecryptable.
 */
export function sealContext<Q extends QueueName>(queue: Q, jobName: JobNamesByQueue[Q]): string {
  return `${queue}|${jobName}`;
}

/**
 * Job ids are idempotency keys: a second `add` with the same id while the job exists is a no-op.
 * BullMQ forbids `:` in custom ids and digits-only ids; these builders never produce either.
 */
export const JobId = {
  challengeCode: (challengeId: string) => `challenge-${challengeId}`,
  verification: (tokenId: string) => `verification-${tokenId}`,
  deliveryResult: (deliveryJobId: string) => `result-${deliveryJobId}`,
  securityNotice: (noticeId: string) => `notice-${noticeId}`,
} as const;
