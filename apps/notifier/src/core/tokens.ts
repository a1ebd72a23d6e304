export const LOGGER = Symbol('LOGGER');
export const METRICS = Symbol('METRICS');
export const QUEUE_KEYRING = Symbol('QUEUE_KEYRING');
export const CLOCK = Symbol('CLOCK');
/** Redis for workers and everything a job does: waits through outages (`maxRetriesPerRequest: null`). */
export const WORKER_REDIS = Symbol('WORKER_REDIS');
/** Redis for heartbeats, readiness and metrics: fails fast while Redis is down. */
export const CLIENT_REDIS = Symbol('CLIENT_REDIS');
/** `ChannelModes`: how email and SMS are delivered, derived once from the config. */
export const CHANNEL_MODES = Symbol('CHANNEL_MODES');

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };
