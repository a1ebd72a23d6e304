import { JsonSocket } from '@nestjs/microservices';
import { connect, Socket } from 'node:net';
import { rpcNonce, RpcKeys, signRpcRequest, verifyRpcReply } from '@twostep/crypto';
import { MfaPattern } from '@twostep/contracts';
import { INVALID_SPAN, requestContext, SpanKind, SpanStatusCode, startSpan, traceCarrier, withActiveSpan } from '@twostep/observability';

/** The pool's liveness traffic (every 250 ms per endpoint) is not traced: it would bury the real traces. */
export const UNTRACED_PATTERNS: ReadonlySet<string> = new Set([MfaPattern.Heartbeat, MfaPattern.Ping]);

/** The call timed out; only this call fails (the connection and the other calls on it go on). */
export class RpcTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor() {
    super('rpc call timed out');
  }
}

/**
 * The connection ended before the call got an answer. `written` is false when the request never left
 * this process whole (no handler can have run, so the call is safe to retry elsewhere).
 */
export class RpcConnectionLostError extends Error {
  constructor(
    readonly code: string,
    readonly written: boolean,
  ) {
    super(`rpc connection lost (${code})`);
  }
}

/** What a failed call's span says about the failure: a type or code, never a message. */
function rpcErrorName(error: unknown): string {
  const e = error as { code?: unknown; type?: unknown } | null;
  const name = typeof e?.type === 'string' ? e.type : typeof e?.code === 'string' ? e.code : 'error';
  return /^[A-Za-z_]{1,64}$/.test(name) ? name : 'error';
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  timer: NodeJS.Timeout;
  written: boolean;
}

/**
 * One authenticated connection to mfa-service over Nest's JSON-socket framing (`<length>#<json>`), see
 * `rpc-auth.ts` in @twostep/crypto for the protocol. Calls are multiplexed by id; each has its own deadline,
 * and a call that times out fails alone. Replies that don't carry a valid MAC are dropped (a rogue
 * listener can't answer). When the connection ends, every call still waiting fails with
 * {@link RpcConnectionLostError}.
 */
export class RpcConnection {
  private readonly pending = new Map<number, Pending>();
  private readonly clientNonce = rpcNonce();
  private seq = 0;
  private closedWith?: RpcConnectionLostError;
  private readonly closeListeners: Array<(error: RpcConnectionLostError) => void> = [];

  private constructor(
    private readonly json: JsonSocket,
    private readonly keys: RpcKeys,
    private readonly serverNonce: string,
  ) {
    json.on('message', (frame: unknown) => this.onFrame(frame));
    json.socket.on('close', () => this.onClose(new RpcConnectionLostError('ECONNRESET', true)));
    json.socket.on('error', () => undefined);
  }

