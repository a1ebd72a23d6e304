/** Injection tokens for the infrastructure every feature module may use. */
export const LOGGER = Symbol('LOGGER');
export const METRICS = Symbol('METRICS');
export const REDIS = Symbol('REDIS');
export const OTP_DELIVERY_QUEUE = Symbol('OTP_DELIVERY_QUEUE');
export const SECURITY_NOTICES_QUEUE = Symbol('SECURITY_NOTICES_QUEUE');
export const QUEUE_KEYRING = Symbol('QUEUE_KEYRING');
export const CLOCK = Symbol('CLOCK');

/** Time is injected so that expiry rules can be tested without sleeping. */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };
