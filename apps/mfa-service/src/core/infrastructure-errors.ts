import { QueryFailedError } from 'typeorm';

/** SQLSTATE classes and codes that mean "the database is unavailable or overloaded", not "a bug". */
const TRANSIENT_SQLSTATE = /^(08|53|57P0)|^(57014|40001|40P01|55P03)$/;
const TRANSIENT_MESSAGE = /connection terminated|connection (is )?closed|timeout exceeded when trying to connect|ECONNREFUSED|ECONNRESET|Connection lost|the database system is (starting up|shutting down)|Client has encountered a connection error/i;

/**
 * True when an error means a dependency (Postgres, Redis) is down or timing out: the RPC answers
 * 503 `general_service_unavailable` (retry later), not 500 `general_unknown`.
 */
export function isInfrastructureFailure(error: unknown): boolean {
  if (error instanceof QueryFailedError) {
    const code = (error.driverError as { code?: unknown } | undefined)?.code;
    if (typeof code === 'string' && TRANSIENT_SQLSTATE.test(code)) return true;
  }
  const message = error instanceof Error ? error.message : '';
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN)$/.test(code)) return true;
  return TRANSIENT_MESSAGE.test(message);
}
