import { createServer, IncomingMessage, request as httpRequest, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import { ErrorModel, HttpOperation, httpOperations } from '@twostep/contracts';

/** One response that does not match the OpenAPI description: where, and why; never the body. */
export interface Violation {
  route: string;
  status: number;
  problems: string[];
}

interface Matcher {
  method: string;
  key: string;
  pattern: RegExp;
  params: number;
  operation: HttpOperation;
}

const describeIssues = (error: z.ZodError): string[] =>
  error.issues.slice(0, 5).map((i) => `${i.path.length ? i.path.map(String).join('.') : '(root)'}: ${i.code}: ${i.message}`);

/**
 * Checks responses against the documented operations (`httpOperations`): the status must be a
 * documented one, a JSON body must parse with the operation's model, a 204 must have no body and no
 * content type, and every 4xx/5xx must be Appwrite's error JSON.
 */
export class ResponseValidator {
  readonly violations: Violation[] = [];
  private readonly matchers: Matcher[];
  checked = 0;

  constructor(operations: Record<string, HttpOperation> = httpOperations) {
    this.matchers = Object.entries(operations)
      .map(([key, operation]) => {
        const [method, path] = key.split(' ');
        const params = (path.match(/:[^/]+/g) ?? []).length;
        const source = path
          .split('/')
          .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
          .join('/');
        return { method, key, pattern: new RegExp(`^${source}$`), params, operation };
      })
      // a static segment wins over a parameter, as in Fastify's router
      .sort((a, b) => a.params - b.params);
  }

  /** The documented route of a request, e.g. `GET /v1/account/sessions/:sessionId`. */
  match(method: string, url: string): Matcher | undefined {
    const path = url.split('?')[0];
    return this.matchers.find((m) => m.method === method && m.pattern.test(path));
  }

  /** Checks one response; records and returns a violation when it does not match. */
  check(method: string, url: string, status: number, contentType: string | undefined, body: Buffer): Violation | undefined {
    if (method === 'OPTIONS' || method === 'HEAD') return undefined;
    this.checked += 1;
    const matcher = this.match(method, url);
    const route = matcher?.key ?? `${method} ${url.split('?')[0]} (undocumented)`;
    const problems = this.problems(matcher?.operation, status, contentType, body);
    if (problems.length === 0) return undefined;
    const violation = { route, status, problems };
    this.violations.push(violation);
    return violation;
  }

  private problems(operation: HttpOperation | undefined, status: number, contentType: string | undefined, body: Buffer): string[] {
    const json = (contentType ?? '').toLowerCase().startsWith('application/json');
    const parsed = (schema: z.ZodType): string[] => {
      if (!json) return [`content-type is ${contentType ?? 'absent'}, not application/json`];
      let value: unknown;
      try {
        value = JSON.parse(body.toString('utf8'));
      } catch {
        return ['the body is not JSON'];
      }
      const result = schema.safeParse(value);
      return result.success ? [] : describeIssues(result.error);
    };
    if (status >= 400) return parsed(ErrorModel);
    if (!operation) return [`status ${status} on a route the OpenAPI document does not list`];
    if (!(status in operation.responses)) return [`status ${status} is not documented (${Object.keys(operation.responses).join(', ')})`];
    const schema = operation.responses[status];
    if (schema) return parsed(schema);
    if (operation.content) {
      return (contentType ?? '').toLowerCase().startsWith(operation.content)
        ? []
        : [`content-type is ${contentType ?? 'absent'}, not ${operation.content}`];
    }
    const problems: string[] = [];
    if (contentType) problems.push(`a ${status} carries a content-type (${contentType})`);
    if (body.length > 0) problems.push(`a ${status} carries a body (${body.length} bytes)`);
    return problems;
  }

  /** A readable report of the violations (routes, statuses and schema paths only). */
  report(): string {
    const counts = new Map<string, number>();
    for (const v of this.violations) {
      const line = `${v.route} -> ${v.status}: ${v.problems.join('; ')}`;
      counts.set(line, (counts.get(line) ?? 0) + 1);
    }
    return [...counts].map(([line, n]) => (n > 1 ? `${line} (x${n})` : line)).join('\n');
  }
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade']);

/**
 * A reverse proxy on loopback between the test clients (the Appwrite SDKs, fetch) and auth-api that
 * checks every response with a {@link ResponseValidator} and passes it on unchanged (headers, cookies,
 * status, body, and the client's loopback source address). Requests stream through; a response is buffered to be checked. If auth-api cannot be
 * reached, the client's connection is dropped, as it would be without the proxy.
 */
export class ValidatingProxy {
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(upstream: string, validator: ResponseValidator): Promise<ValidatingProxy> {
    const target = new URL(upstream);
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const forward = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
          agent: false,
          // from the client's own loopback address (tests pick 127.0.0.x to act as different clients)
          localAddress: req.socket.remoteAddress?.replace(/^::ffff:/, ''),
        },
        (upstreamRes) => {
          const chunks: Buffer[] = [];
          upstreamRes.on('data', (c: Buffer) => chunks.push(c));
          upstreamRes.on('error', () => res.destroy());
          upstreamRes.on('end', () => {
            const body = Buffer.concat(chunks);
            const status = upstreamRes.statusCode ?? 0;
            const contentType = upstreamRes.headers['content-type'];
            validator.check(req.method ?? 'GET', req.url ?? '/', status, contentType, body);
            const headers: string[] = [];
            const raw = upstreamRes.rawHeaders;
            for (let i = 0; i < raw.length; i += 2) if (!HOP_BY_HOP.has(raw[i].toLowerCase())) headers.push(raw[i], raw[i + 1]);
            if (upstreamRes.headers['content-length'] === undefined && body.length > 0) headers.push('content-length', String(body.length));
            // auth-api closing the connection (413: a body it will not read) closes the client's too
            if (/\bclose\b/i.test(upstreamRes.headers.connection ?? '')) headers.push('connection', 'close');
            // the rest of a request body auth-api did not read is discarded, so the connection can carry the next request
            if (!req.complete) {
              req.unpipe(forward);
              req.resume();
            }
            res.writeHead(status, upstreamRes.statusMessage, headers);
            res.end(body);
          });
        },
      );
      forward.on('error', () => {
        req.unpipe(forward);
        req.resume();
        res.destroy();
      });
      req.pipe(forward);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new ValidatingProxy(server, `http://127.0.0.1:${port}`);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
