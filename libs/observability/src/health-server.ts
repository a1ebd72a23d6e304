import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export type ReadinessCheck = () => Promise<void>;

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, 'up' | 'down'>;
  /** why a check is down, for the checks that explain themselves (a {@link ReadinessProblem}) */
  problems: Record<string, string>;
}

/**
 * A readiness failure whose message is meant for the operator (it is shown in `/health/ready` and
 * must not carry secrets), e.g. "Redis maxmemory-policy is allkeys-lru; BullMQ needs noeviction".
 */
export class ReadinessProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReadinessProblem';
  }
}

/** Runs every check with a deadline; a check that throws or times out is `down`. */
export async function runReadiness(checks: Record<string, ReadinessCheck>, timeoutMs = 1500): Promise<ReadinessReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          check(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
          }),
        ]);
        return [name, 'up', undefined] as const;
      } catch (error) {
        return [name, 'down', error instanceof ReadinessProblem ? error.message : undefined] as const;
      } finally {
        if (timer) clearTimeout(timer);
      }
    }),
  );
  const result = Object.fromEntries(entries.map(([name, state]) => [name, state])) as Record<string, 'up' | 'down'>;
  const problems: Record<string, string> = {};
  for (const [name, , problem] of entries) if (problem !== undefined) problems[name] = problem;
  return { ready: entries.every(([, s]) => s === 'up'), checks: result, problems };
}

/** What an extra route answers: a status and a JSON body. */
export interface HealthRouteResponse {
  status: number;
  body: unknown;
}

/** An extra `GET` route served next to the health endpoints (e.g. the notifier's development outbox). */
export type HealthRoute = (query: URLSearchParams) => Promise<HealthRouteResponse> | HealthRouteResponse;

export interface HealthServerOptions {
  /** extra `GET` routes by exact path; they cannot replace `/health/*` or `/metrics` */
  routes?: Record<string, HealthRoute>;
}

/**
 * The management listener of every service (auth-api, mfa-service, notifier), apart from any public API:
 * `GET /health/live`, `GET /health/ready`, `GET /metrics`, plus any extra routes it is given.
 * It binds loopback unless given another address (`HEALTH_HOST`).
 */
export class HealthServer {
  private server?: Server;
  private shuttingDown = false;

  constructor(
    private readonly checks: Record<string, ReadinessCheck>,
    private readonly registry: Registry,
    private readonly options: HealthServerOptions = {},
  ) {}

  /** Readiness turns false as soon as shutdown starts, so load balancers stop sending work. */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  async listen(port: number, host = '127.0.0.1'): Promise<number> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections?.();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const [path, query = ''] = (req.url ?? '/').split('?', 2);
    if (req.method !== 'GET') return this.send(res, 405, { status: 'method not allowed' });
    if (path === '/health/live') return this.send(res, 200, { status: 'ok' });
    if (path === '/health/ready') {
      if (this.shuttingDown) return this.send(res, 503, { status: 'shutting down', checks: {} });
      const report = await runReadiness(this.checks);
      const problems = Object.keys(report.problems).length > 0 ? { problems: report.problems } : {};
      return this.send(res, report.ready ? 200 : 503, { status: report.ready ? 'ok' : 'unavailable', checks: report.checks, ...problems });
    }
    if (path === '/metrics') {
      const body = await this.registry.metrics();
      res.writeHead(200, { 'content-type': this.registry.contentType });
      res.end(body);
      return;
    }
    const route = Object.prototype.hasOwnProperty.call(this.options.routes ?? {}, path) ? this.options.routes![path] : undefined;
    if (route) {
      try {
        const answer = await route(new URLSearchParams(query));
        return this.send(res, answer.status, answer.body);
      } catch {
        return this.send(res, 500, { status: 'error' });
      }
    }
    this.send(res, 404, { status: 'not found' });
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }
}
