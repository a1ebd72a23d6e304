import { AuthenticationFactor, ID } from 'appwrite';
import * as server from 'node-appwrite';
import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@twostep/testing';
import { leakedSecrets } from './support/secret-scan';
import { StackWithSinks, startStackWithSinks } from './support/stack-with-sinks';
import { removeWindow, WebApp } from './support/web-sdk';

/** One span as the OTLP/JSON encoding carries it, with its resource's service.name. */
interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
  bytesValue?: string;
}
interface OtlpKeyValue {
  key: string;
  value?: OtlpValue;
}

function plain(v: OtlpValue | undefined): unknown {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(plain);
  if (v.kvlistValue) return attributesOf(v.kvlistValue.values);
  return v.bytesValue;
}

function attributesOf(kvs: OtlpKeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((kvs ?? []).map((kv) => [kv.key, plain(kv.value)]));
}

/** A collector on loopback: OTLP/HTTP with the JSON encoding (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`). */
class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** every attribute (span, event and resource) as received, for the secret scan */
  readonly rawAttributes: string[] = [];
  requests = 0;

  private constructor(private readonly http: Server) {}

  static async start(): Promise<OtlpReceiver> {
    const receiver: OtlpReceiver = new OtlpReceiver(createServer((req, res) => void receiver.handle(req, res)));
    await new Promise<void>((resolve) => receiver.http.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  private async handle(req: IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || req.url !== '/v1/traces' || !String(req.headers['content-type']).startsWith('application/json')) {
      res.writeHead(404).end();
      return;
    }
    this.requests += 1;
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      resourceSpans?: Array<{
        resource?: { attributes?: OtlpKeyValue[] };
        scopeSpans?: Array<{
          spans?: Array<{
            traceId: string;
            spanId: string;
            parentSpanId?: string;
            name: string;
            kind: number;
            attributes?: OtlpKeyValue[];
            events?: Array<{ attributes?: OtlpKeyValue[] }>;
          }>;
        }>;
      }>;
    };
    for (const rs of body.resourceSpans ?? []) {
      const resource = attributesOf(rs.resource?.attributes);
      this.rawAttributes.push(JSON.stringify(rs.resource?.attributes ?? []));
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          this.rawAttributes.push(s.name, JSON.stringify(s.attributes ?? []), JSON.stringify(s.events ?? []));
          this.spans.push({
            service: String(resource['service.name']),
            traceId: s.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId || undefined,
            name: s.name,
            kind: s.kind,
            attributes: attributesOf(s.attributes),
          });
        }
      }
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  }

  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}

/**
 * Issue 14: with the standard OTEL_* variables set, one sign-in with an email MFA challenge is ONE trace
 * across auth-api, mfa-service (over the TCP RPC, whose envelope carries the trace context) and the
 * notifier (through the otp-delivery job), SMTP send included, and back (delivery-results); no attribute
 * carries a secret; every log line of the request carries its request id and trace id.
 */
