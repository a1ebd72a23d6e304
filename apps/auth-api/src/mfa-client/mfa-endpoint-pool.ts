import { randomInt } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { MFA_READ_ONLY_PATTERNS, MfaPattern } from '@twostep/contracts';
import type { TcpEndpoint } from '@twostep/config';
import type { RpcKeys } from '@twostep/crypto';
import { RpcConnection, RpcConnectionLostError, RpcTimeoutError } from '@twostep/messaging';
import { JsonLogger } from '@twostep/observability';

/** Resolves a host name to every address it stands for (a headless Service gives one per ready pod). */
export type HostResolver = (host: string) => Promise<string[]>;
export const systemResolver: HostResolver = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** No endpoint could take the call (none healthy, or every one tried failed before the call left). */
export class NoEndpointError extends Error {
  readonly code = 'ENOENDPOINT';
  constructor() {
    super('no healthy mfa-service endpoint');
  }
}

export interface PoolOptions {
  endpoints: readonly TcpEndpoint[];
  keys: RpcKeys;
  resolveIntervalMs: number;
  /** a heartbeat goes out this often on every connection; one unanswered for this long makes the endpoint unusable */
  heartbeatMs?: number;
  /** longest wait for a connection and its hello */
  connectTimeoutMs?: number;
  resolver?: HostResolver;
}

type State = 'connecting' | 'healthy' | 'suspect' | 'down';

interface PoolMetrics {
  calls: Counter<'endpoint' | 'outcome'>;
  duration: Histogram<'endpoint'>;
  healthy: Gauge<'endpoint'>;
  retries: Counter<'reason'>;
}

const BACKOFF_MIN_MS = 100;
// at most 1 s: a replica back from a restart is used again within about a second, well inside the 2 s drain
// of the next replica a rolling restart stops (with 5 s, both could be out of the pool at once); a refused
// connect attempt on loopback or a cluster network costs next to nothing
const BACKOFF_MAX_MS = 1000;
/** a heartbeat that gets no answer for this long closes the connection (it is reopened with backoff) */
const HEARTBEAT_GIVE_UP_MS = 5000;

class Endpoint {
  state: State = 'connecting';
  conn?: RpcConnection;
  removed = false;
  /** the first connection attempt has finished (either way) */
  tried = false;
  private attempt = 0;
  private reconnectTimer?: NodeJS.Timeout;
  private heartbeatTimer?: NodeJS.Timeout;
  private heartbeatSentAt?: number;

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly pool: MfaEndpointPool,
  ) {}

  get label(): string {
    return isIP(this.host) === 6 ? `[${this.host}]:${this.port}` : `${this.host}:${this.port}`;
  }

  get usable(): boolean {
    return this.state === 'healthy' && !this.removed && this.conn?.isOpen === true;
  }

  get inFlight(): number {
    return this.conn?.inFlight ?? 0;
  }

  /** connected, but a heartbeat or a call went unanswered in time */
  get connectedButSuspect(): boolean {
    return this.state === 'suspect' && !this.removed && this.conn?.isOpen === true;
  }

  connect(): void {
    if (this.removed) return;
    this.setState('connecting');
    RpcConnection.open(this.host, this.port, this.pool.keys, this.pool.connectTimeoutMs).then(
      (conn) => {
        this.tried = true;
        if (this.removed) return conn.close();
        this.conn = conn;
        this.attempt = 0;
        this.setState('healthy');
        conn.onClosed((error) => {
          if (error.code === 'EAUTH')
            this.pool.logger.emit(
              'error',
              'mfa-service refused our RPC credentials: MFA_RPC_KEY differs between auth-api and mfa-service',
              { endpoint: this.label },
            );
          this.lost();
        });
        // ticks twice per heartbeatMs, so an unanswered heartbeat is noticed within heartbeatMs of its deadline
        this.heartbeatTimer = setInterval(() => this.heartbeat(), Math.max(10, Math.floor(this.pool.heartbeatMs / 2)));
        this.heartbeatTimer.unref();
        this.pool.changed();
      },
      () => {
        this.tried = true;
        this.lost();
      },
    );
  }

  /** A call on this endpoint timed out: use it again only once a heartbeat proves it answers. */
  suspect(): void {
    if (this.state === 'healthy') this.setState('suspect');
  }

  close(): void {
    this.removed = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.heartbeatTimer);
    this.pool.metrics.healthy.remove({ endpoint: this.label });
    // calls still in flight here may finish: the connection closes once they have
    const conn = this.conn;
    if (!conn) return;
    const closeWhenIdle = () => (conn.inFlight === 0 || !conn.isOpen ? conn.close() : setTimeout(closeWhenIdle, 100).unref());
    closeWhenIdle();
  }

  private heartbeat(): void {
    const conn = this.conn;
    if (!conn?.isOpen) return;
    const now = Date.now();
    if (this.heartbeatSentAt !== undefined) {
      // still unanswered: the replica is paused, overloaded or cut off
      if (now - this.heartbeatSentAt >= this.pool.heartbeatMs) this.suspect();
      return;
    }
    this.heartbeatSentAt = now;
    conn.call(MfaPattern.Heartbeat, {}, HEARTBEAT_GIVE_UP_MS).then(
      () => {
        this.heartbeatSentAt = undefined;
        if (this.state === 'suspect' && conn === this.conn) {
          this.setState('healthy');
          this.pool.changed();
        }
      },
      (error: unknown) => {
        this.heartbeatSentAt = undefined;
        if (conn !== this.conn) return;
        if (error instanceof RpcTimeoutError) {
          conn.close();
        } else if (!(error instanceof RpcConnectionLostError)) {
          // an answer, but a refusal (the replica is draining after SIGTERM): send it nothing new
          this.suspect();
        }
      },
    );
  }

  private lost(): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatSentAt = undefined;
    this.conn = undefined;
    this.setState('down');
    this.pool.changed();
    if (this.removed) return;
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 16);
    // full jitter, so auth-api replicas don't reconnect in lockstep after an mfa-service restart
    this.reconnectTimer = setTimeout(() => this.connect(), randomInt(Math.floor(ceiling / 2), ceiling + 1));
    this.reconnectTimer.unref();
  }

  private setState(state: State): void {
    if (this.state !== state && !this.removed) {
      if (state === 'healthy') this.pool.logger.emit('info', 'mfa-service endpoint healthy', { endpoint: this.label });
      else if (this.state === 'healthy') this.pool.logger.emit('warn', 'mfa-service endpoint unusable', { endpoint: this.label, state });
    }
    this.state = state;
    if (!this.removed) this.pool.metrics.healthy.set({ endpoint: this.label }, state === 'healthy' ? 1 : 0);
  }
}

