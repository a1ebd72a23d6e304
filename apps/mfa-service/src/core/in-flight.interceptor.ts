import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { finalize, Observable } from 'rxjs';
import { AppError } from '@twostep/contracts';

/**
 * Counts the RPCs being handled, so shutdown can stop taking new ones (they get 503 and auth-api
 * answers its client 503 too) and wait for the in-flight ones before closing connections.
 */
@Injectable()
export class InFlightRequests {
  private count = 0;
  private draining = false;
  private leaving = false;
  private waiters: Array<() => void> = [];

  get inFlight(): number {
    return this.count;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /**
   * SIGTERM arrived: calls are still answered (SHUTDOWN_DRAIN_MS), but heartbeats say this replica is
   * leaving, so auth-api sends the next calls to the other replicas before {@link drain} refuses any.
   */
  announceLeaving(): void {
    this.leaving = true;
  }

  get isLeaving(): boolean {
    return this.leaving || this.draining;
  }

  enter(): void {
    if (this.draining)
      throw new AppError('general_service_unavailable', 'The MFA service is shutting down. Please try again.', { retryAfterSeconds: 1 });
    this.count++;
  }

  leave(): void {
    this.count = Math.max(0, this.count - 1);
    if (this.count === 0) for (const wake of this.waiters.splice(0)) wake();
  }

  /** Refuses new RPCs from now on and resolves when none is in flight (or after `graceMs`); true if drained. */
  async drain(graceMs: number): Promise<boolean> {
    this.draining = true;
    if (this.count === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      new Promise<boolean>((resolve) => this.waiters.push(() => resolve(true))),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), graceMs);
      }),
    ]);
    if (timer) clearTimeout(timer);
    return drained;
  }
}

@Injectable()
export class InFlightInterceptor implements NestInterceptor {
  constructor(private readonly requests: InFlightRequests) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    this.requests.enter();
    return next.handle().pipe(finalize(() => this.requests.leave()));
  }
}
