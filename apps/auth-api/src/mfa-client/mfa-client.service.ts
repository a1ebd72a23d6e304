import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Registry } from 'prom-client';
import { AppError, fromRpcErrorPayload, isRpcErrorPayload, MfaPattern, rpcContracts, RpcReply, RpcRequest } from '@twostep/contracts';
import { parseKeyring, rpcKeys } from '@twostep/crypto';
import { RpcTimeoutError } from '@twostep/messaging';
import { JsonLogger } from '@twostep/observability';
import { LOGGER, METRICS } from '@twostep/platform';
import { AUTH_API_CONFIG, AuthApiConfig } from '../config/auth-api.config';
import { MfaEndpointPool } from './mfa-endpoint-pool';

/**
 * The one way auth-api talks to mfa-service: request/response over authenticated TCP connections to every
 * replica (see {@link MfaEndpointPool}), typed and checked by {@link rpcContracts}. Every call has a deadline. A timeout, no
 * healthy replica, a lost connection or any transport fault becomes 503 `general_service_unavailable`
 * with Retry-After; it never counts as success, and a reply that comes after the deadline is dropped.
 * A domain error thrown by mfa-service comes back as the same {@link AppError}. Every reply is parsed with
 * its pattern's reply schema: a malformed reply is an infrastructure fault (503), never passed on.
 */
@Injectable()
export class MfaClient implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly pool: MfaEndpointPool;
  private readonly timeoutMs: number;

  constructor(
    @Inject(AUTH_API_CONFIG) config: AuthApiConfig,
    @Inject(LOGGER) private readonly logger: JsonLogger,
    @Inject(METRICS) registry: Registry,
  ) {
    this.timeoutMs = config.MFA_RPC_TIMEOUT_MS;
    this.pool = new MfaEndpointPool(
      {
        endpoints: config.MFA_SERVICE_URL,
        keys: rpcKeys(parseKeyring(config.MFA_RPC_KEY)),
        resolveIntervalMs: config.MFA_SERVICE_RESOLVE_INTERVAL_MS,
        connectTimeoutMs: Math.min(2000, config.MFA_RPC_TIMEOUT_MS),
      },
      logger,
      registry,
    );
  }

  onApplicationBootstrap(): void {
    void this.pool.start();
  }

  async send<P extends MfaPattern>(pattern: P, request: RpcRequest<P>, timeoutMs = this.timeoutMs): Promise<RpcReply<P>> {
    let reply: unknown;
    try {
      reply = await this.pool.call(pattern, request, timeoutMs);
    } catch (error) {
      throw this.translate(pattern, error);
    }
    const parsed = rpcContracts[pattern].reply.safeParse(reply);
    if (!parsed.success) {
      // issue paths and codes only: a reply may carry secrets (recovery codes, a TOTP secret)
      const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.code}`);
      this.logger.emit('error', 'mfa-service reply does not match its contract', { pattern, issues });
      throw unavailable();
    }
    return parsed.data as RpcReply<P>;
  }

  private translate(pattern: string, error: unknown): AppError {
    if (error instanceof AppError) return error;
    if (isRpcErrorPayload(error)) return fromRpcErrorPayload(error);
    const reason = error instanceof RpcTimeoutError ? 'timeout' : ((error as { code?: string })?.code ?? 'unknown');
    this.logger.emit('warn', 'mfa-service call failed', { pattern, reason });
    return unavailable();
  }

  onApplicationShutdown(): void {
    this.pool.stop();
  }
}

function unavailable(): AppError {
  return new AppError('general_service_unavailable', 'The MFA service is unavailable. Please try again.', { retryAfterSeconds: 1 });
}
