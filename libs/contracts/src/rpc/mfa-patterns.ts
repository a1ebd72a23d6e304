/**
 * Message patterns of mfa-service over the @nestjs/microservices TCP transport.
 * Versioned and persisted: a new version of a message gets a new pattern.
 */
export const MfaPattern = {
  Ping: 'mfa.v1.ping',
} as const;
export type MfaPattern = (typeof MfaPattern)[keyof typeof MfaPattern];

export interface PingRequest {
  /** echo value, to prove the round trip */
  nonce: string;
}
export interface PingResponse {
  nonce: string;
  /** mfa-service's own readiness: its Postgres and Redis answer */
  ready: boolean;
  /** mfa-service clock (ISO 8601): the one authority for expiry and TOTP time */
  now: string;
}

/**
 * Request and response type of every pattern. The RPC client and the handlers are typed from this map,
 * so a change to a message breaks both sides at compile time.
 */
export interface MfaRpc {
  [MfaPattern.Ping]: { request: PingRequest; response: PingResponse };
}
