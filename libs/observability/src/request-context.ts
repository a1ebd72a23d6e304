import { AsyncLocalStorage } from 'node:async_hooks';
import { REQUEST_ID_PATTERN } from '@twostep/contracts';

export interface RequestContext {
  requestId: string;
}

/**
 * Whether `value` may be a request id wherever it comes from outside (an `X-Request-Id` header, a job's
 * `requestId`): short and free of anything that could forge or break a log line ({@link REQUEST_ID_PATTERN}).
 */
export function isRequestId(value: unknown): value is string {
  return typeof value === 'string' && REQUEST_ID_PATTERN.test(value);
}

const storage = new AsyncLocalStorage<RequestContext>();

export const requestContext = {
  run<T>(ctx: RequestContext, fn: () => T): T {
    return storage.run(ctx, fn);
  },
  enterWith(ctx: RequestContext): void {
    storage.enterWith(ctx);
  },
  current(): RequestContext | undefined {
    return storage.getStore();
  },
  /**
   * Runs `fn` (a job's processing) under the request id a producer put into the job, so its log lines
   * carry the same `reqId`. An absent or malformed id runs `fn` outside any request context.
   */
  runAs<T>(requestId: unknown, fn: () => T): T {
    return isRequestId(requestId) ? storage.run({ requestId }, fn) : storage.exit(fn);
  },
  /** `{ requestId }` of the current request, or `{}` outside one: spread into a job's data. */
  jobField(): { requestId?: string } {
    const requestId = storage.getStore()?.requestId;
    return requestId ? { requestId } : {};
  },
};
