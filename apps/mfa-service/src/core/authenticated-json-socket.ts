import { JsonSocket } from '@nestjs/microservices';
import type { Socket } from 'node:net';
import { Counter, Registry } from 'prom-client';
import { MfaPattern } from '@twostep/contracts';
import { rpcNonce, RpcKeys, RpcRejectReason, signRpcReply, verifyRpcRequest, RPC_AUTH_VERSION } from '@twostep/crypto';
import { JsonLogger } from '@twostep/observability';

/** A connection that hasn't sent one genuine request by then is closed. */
const UNAUTHENTICATED_IDLE_MS = 10_000;
/** Largest frame accepted (in characters); the biggest genuine request is a few hundred bytes. */
const MAX_FRAME_CHARS = 1024 * 1024;
const KNOWN_PATTERNS = new Set<string>(Object.values(MfaPattern));
const REFUSAL = JSON.stringify({ r: 'unauthenticated' });

export type RpcRejectMetricReason = RpcRejectReason | 'idle';

export interface RpcAuthMetrics {
  rejected: Counter<'reason'>;
  accepted: Counter<'pattern'>;
}

export function rpcAuthMetrics(registry: Registry): RpcAuthMetrics {
  return {
    rejected: new Counter({
      name: 'mfa_rpc_rejected_total',
      help: 'RPC messages refused before any handler ran (no valid MFA_RPC_KEY MAC, replayed, stale, malformed), by reason; the connection is closed',
      labelNames: ['reason'],
      registers: [registry],
    }),
    accepted: new Counter({
      name: 'mfa_rpc_requests_total',
      help: 'Authenticated RPC requests handed to a handler, by pattern',
      labelNames: ['pattern'],
      registers: [registry],
    }),
  };
}

/**
 * The socket class of mfa-service's TCP listener (Nest's `socketClass` option): Nest's JSON framing, plus
 * the MFA_RPC_KEY authentication of `rpc-auth.ts` (@twostep/crypto). It writes the hello with a fresh
 * nonce, hands Nest only requests whose MAC, sequence number and timestamp check out, and MACs every reply.
 * Anything else is counted, answered with a bare refusal (no data) and the connection is closed: no
 * handler runs for it.
 */
export function authenticatedSocketClass(keys: RpcKeys, metrics: RpcAuthMetrics, logger: JsonLogger): new (socket: Socket) => JsonSocket {
  return class AuthenticatedJsonSocket extends JsonSocket {
    private readonly serverNonce = rpcNonce();
    private clientNonce?: string;
    private lastSeq = -1;
    private refused = false;
    private readonly idleTimer: NodeJS.Timeout;

    constructor(socket: Socket) {
      super(socket, { maxBufferSize: MAX_FRAME_CHARS, incompleteMessageTimeout: UNAUTHENTICATED_IDLE_MS });
      // answers go out at once instead of waiting on Nagle's algorithm while several RPCs share a connection
      socket.setNoDelay(true);
      super.handleSend({ h: { v: RPC_AUTH_VERSION, n: this.serverNonce } });
      this.idleTimer = setTimeout(() => this.refuse('idle'), UNAUTHENTICATED_IDLE_MS);
      this.idleTimer.unref();
      socket.once('close', () => clearTimeout(this.idleTimer));
    }

    protected override emitMessage(data: string): void {
      if (this.refused) return;
      let frame: unknown;
      try {
        frame = JSON.parse(data);
      } catch {
        return this.refuse('malformed');
      }
      const checked = verifyRpcRequest(
        keys,
        frame,
        { serverNonce: this.serverNonce, clientNonce: this.clientNonce, lastSeq: this.lastSeq },
        Date.now(),
      );
      if (!checked.ok) return this.refuse(checked.reason);
      let packet: { pattern?: unknown; id?: unknown; data?: unknown };
      try {
        packet = JSON.parse(checked.body);
      } catch {
        return this.refuse('malformed');
      }
      if (!packet || typeof packet !== 'object' || typeof packet.pattern !== 'string') return this.refuse('malformed');
      this.lastSeq = checked.seq;
      this.clientNonce = checked.clientNonce;
      clearTimeout(this.idleTimer);
      metrics.accepted.inc({ pattern: KNOWN_PATTERNS.has(packet.pattern) ? packet.pattern : 'unknown' });
      this.socket.emit('message', { pattern: packet.pattern, data: packet.data, id: packet.id });
    }

    protected override handleSend(message: unknown, callback?: (err?: unknown) => void): void {
      // Nest only answers messages this class emitted, so the client nonce is pinned by then
      if (this.refused || this.clientNonce === undefined) return;
      super.handleSend(signRpcReply(keys, this.serverNonce, this.clientNonce, JSON.stringify(message)), callback);
    }

    /** a frame that isn't Nest's framing at all (bad length, too large, cut off) */
    protected override handleDataError(error: unknown, opts?: { destroy?: boolean }): void {
      if (!this.refused) {
        this.refused = true;
        clearTimeout(this.idleTimer);
        metrics.rejected.inc({ reason: 'malformed' });
      }
      super.handleDataError(error, opts);
    }

    private refuse(reason: RpcRejectMetricReason): void {
      if (this.refused) return;
      this.refused = true;
      clearTimeout(this.idleTimer);
      metrics.rejected.inc({ reason });
      logger.emit('warn', 'rpc connection refused', { reason, remote: this.socket.remoteAddress });
      // a bare refusal, so a caller with the wrong key can say so in its log; no data, no handler ran
      if (!this.socket.destroyed) this.socket.end(`${REFUSAL.length}#${REFUSAL}`);
      setTimeout(() => this.socket.destroy(), 1000).unref();
    }
  };
}
