import type { OtpDeliveryJob, OtpDeliveryJobName, SecurityNoticeJob, SecurityNoticeJobName } from '@twostep/contracts';
import type { QueueProducer } from '@twostep/messaging';

/**
 * Injection tokens for the infrastructure every service's feature modules may use, provided by
 * {@link CoreModule}. A token only one service has (mfa-service's MFA_KEYRING, the notifier's two Redis
 * connections) lives in that app's `src/core/tokens.ts`.
 */
/** the service's `JsonLogger` */
export const LOGGER = Symbol('LOGGER');
/** the service's prom-client `Registry` (served at `/metrics` by the health server) */
export const METRICS = Symbol('METRICS');
/** the service's {@link Clock} */
export const CLOCK = Symbol('CLOCK');
/** the keyring that encrypts job payloads (`QUEUE_ENCRYPTION_KEY`) */
export const QUEUE_KEYRING = Symbol('QUEUE_KEYRING');
/** auth-api, mfa-service: the fail-fast Redis connection (`maxRetriesPerRequest` bounded) */
export const REDIS = Symbol('REDIS');
/** auth-api, mfa-service: the producer of `otp-delivery` jobs ({@link OtpDeliveryProducer}) */
export const OTP_DELIVERY_QUEUE = Symbol('OTP_DELIVERY_QUEUE');
/** auth-api, mfa-service: the producer of `security-notices` jobs ({@link SecurityNoticeProducer}) */
export const SECURITY_NOTICES_QUEUE = Symbol('SECURITY_NOTICES_QUEUE');

export type OtpDeliveryProducer = QueueProducer<OtpDeliveryJob, OtpDeliveryJobName>;
export type SecurityNoticeProducer = QueueProducer<SecurityNoticeJob, SecurityNoticeJobName>;

/**
 * Time is injected so that expiry rules can be tested without sleeping. In mfa-service it is the one
 * authority for expiry and TOTP time.
 */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };
