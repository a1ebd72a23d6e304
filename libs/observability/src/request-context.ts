import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContext {
  requestId: string;
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
};
