import { shutdownTracing } from './tracing';

/** The order of a graceful stop: readiness false, a drain delay, then the service's own stop. */
export interface ShutdownDrain {
  /** called at once on the signal: readiness turns false, so load balancers stop sending new work */
  notReady: () => void;
  /** how long to keep serving after that (SHUTDOWN_DRAIN_MS) before `stop` runs */
  drainMs: number;
}

/**
 * Runs `stop` once on SIGTERM or SIGINT, then exits. With `drain`, readiness turns false first and `stop`
 * starts only `drain.drainMs` later: a load balancer that still routes here during that time is served.
 * A second signal, or the whole shutdown taking longer than drain + `graceMs`, exits at once with code 1
 * (what an orchestrator's kill would do anyway).
 */
export function onShutdownSignal(
  stop: (signal: string) => Promise<void>,
  log: (msg: string) => void,
  graceMs = 25_000,
  drain?: ShutdownDrain,
): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`received ${signal} again, exiting now`);
      process.exit(1);
    }
    stopping = true;
    const drainMs = drain?.drainMs ?? 0;
    log(`received ${signal}, shutting down${drainMs > 0 ? ` after a ${drainMs} ms drain` : ''}`);
    drain?.notReady();
    const timer = setTimeout(() => {
      log(`shutdown took longer than ${drainMs + graceMs} ms, exiting`);
      process.exit(1);
    }, drainMs + graceMs);
    timer.unref();
    // without a drain, stop starts in this very tick: a BullMQ worker must not fetch one more job between
    // readiness turning false and its close() (a job fetched by a closing worker was seen moved to delayed)
    const stopped = drainMs > 0 ? new Promise<void>((resolve) => setTimeout(resolve, drainMs)).then(() => stop(signal)) : stop(signal);
    // spans still batched are flushed to the collector last (a no-op when tracing is off)
    stopped.then(
      () =>
        shutdownTracing().then(() => {
          clearTimeout(timer);
          process.exit(0);
        }),
      (error: unknown) => {
        clearTimeout(timer);
        log(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