/**
 * auth-api's connections to the mfa-service replicas: one authenticated connection per endpoint (every
 * address of every host in MFA_SERVICE_URL, host names re-resolved periodically). Calls go to the healthy
 * endpoint with the fewest calls in flight (round-robin among equals). A closed connection makes its
 * endpoint unusable at once; a heartbeat unanswered for `heartbeatMs`, or a call that timed out, until a
 * heartbeat answers again (such an endpoint is still used while no endpoint is healthy and it is connected). A call moves to another endpoint only when that is safe: it never left this
 * process, or it changes nothing (MFA_READ_ONLY_PATTERNS).
 */
export class MfaEndpointPool {
  readonly keys: RpcKeys;
  readonly heartbeatMs: number;
  readonly connectTimeoutMs: number;
  readonly metrics: PoolMetrics;
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly resolver: HostResolver;
  private resolveTimer?: NodeJS.Timeout;
  private next = 0;
  private waiters: Array<() => void> = [];
  private started?: Promise<void>;
  private stopped = false;
  private resolvedOnce = false;

  constructor(
    private readonly options: PoolOptions,
    readonly logger: JsonLogger,
    registry: Registry,
  ) {
    this.keys = options.keys;
    this.heartbeatMs = options.heartbeatMs ?? 500;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 2000;
    this.resolver = options.resolver ?? systemResolver;
    this.metrics = {
      calls: new Counter({
        name: 'mfa_rpc_client_calls_total',
        help: 'RPC calls to mfa-service, by endpoint and outcome (ok, error, timeout, connection_lost, unavailable)',
        labelNames: ['endpoint', 'outcome'],
        registers: [registry],
      }),
      duration: new Histogram({
        name: 'mfa_rpc_client_call_duration_seconds',
        help: 'Duration of RPC calls to mfa-service, by endpoint',
        labelNames: ['endpoint'],
        buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
        registers: [registry],
      }),
      healthy: new Gauge({
        name: 'mfa_rpc_client_endpoint_healthy',
        help: '1 while an mfa-service endpoint takes calls, 0 while it is connecting, down or unresponsive',
        labelNames: ['endpoint'],
        registers: [registry],
      }),
      retries: new Counter({
        name: 'mfa_rpc_client_retries_total',
        help: 'Calls sent again to another endpoint (safe retries only), by reason',
        labelNames: ['reason'],
        registers: [registry],
      }),
    };
  }

  /** Resolves the endpoints and opens a connection to each; resolves once each has been tried once. */
  start(): Promise<void> {
    this.started ??= (async () => {
      await this.refresh();
      this.resolvedOnce = true;
      this.changed();
      // wait for the first connection attempts, so the first calls spread instead of all taking the first one up
      const until = Date.now() + this.connectTimeoutMs;
      while (!this.settled() && Date.now() < until) await this.waitForChange(until - Date.now());
      const names = this.options.endpoints.some((e) => isIP(e.host) === 0);
      if (names) {
        this.resolveTimer = setInterval(() => void this.refresh(), this.options.resolveIntervalMs);
        this.resolveTimer.unref();
      }
    })();
    return this.started;
  }

