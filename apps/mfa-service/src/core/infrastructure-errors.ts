import { isConnectionLoss } from '@twostep/persistence';

/**
 * True when an error means a dependency (Postgres, Redis) is down or timing out: the RPC answers
 * 503 `general_service_unavailable` (retry later), not 500 `general_unknown`. One classifier for both
 * services: `isConnectionLoss` in @twostep/persistence.
 */
export function isInfrastructureFailure(error: unknown): boolean {
  return isConnectionLoss(error);
}
