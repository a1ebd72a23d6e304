import { z } from 'zod';
import { text, uid } from '../../schemas/primitives';

/**
 * What some request schemas depend on at run time (configuration). Every schema that reads one is a
 * factory taking these options; {@link httpRequests} holds an instance built with the defaults.
 */
export interface HttpRequestOptions {
  /** the hosts an emailed link may point to (`host` or `host:port`); empty or absent: any host */
  allowedLinkHosts?: () => readonly string[];
}

const DEFAULT_LIST_LIMIT = 25;
const MAX_LIST_LIMIT = 5000;
const MAX_LIST_OFFSET = 1_000_000;

/**
 * Appwrite's `queries` as node-appwrite 27 sends them (`queries[0]={"method":"limit","values":[25]}`;
 * the HTTP pipe gathers `queries[N]` keys into one array). `limit` (1-5000, default 25) and `offset` are
 * supported; the output is the page asked for.
 */
export const listQueries = () =>
  z
    .union([z.string(), z.array(z.string()).max(100)], { error: 'Invalid query: Syntax error' })
    .optional()
    .transform((raw, ctx) => {
      let limit = DEFAULT_LIST_LIMIT;
      let offset = 0;
      for (const item of raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]) {
        let parsed: { method?: unknown; values?: unknown };
        try {
          parsed = JSON.parse(item) as typeof parsed;
        } catch {
          ctx.addIssue({ code: 'custom', message: 'Invalid query: Syntax error' });
          return z.NEVER;
        }
        const value = Array.isArray(parsed?.values) ? (parsed.values as unknown[])[0] : undefined;
        const int = Number.isInteger(value) ? (value as number) : undefined;
        if (parsed?.method === 'limit' && int !== undefined && int >= 1 && int <= MAX_LIST_LIMIT) limit = int;
        else if (parsed?.method === 'offset' && int !== undefined && int >= 0 && int <= MAX_LIST_OFFSET) offset = int;
        else {
          const method = typeof parsed?.method === 'string' ? parsed.method.slice(0, 32) : 'unknown';
          ctx.addIssue({ code: 'custom', message: `Invalid query: ${method} is not supported` });
          return z.NEVER;
        }
      }
      return { limit, offset };
    });

/** `{ userId }` in a path. */
export const userIdParams = z.object({ userId: uid() });
export type UserIdParams = z.output<typeof userIdParams>;

/** The exchange of an emailed or texted secret (`userId` + `secret`). */
export const userSecretBody = z.object({ userId: uid(), secret: text(256, 1) });
export type UserSecretBody = z.output<typeof userSecretBody>;

/** A list route's query: `queries` only. */
export const listQuery = z.object({ queries: listQueries() });
export type ListQuery = z.output<typeof listQuery>;