  /** Labels and states of the known endpoints (for logs and tests). */
  snapshot(): Array<{ endpoint: string; state: State; inFlight: number }> {
    return [...this.endpoints.values()].map((e) => ({ endpoint: e.label, state: e.state, inFlight: e.inFlight }));
  }

  async call(pattern: string, data: unknown, timeoutMs: number): Promise<unknown> {
    const deadline = Date.now() + timeoutMs;
    const tried = new Set<Endpoint>();
    void this.start();
    for (;;) {
      let endpoint = this.pick(tried);
      while (!endpoint && !this.settled() && deadline > Date.now()) {
        // just started: wait (within the deadline) for the first connection attempts
        await this.waitForChange(deadline - Date.now());
        endpoint = this.pick(tried);
      }
      if (!endpoint) {
        this.metrics.calls.inc({ endpoint: 'none', outcome: 'unavailable' });
        throw new NoEndpointError();
      }
      const started = process.hrtime.bigint();
      try {
        const result = await endpoint.conn!.call(pattern, data, Math.max(1, deadline - Date.now()));
        this.observe(endpoint, started, 'ok');
        return result;
      } catch (error) {
        if (error instanceof RpcTimeoutError) {
          this.observe(endpoint, started, 'timeout');
          endpoint.suspect();
          throw error;
        }
        if (error instanceof RpcConnectionLostError) {
          this.observe(endpoint, started, 'connection_lost');
          tried.add(endpoint);
          const safe = !error.written || MFA_READ_ONLY_PATTERNS.has(pattern);
          if (safe && deadline > Date.now()) {
            this.metrics.retries.inc({ reason: error.written ? 'read_only' : 'not_sent' });
            continue;
          }
          throw error;
        }
        this.observe(endpoint, started, 'error');
        throw error;
      }
    }
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.resolveTimer);
    for (const endpoint of this.endpoints.values()) endpoint.close();
    this.endpoints.clear();
    this.changed();
  }

  /** @internal an endpoint's state changed */
  changed(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  private observe(endpoint: Endpoint, started: bigint, outcome: string): void {
    this.metrics.calls.inc({ endpoint: endpoint.label, outcome });
    this.metrics.duration.observe({ endpoint: endpoint.label }, Number(process.hrtime.bigint() - started) / 1e9);
  }

  private settled(): boolean {
    return this.resolvedOnce && [...this.endpoints.values()].every((e) => e.tried);
  }

  private waitForChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * The healthy endpoint with the fewest calls in flight; equals take turns. When none is healthy but some
   * are connected and only slow to answer heartbeats (every replica busy), those are used rather than
   * refusing everything; with no connection open at all the call fails at once.
   */
  private pick(exclude: ReadonlySet<Endpoint>): Endpoint | undefined {
    const all = [...this.endpoints.values()];
    const choose = (eligible: (e: Endpoint) => boolean) => {
      let best: Endpoint | undefined;
      for (let i = 0; i < all.length; i++) {
        const e = all[(this.next + i) % all.length];
        if (!eligible(e) || exclude.has(e)) continue;
        if (!best || e.inFlight < best.inFlight) best = e;
      }
      return best;
    };
    const best = choose((e) => e.usable) ?? choose((e) => e.connectedButSuspect);
    this.next = (this.next + 1) % Math.max(1, all.length);
    return best;
  }

  private async refresh(): Promise<void> {
    const wanted = new Map<string, { host: string; port: number }>();
    for (const entry of this.options.endpoints) {
      let addresses: string[];
      if (isIP(entry.host)) addresses = [entry.host];
      else {
        try {
          addresses = await this.resolver(entry.host);
        } catch (error) {
          // keep what we have: a DNS hiccup must not drop healthy replicas
          this.logger.emit('warn', 'mfa-service host did not resolve', {
            host: entry.host,
            reason: (error as NodeJS.ErrnoException).code ?? 'unknown',
          });
          for (const e of this.endpoints.values())
            if (e.port === entry.port) wanted.set(`${e.host}|${e.port}`, { host: e.host, port: e.port });
          continue;
        }
      }
      for (const address of addresses) wanted.set(`${address}|${entry.port}`, { host: address, port: entry.port });
    }
    if (this.stopped) return;
    for (const [key, endpoint] of this.endpoints) {
      if (!wanted.has(key)) {
        this.logger.emit('info', 'mfa-service endpoint removed', { endpoint: endpoint.label });
        endpoint.close();
        this.endpoints.delete(key);
      }
    }
    for (const [key, { host, port }] of wanted) {
      if (this.endpoints.has(key)) continue;
      const endpoint = new Endpoint(host, port, this);
      this.endpoints.set(key, endpoint);
      endpoint.connect();
    }
    this.changed();
  }
}
