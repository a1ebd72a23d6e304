import { JsonSocket } from '@nestjs/microservices';
import type { Socket } from 'node:net';
import { Counter, Registry } from 'prom-client';
import { MfaPattern } from '@twostep/contracts';
import { rpcNonce, RpcKeys, RpcRejectReason, signRpcReply, verifyRpcRequest, RPC_AUTH_VERSION } from '@twostep/crypto';
import {
  contextFromCarrier,
  INVALID_SPAN,
  JsonLogger,
  requestContext,
  Span,
  SpanKind,
  SpanStatusCode,
  startSpan,
  withActiveSpan,
} from '@twostep/observability';

/** A connection that hasn't sent one genuine request by then is closed. */
const UNAUTHENTICATED_IDLE_MS = 10_000;
/** Largest frame accepted (in characters); the biggest genuine request is a few hundred bytes. */
const MAX_FRAME_CHARS = 1024 * 1024;
const KNOWN_PATTERNS = new Set<string>(Object.values(MfaPattern));
const UNTRACED_PATTERNS = new Set<string>([MfaPattern.Heartbeat, MfaPattern.Ping]);
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

function errorType(err: unknown): string {
  const type = (err as { type?: unknown } | null)?.type;
  return typeof type === 'string' && /^[a-z_]{1,64}$/.test(type) ? type : 'error';
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
    /** the SERVER span of each request in progress, by request id; ended with its last reply */
    private readonly spans = new Map<unknown, Span>();

    constructor(socket: Socket) {
      super(socket, { maxBufferSize: MAX_FRAME_CHARS, incompleteMessageTimeout: UNAUTHENTICATED_IDLE_MS });
      // answers go out at once instead of waiting on Nagle's algorithm while several RPCs share a connection
      socket.setNoDelay(true);
      super.handleSend({ h: { v: RPC_AUTH_VERSION, n: this.serverNonce } });
      this.idleTimer = setTimeout(() => this.refuse('idle'), UNAUTHENTICATED_IDLE_MS);
      this.idleTimer.unref();
      socket.once('close', () => {
        clearTimeout(this.idleTimer);
        for (const span of this.spans.values()) span.end();
        this.spans.clear();
      });
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
      // the envelope (all of it inside the MACed body): pattern, id, data, plus the caller's request id and
      // W3C trace context (`traceparent`/`tracestate`), which this side only reads
      let packet: { pattern?: unknown; id?: unknown; data?: unknown; requestId?: unknown; traceparent?: unknown; tracestate?: unknown };
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
      const message = { pattern: packet.pattern, data: packet.data, id: packet.id };
      const parent = contextFromCarrier(packet);
      const method = KNOWN_PATTERNS.has(packet.pattern) ? packet.pattern : 'unknown';
      // a SERVER span per request (not for the pool's heartbeats and pings, which would bury the real traces)
      const span = UNTRACED_PATTERNS.has(method)
        ? INVALID_SPAN
        : startSpan(
            method === 'unknown' ? 'mfa.v1.unknown' : method,
            SpanKind.SERVER,
            { 'rpc.system': 'twostep-json-socket', 'rpc.method': method },
            parent,
          );
      if (span.isRecording() && packet.id !== undefined) {
        this.spans.get(packet.id)?.end(); // a repeated id must not leave the earlier span open
        this.spans.set(packet.id, span);
      }
      // the handler (Nest runs it synchronously from this emit) runs under the caller's request id and span,
      // so its log lines, queries and jobs carry both on
      requestContext.runAs(packet.requestId, () => withActiveSpan(parent, span, () => this.socket.emit('message', message)));
    }

    protected override handleSend(message: unknown, callback?: (err?: unknown) => void): void {
      // Nest only answers messages this class emitted, so the client nonce is pinned by then
      if (this.refused || this.clientNonce === undefined) return;
      this.endSpan(message as { id?: unknown; err?: unknown; isDisposed?: unknown });
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

    /** A reply with an error, or the last one (`isDisposed`), ends the request's span. */
    private endSpan(reply: { id?: unknown; err?: unknown; isDisposed?: unknown } | undefined): void {
      if (this.spans.size === 0 || !reply) return;
      const span = this.spans.get(reply.id);
      if (!span) return;
      const failed = reply.err !== undefined && reply.err !== null;
      if (!failed && !reply.isDisposed) return;
      // the error's Appwrite type only: its message can name what the caller sent
      if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: errorType(reply.err) });
      span.end();
      this.spans.delete(reply.id);
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
