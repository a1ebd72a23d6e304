import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ClientProxy, ClientProxyFactory, JsonSocket, Transport } from '@nestjs/microservices';
import type { Socket } from 'node:net';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';
import { AppError, fromRpcErrorPayload, isRpcErrorPayload, MfaRpc } from '@twostep/contracts';
import { JsonLogger } from '@twostep/observability';
import { AUTH_API_CONFIG, AuthApiConfig } from '../config/auth-api.config';
import { LOGGER } from '../core/tokens';

/**
 * Nest's JSON framing over a socket with Nagle's algorithm off: calls are small request/response
 * messages, and waiting to coalesce them adds tens of milliseconds under concurrency.
 */
class NoDelayJsonSocket extends JsonSocket {
  constructor(socket: Socket) {
    super(socket);
    socket.setNoDelay(true);
  }
}

/**
 * The one way auth-api talks to mfa-service: request/response over TCP, typed by {@link MfaRpc}.
 * Every call has a deadline. A timeout, a refused connection or any transport fault becomes
 * 503 `general_service_unavailable`; it never counts as success. A domain error thrown by mfa-service
 * comes back as the same {@link AppError}.
 */
@Injectable()
export class MfaClient implements OnApplicationShutdown {
  private readonly client: ClientProxy;
  private readonly timeoutMs: number;

  constructor(
    @Inject(AUTH_API_CONFIG) config: AuthApiConfig,
    @Inject(LOGGER) private readonly logger: JsonLogger,
  ) {
    const url = new URL(config.MFA_SERVICE_URL);
    this.timeoutMs = config.MFA_RPC_TIMEOUT_MS;
    this.client = ClientProxyFactory.create({
      transport: Transport.TCP,
      options: { host: url.hostname, port: Number(url.port || 3001), socketClass: NoDelayJsonSocket },
    });
  }

  async send<P extends keyof MfaRpc>(pattern: P, request: MfaRpc[P]['request'], timeoutMs = this.timeoutMs): Promise<MfaRpc[P]['response']> {
    try {
      return await firstValueFrom(this.client.send<MfaRpc[P]['response'], MfaRpc[P]['request']>(pattern, request).pipe(timeout(timeoutMs)));
    } catch (error) {
      throw this.translate(pattern, error);
    }
  }

  private translate(pattern: string, error: unknown): AppError {
    if (error instanceof AppError) return error;
    if (isRpcErrorPayload(error)) return fromRpcErrorPayload(error);
    const reason = error instanceof TimeoutError ? 'timeout' : ((error as { code?: string })?.code ?? (error as Error)?.message ?? 'unknown');
    this.logger.emit('warn', 'mfa-service call failed', { pattern, reason });
    // A broken connection must not stay cached: the next call reconnects.
    this.client.close();
    return new AppError('general_service_unavailable', 'The MFA service is unavailable. Please try again.', { retryAfterSeconds: 1 });
  }

  onApplicationShutdown(): void {
    this.client.close();
  }
}