  /** Connects and waits for the server's hello (at most `timeoutMs`). */
  static open(host: string, port: number, keys: RpcKeys, timeoutMs: number): Promise<RpcConnection> {
    return new Promise((resolve, reject) => {
      const socket: Socket = connect({ host, port, noDelay: true });
      const json = new JsonSocket(socket, { maxBufferSize: 16 * 1024 * 1024, incompleteMessageTimeout: 30_000 });
      const fail = (code: string) => {
        clearTimeout(timer);
        socket.destroy();
        reject(new RpcConnectionLostError(code, false));
      };
      const timer = setTimeout(() => fail('ETIMEDOUT'), timeoutMs);
      socket.once('error', (error: NodeJS.ErrnoException) => fail(error.code ?? 'ECONNREFUSED'));
      socket.once('close', () => fail('ECONNRESET'));
      json.once('message', (hello: { h?: { v?: unknown; n?: unknown } }) => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        socket.removeAllListeners('close');
        const nonce = hello?.h?.n;
        if (typeof nonce !== 'string' || nonce.length < 16) {
          socket.destroy();
          return reject(new RpcConnectionLostError('EPROTO', false));
        }
        resolve(new RpcConnection(json, keys, nonce));
      });
    });
  }

  get isOpen(): boolean {
    return this.closedWith === undefined;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  onClosed(listener: (error: RpcConnectionLostError) => void): void {
    if (this.closedWith) listener(this.closedWith);
    else this.closeListeners.push(listener);
  }

  /**
   * Sends one request and resolves with the handler's response; rejects with the server's error payload,
   * {@link RpcTimeoutError} or {@link RpcConnectionLostError}.
   */
  call(pattern: string, data: unknown, timeoutMs: number): Promise<unknown> {
    if (this.closedWith) return Promise.reject(new RpcConnectionLostError(this.closedWith.code, false));
    const id = ++this.seq;
    // one CLIENT span per attempt (non-recording, at no cost, when tracing is off)
    const span = UNTRACED_PATTERNS.has(pattern)
      ? INVALID_SPAN
      : startSpan(pattern, SpanKind.CLIENT, { 'rpc.system': 'twostep-json-socket', 'rpc.method': pattern });
    return new Promise((resolve, reject) => {
      const entry: Pending = {
        resolve: (value) => {
          span.end();
          resolve(value);
        },
        reject: (error) => {
          span.setStatus({ code: SpanStatusCode.ERROR, message: rpcErrorName(error) });
          span.end();
          reject(error);
        },
        written: false,
        timer: setTimeout(() => {
          this.pending.delete(id);
          entry.reject(new RpcTimeoutError());
        }, timeoutMs),
      };
      this.pending.set(id, entry);
      // The envelope: besides pattern, id and data, the caller's request id (mfa-service logs and jobs carry
      // it on) and the W3C trace context of this call's span. All of it is inside the MACed body `b`
      // (rpc-auth.ts), so none of it can be altered or added in transit.
      const requestId = requestContext.current()?.requestId;
      const trace = span.isRecording() ? withActiveSpan(undefined, span, () => traceCarrier()) : {};
      const body = JSON.stringify({ pattern, data, id: String(id), ...(requestId ? { requestId } : {}), ...trace });
      entry.written = true;
      this.json.sendMessage(signRpcRequest(this.keys, this.serverNonce, this.clientNonce, id, Date.now(), body), (error?: unknown) => {
        // the write failed: the frame never reached the peer whole, so no handler ran
        if (error) entry.written = false;
      });
    });
  }

  close(): void {
    this.json.socket.destroy();
  }

  private onFrame(frame: unknown): void {
    if ((frame as { r?: unknown })?.r !== undefined) {
      // the server refused our credentials (MFA_RPC_KEY differs) and is closing the connection
      this.onClose(new RpcConnectionLostError('EAUTH', true));
      this.close();
      return;
    }
    const body = verifyRpcReply(this.keys, frame, this.serverNonce, this.clientNonce);
    if (body === undefined) return;
    let packet: { id?: unknown; err?: unknown; response?: unknown; isDisposed?: unknown };
    try {
      packet = JSON.parse(body);
    } catch {
      return;
    }
    const id = Number(packet?.id);
    const entry = this.pending.get(id);
    if (!entry) return; // timed out already, or answered before (a late reply changes nothing)
    if (packet.err !== undefined && packet.err !== null) {
      this.settle(id, entry);
      entry.reject(packet.err);
    } else if ('response' in packet || packet.isDisposed) {
      this.settle(id, entry);
      entry.resolve(packet.response);
    }
  }

  private settle(id: number, entry: Pending): void {
    clearTimeout(entry.timer);
    this.pending.delete(id);
  }

  private onClose(error: RpcConnectionLostError): void {
    if (this.closedWith) return;
    this.closedWith = error;
    for (const [id, entry] of this.pending) {
      this.settle(id, entry);
      entry.reject(new RpcConnectionLostError(error.code, entry.written));
    }
    for (const listener of this.closeListeners.splice(0)) listener(error);
  }
}
