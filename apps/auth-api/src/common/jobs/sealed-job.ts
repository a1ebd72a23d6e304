import { assertJob, assertSealedContent, JobNamesByQueue, QueueName, Sealed, sealContext } from '@twostep/contracts';
import { Keyring, seal } from '@twostep/crypto';

/** The queues whose jobs carry a sealed box. */
export type SealedQueue = typeof QueueName.OtpDelivery | typeof QueueName.SecurityNotices;

/**
 * auth-api's producers build every job here: `secret` is checked against the queue's sealed-content
 * schema, sealed for `queue`/`name`, and the whole job checked against the queue's job schema, so a job
 * the notifier would refuse throws `InvalidJobError` (paths and codes only, nothing secret) before
 * anything reaches Redis.
 */
export function sealedJob<Q extends SealedQueue, S, J extends { sealed: Sealed<S> }>(
  queue: Q,
  name: JobNamesByQueue[Q],
  secret: S,
  keyring: Keyring,
  fields: Omit<J, 'sealed'>,
): J {
  assertSealedContent(queue, secret);
  const job = { ...fields, sealed: seal(secret, keyring, sealContext(queue, name)) } as J;
  assertJob(queue, job);
  return job;
}
