import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable, tap } from 'rxjs';
import { AppError } from '@twostep/contracts';
import { MfaMetrics } from './mfa-metrics.service';

/**
 * Times every handled RPC into `mfa_rpc_duration_seconds{pattern,outcome}`, outcome `ok`, `refused` (a
 * 4xx AppError: wrong code, locked, unknown challenge) or `error` (5xx or unexpected). Only patterns that matched a
 * handler get here, so the label set is bounded by the code, never by what a caller sends.
 */
@Injectable()
export class RpcMetricsInterceptor implements NestInterceptor {
  constructor(private readonly metrics: MfaMetrics) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const rpc = context.switchToRpc().getContext<{ getPattern?: () => unknown } | undefined>();
    const raw = rpc?.getPattern?.();
    const pattern = typeof raw === 'string' ? raw : `${context.getClass().name}.${context.getHandler().name}`;
    const end = this.metrics.rpcDuration.startTimer({ pattern });
    return next.handle().pipe(
      tap({
        next: () => undefined,
        complete: () => void end({ outcome: 'ok' }),
        // a refusal the caller caused (wrong code, locked, not found) is no service error
        error: (error: unknown) => void end({ outcome: error instanceof AppError && error.code < 500 ? 'refused' : 'error' }),
      }),
    );
  }
}
