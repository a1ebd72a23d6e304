import type { HealthRoute } from '@twostep/observability';
import type { OutboxStore } from './outbox.store';

export const DEV_OUTBOX_PATH = '/dev/outbox';

/**
 * `GET /dev/outbox?to=<address>[&limit=n]`: the latest outbox messages for an email address or
 * phone number, newest first. Development only: it is never mounted when NODE_ENV is production.
 */
export function devOutboxRoute(store: OutboxStore): HealthRoute {
  return async (query) => {
    const to = query.get('to')?.trim();
    if (!to) return { status: 400, body: { status: 'the to parameter is required' } };
    const limit = Math.min(Math.max(Number.parseInt(query.get('limit') ?? '10', 10) || 10, 1), 100);
    return { status: 200, body: { messages: await store.latest(to, limit) } };
  };
}
