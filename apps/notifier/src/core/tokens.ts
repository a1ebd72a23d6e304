/**
 * The notifier's own injection tokens; the ones every service shares (LOGGER, METRICS, CLOCK,
 * QUEUE_KEYRING) are in @twostep/platform.
 */
/** Redis for workers and everything a job does: waits through outages (`maxRetriesPerRequest: null`). */
export const WORKER_REDIS = Symbol('WORKER_REDIS');
/** Redis for heartbeats, readiness and metrics: fails fast while Redis is down. */
export const CLIENT_REDIS = Symbol('CLIENT_REDIS');
/** `ChannelModes`: how email and SMS are delivered, derived once from the config. */
export const CHANNEL_MODES = Symbol('CHANNEL_MODES');
