export const LOGGER = Symbol('LOGGER');
export const METRICS = Symbol('METRICS');
export const REDIS = Symbol('REDIS');
export const OTP_DELIVERY_QUEUE = Symbol('OTP_DELIVERY_QUEUE');
export const SECURITY_NOTICES_QUEUE = Symbol('SECURITY_NOTICES_QUEUE');
export const QUEUE_KEYRING = Symbol('QUEUE_KEYRING');
export const MFA_KEYRING = Symbol('MFA_KEYRING');
export const CLOCK = Symbol('CLOCK');

/** mfa-service's clock is the one authority for expiry and TOTP time; injected so tests can move it. */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };
