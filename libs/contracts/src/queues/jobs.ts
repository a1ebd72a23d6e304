export * from './jobs.schema';

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
