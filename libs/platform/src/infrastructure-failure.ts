import { QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { AppError } from '@twostep/contracts';

/** SQLSTATE classes and codes that mean "the database is unavailable or overloaded", not "a bug". */
const TRANSIENT_SQLSTATE = /^(08|53|57P0)|^(57014|40001|40P01|55P03)$/;
const TRANSIENT_CODE = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN)$/;
const TRANSIENT_MESSAGE =
  /connection terminated|connection (is )?closed|timeout exceeded when trying to connect|ECONNREFUSED|ECONNRESET|Connection lost|the database system is (starting up|shutting down)|Client has encountered a connection error|database pool is not open|terminating connection due to administrator command|Reached the max retries per request limit|Stream isn't writeable/i;
/**
 * TypeORM's errors for a query runner whose connection is gone: when a backend is terminated mid-transaction
 * the pg client emits `error`, TypeORM releases the runner, and the next statement of that transaction (or its
 * ROLLBACK) throws one of these instead of the driver's error. They only occur after a lost connection.
 */
const RELEASED_RUNNER = [QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError];

/**
 * The one rule, for auth-api (HTTP) and mfa-service (RPC) alike: an error that means a dependency
 * (Postgres, Redis, or the network to them) is down, restarting, overloaded or timing out is answered
 * 503 `general_service_unavailable` with `Retry-After: 1` (see {@link serviceUnavailable}), never 500.
 * Constraint violations and programming errors stay false (500 `general_unknown`).
 */
export function isInfrastructureFailure(error: unknown): boolean {
  if (error instanceof QueryFailedError) {
    const code = (error.driverError as { code?: unknown } | undefined)?.code;
    if (typeof code === 'string' && TRANSIENT_SQLSTATE.test(code)) return true;
  }
  if (RELEASED_RUNNER.some((type) => error instanceof type)) return true;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (TRANSIENT_CODE.test(code) || TRANSIENT_SQLSTATE.test(code))) return true;
  const message = error instanceof Error ? error.message : '';
  return TRANSIENT_MESSAGE.test(message);
}

/** What an infrastructure failure becomes on the wire: 503 `general_service_unavailable`, retry after 1 s. */
export function serviceUnavailable(): AppError {
  return new AppError('general_service_unavailable', undefined, { retryAfterSeconds: 1 });
}