describe('tracing: one trace per request across the three services', () => {
  let receiver: OtlpReceiver;
  let sinks: StackWithSinks;

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    sinks = await startStackWithSinks('tracing', {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_TRACES_SAMPLER: 'parentbased_always_on',
      OTEL_BSP_SCHEDULE_DELAY: '200',
    });
  }, 90_000);

  afterAll(async () => {
    removeWindow();
    await sinks?.stop();
    await receiver?.stop();
  });

  it('sign-in + email challenge + completion: one trace id, spans from all three services, the SMTP send inside, no secret anywhere', async () => {
    const { stack, smtp } = sinks;
    const admin = new server.Client().setEndpoint(stack.endpoint).setProject(stack.projectId).setKey(stack.apiKey);
    const users = new server.Users(admin);
    const password = 'correct horse battery staple';
    const email = `t${randomBytes(5).toString('hex')}@example.test`;
    const user = await users.create({ userId: ID.unique(), email, password, name: 'Tracy Trace' });
    await users.updateEmailVerification({ userId: user.$id, emailVerification: true });
    await users.updateMFA({ userId: user.$id, mfa: true });

    const web = new WebApp(stack.endpoint, stack.projectId);
    const account = web.use();
    await account.createEmailPasswordSession({ email, password });
    // the request id of the challenge request, chosen here so the three services' log lines can be found
    const requestId = `trace-e2e-${randomBytes(6).toString('hex')}`;
    const headers = (web.client as unknown as { headers: Record<string, string> }).headers;
    headers['X-Request-Id'] = requestId;
    const since = Date.now();
    const challenge = await account.createMFAChallenge({ factor: AuthenticationFactor.Email });
    delete headers['X-Request-Id'];
    const mail = await smtp.waitForTo(email, 15_000, since);
    const code = /\b(\d{6})\b/.exec(mail.text)?.[1];
    expect(code).toMatch(/^\d{6}$/);
    const session = await account.updateMFAChallenge({ challengeId: challenge.$id, otp: code! });
    expect(session.factors).toEqual(expect.arrayContaining(['password', 'email']));
    expect((await account.get()).$id).toBe(user.$id);
    // a secret-bearing query string (like `/v1/account/verification?secret=`) never reaches a span
    const querySecret = randomBytes(24).toString('hex');
    await fetch(`${stack.endpoint}/account/verification?userId=${user.$id}&secret=${querySecret}`, {
      headers: { 'X-Appwrite-Project': stack.projectId },
    });

    // the request's log lines: auth-api's access line carries the request id and the trace id
    const linesWith = (service: 'auth-api' | 'mfa-service' | 'notifier') =>
      stack.logs[service]
        .map((l) => {
          try {
            return JSON.parse(l) as Record<string, unknown>;
          } catch {
            return undefined;
          }
        })
        .filter((l): l is Record<string, unknown> => l !== undefined && l.reqId === requestId);
    await waitFor(() => linesWith('notifier').length > 0 && linesWith('mfa-service').length > 0, 15_000);
    const access = linesWith('auth-api').find((l) => l.msg === 'request' && l.route === '/v1/account/mfa/challenges');
    expect(access).toBeDefined();
    const traceId = access!.trace_id as string;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(linesWith('mfa-service').map((l) => l.msg)).toContain('mfa challenge created');
    expect(linesWith('notifier').map((l) => l.msg)).toContain('message sent');
    // the same trace id on the other services' lines for that request
    for (const service of ['mfa-service', 'notifier'] as const) {
      expect(linesWith(service).every((l) => l.trace_id === traceId)).toBe(true);
    }

    // the whole journey arrives at the collector as one trace, the result going back to mfa-service included
    const complete = () => {
      const spans = receiver.trace(traceId);
      return (
        spans.some((s) => s.service === 'notifier' && s.name === 'smtp send') &&
        spans.some((s) => s.service === 'mfa-service' && s.kind === 5 && s.name.includes('delivery-results'))
      );
    };
    await waitFor(complete, 20_000).catch(() => undefined);
    const spans = receiver.trace(traceId);
    const summary = spans.map((s) => `${s.service} ${s.kind} ${s.name}`).sort();
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['auth-api', 'mfa-service', 'notifier']));
    // one root: the HTTP request into auth-api; every other span's parent is in the trace
    const ids = new Set(spans.map((s) => s.spanId));
    const roots = spans.filter((s) => !s.parentSpanId || !ids.has(s.parentSpanId));
    expect(roots.map((s) => `${s.service} ${s.kind}`)).toEqual(['auth-api 2']);
    // the RPC: a CLIENT span in auth-api, its SERVER span in mfa-service as a child
    const rpcClient = spans.find((s) => s.service === 'auth-api' && s.kind === 3 && s.name === 'mfa.v1.challenge.create');
    const rpcServer = spans.find((s) => s.service === 'mfa-service' && s.kind === 2 && s.name === 'mfa.v1.challenge.create');
    expect({ rpcClient: !!rpcClient, rpcServer: !!rpcServer, summary }).toEqual({ rpcClient: true, rpcServer: true, summary });
    expect(rpcServer!.parentSpanId).toBe(rpcClient!.spanId);
    // Postgres statements from mfa-service, parameterised
    const queries = spans.filter((s) => s.service === 'mfa-service' && typeof s.attributes['db.query.text'] === 'string');
    expect(queries.map((q) => q.attributes['db.system.name'] ?? q.attributes['db.system'])).toContain('postgresql');
    expect(queries.some((q) => /INSERT INTO mfa\.challenges[\s\S]*\$1/.test(String(q.attributes['db.query.text'])))).toBe(true);
    // Redis commands by name only
    const redis = receiver.spans.filter((s) => (s.attributes['db.system.name'] ?? s.attributes['db.system']) === 'redis');
    expect(redis.length).toBeGreaterThan(0);
    for (const r of redis) expect(String(r.attributes['db.query.text'] ?? r.attributes['db.statement'])).toMatch(/^[a-z]+$/);
    // the jobs: otp-delivery produced by mfa-service, consumed by the notifier, which sends by SMTP inside it
    expect(spans.some((s) => s.service === 'notifier' && s.kind === 5 && s.name.includes('otp-delivery'))).toBe(true);
    const smtpSpan = spans.find((s) => s.service === 'notifier' && s.name === 'smtp send');
    expect(smtpSpan).toBeDefined();
    expect(spans.find((s) => s.spanId === smtpSpan!.parentSpanId)?.service).toBe('notifier');
    // and the result back to mfa-service
    expect(spans.some((s) => s.service === 'mfa-service' && s.kind === 5 && s.name.includes('delivery-results'))).toBe(true);

    // the pool's heartbeats (every 250 ms) are not traced
    expect(receiver.spans.filter((s) => /mfa\.v1\.(heartbeat|ping)/.test(s.name))).toEqual([]);

    // no secret in any attribute of any span received during the whole test (sign-in, challenge, completion)
    const sessionSecrets = Object.values(JSON.parse(web.cookieFallback ?? '{}') as Record<string, string>);
    expect(sessionSecrets.length).toBeGreaterThan(0);
    const dump = receiver.rawAttributes.join('\n');
    expect(receiver.spans.length).toBeGreaterThan(20);
    expect(
      leakedSecrets(dump, [email, code!, password, querySecret, stack.apiKey, ...sessionSecrets, stack.env.MFA_RPC_KEY].filter(Boolean)),
    ).toEqual([]);
    // no query string and no SQL parameter values recorded
    for (const s of receiver.spans) {
      for (const key of ['http.url', 'http.target', 'url.full', 'url.path']) {
        if (typeof s.attributes[key] === 'string') expect(s.attributes[key]).not.toContain('?');
      }
      expect(Object.keys(s.attributes).filter((k) => k.startsWith('db.statement.parameters') || k === 'url.query')).toEqual([]);
    }
  }, 90_000);
});
