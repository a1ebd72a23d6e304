import { ArgumentsHost, Catch, Inject, RpcExceptionFilter } from '@nestjs/common';
import { Observable, throwError } from 'rxjs';
import { AppError, RpcErrorPayload, toRpcErrorPayload } from '@twostep/contracts';
import { JsonLogger } from '@twostep/observability';
import { isInfrastructureFailure, LOGGER, serviceUnavailable } from '@twostep/platform';

/**
 * Domain errors cross TCP as `{kind, type, message}` and are rebuilt by auth-api's MfaClient.
 * A dependency that is down (Postgres, Redis) leaves as 503 `general_service_unavailable`; anything
 * else is logged here and leaves as a generic 500, with no detail.
 */
@Catch()
export class MfaRpcExceptionFilter implements RpcExceptionFilter<unknown> {
  constructor(@Inject(LOGGER) private readonly logger: JsonLogger) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<RpcErrorPayload> {
    if (exception instanceof AppError) return throwError(() => toRpcErrorPayload(exception));
    const pattern = host.switchToRpc().getContext<{ getPattern?: () => string }>()?.getPattern?.();
    if (isInfrastructureFailure(exception)) {
      this.logger.emit('warn', 'dependency unavailable', {
        pattern,
        error: exception instanceof Error ? exception.message : String(exception),
      });
      return throwError(() => toRpcErrorPayload(serviceUnavailable()));
    }
    this.logger.emit('error', exception instanceof Error ? exception : new Error(String(exception)), { pattern });
    return throwError(() => toRpcErrorPayload(new AppError('general_unknown')));
  }
}
