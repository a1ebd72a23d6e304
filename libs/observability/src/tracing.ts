import {
  context,
  INVALID_SPAN_CONTEXT,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import type { IncomingMessage } from 'node:http';
import { otelBatchOptions, otelServiceNameSet, otelTracesProtocol, otelTracesRequested } from '@twostep/config';
import { redactText } from './redact';

/**
 * OpenTelemetry traces, configured only by the standard `OTEL_*` variables and OFF unless one of them asks
 * for an exporter: no SDK is loaded then, `@opentelemetry/api` stays a no-op (every span below is the
 * non-recording one and costs a function call).
 *
 * On: the Node SDK with the HTTP, Nest, pg and ioredis instrumentations, W3C trace context propagation,
 * the OTLP trace exporter (`OTEL_EXPORTER_OTLP_PROTOCOL` / `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`:
 * `http/protobuf`, the default, or `http/json`), the sampler from `OTEL_TRACES_SAMPLER(_ARG)`, and BullMQ's
 * own spans through bullmq-otel ({@link bullmqTelemetry}).
 *
 * Never recorded: SQL parameter values (the pg instrumentation keeps the parameterised text only), Redis
 * arguments (the command name only), URL query strings (`?secret=` on verification/recovery links), HTTP
 * headers and bodies, message recipients. As a last line, every string attribute goes through the log
 * scrubber (emails, phone numbers, long tokens, codes).
 */

const TRACER = '@twostep/observability';

interface Sdk {
  start(): void;
  shutdown(): Promise<void>;
}

let sdk: Sdk | undefined;
let bullmq: unknown;

/** Whether the environment asks for traces (see `otelTracesRequested` in @twostep/config). */
export const tracingRequested = otelTracesRequested;

export function tracingEnabled(): boolean {
  return sdk !== undefined;
}

/** `?…` and `#…` cut off a URL or target. */
export function stripQuery(url: string): string {
  const cut = url.search(/[?#]/);
  return cut < 0 ? url : url.slice(0, cut);
}

const URL_ATTRIBUTES = ['http.url', 'http.target', 'url.full', 'http.route'];
const DROPPED_ATTRIBUTES = ['url.query', 'url.fragment', 'db.statement.parameters', 'db.query.parameter'];

/** Scrubs one span's attributes in place before it ends (see the class below). Exported for its unit test. */
export function scrubAttributes(attributes: Record<string, unknown>): void {
  for (const name of Object.keys(attributes)) {
    const value = attributes[name];
    if (DROPPED_ATTRIBUTES.some((d) => name.startsWith(d))) {
      delete attributes[name];
    } else if (typeof value === 'string') {
      attributes[name] = redactText(URL_ATTRIBUTES.includes(name) ? stripQuery(value) : value);
    } else if (Array.isArray(value)) {
      attributes[name] = value.map((v: unknown) => (typeof v === 'string' ? redactText(v) : v));
    }
  }
}

/** Runs on every span as it ends, before any exporter sees it. */
class ScrubbingSpanProcessor {
  onStart(): void {}
  onEnding(span: { attributes?: Record<string, unknown> }): void {
    if (span.attributes) scrubAttributes(span.attributes);
  }
  onEnd(): void {}
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const IGNORED_INCOMING = /^\/(health|ready|live|metrics)(\/|$|\?)/;

/**
 * Starts tracing for `serviceName` (OTEL_SERVICE_NAME, when set, wins) if the environment asks for it.
 * Call it FIRST in main.ts, before Nest, pg, ioredis or bullmq are loaded: the instrumentations patch
 * those modules when they are required. Returns whether tracing is on.
 */
export function startTracing(serviceName: string): boolean {
  if (sdk || !tracingRequested()) return sdk !== undefined;
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on (near-zero cost off) */
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace') as typeof import('@opentelemetry/sdk-trace');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { NestInstrumentation } =
    require('@opentelemetry/instrumentation-nestjs-core') as typeof import('@opentelemetry/instrumentation-nestjs-core');
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { IORedisInstrumentation } =
    require('@opentelemetry/instrumentation-ioredis') as typeof import('@opentelemetry/instrumentation-ioredis');
  const protocol = otelTracesProtocol();
  const { OTLPTraceExporter } =
    protocol === 'http/json'
      ? (require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http'))
      : (require('@opentelemetry/exporter-trace-otlp-proto') as typeof import('@opentelemetry/exporter-trace-otlp-proto'));
  /* eslint-enable @typescript-eslint/no-require-imports */
  if (protocol !== 'http/json' && protocol !== 'http/protobuf') {
    process.stderr.write(`${serviceName}: OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not supported, using http/protobuf\n`);
  }
  const instance = new NodeSDK({
    serviceName: otelServiceNameSet() ? undefined : serviceName,
    // traces only: metrics stay on the Prometheus endpoint, logs on stdout
    metricReaders: [],
    logRecordProcessors: [],
    // endpoint, headers, timeout come from OTEL_EXPORTER_OTLP_(TRACES_)*; batch sizes from OTEL_BSP_*
    spanProcessors: [new ScrubbingSpanProcessor(), new BatchSpanProcessor({ exporter: new OTLPTraceExporter(), ...otelBatchOptions() })],
    instrumentations: [
      // no headers recorded; URL attributes lose their query string in the scrubbing processor
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req: IncomingMessage) => IGNORED_INCOMING.test(req.url ?? '') }),
      new NestInstrumentation(),
      new PgInstrumentation({
        requireParentSpan: true,
        enhancedDatabaseReporting: false,
        addSqlCommenterCommentToQueries: false,
        // a span per statement, not per pool checkout (half the pg spans, no information lost)
        ignoreConnectSpans: true,
      }),
      // the command name only: arguments carry keys derived from emails, codes' hashes, sealed payloads
      new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: (command: string) => command }),
    ],
  }) as Sdk;
  instance.start();
  sdk = instance;
  return true;
}

/** Flushes and stops the SDK (graceful shutdown); a no-op when tracing is off. Never throws. */
export async function shutdownTracing(timeoutMs = 5000): Promise<void> {
  const current = sdk;
  if (!current) return;
  sdk = undefined;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    current.shutdown().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    }),
  ]);
  if (timer) clearTimeout(timer);
}

/**
 * BullMQ's `telemetry` option (Queue and Worker): `add` and `process` spans, with the trace context carried
 * in the job's options, so a job's processing joins the trace of the request that queued it. Undefined
 * when tracing is off (BullMQ then does no telemetry work at all).
 */
export function bullmqTelemetry(): import('bullmq').Telemetry | undefined {
  if (!sdk) return undefined;
  if (!bullmq) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- only when tracing is on
    const { BullMQOtel } = require('bullmq-otel') as typeof import('bullmq-otel');
    bullmq = new BullMQOtel({ tracerName: 'bullmq', enableMetrics: false });
  }
  return bullmq as import('bullmq').Telemetry;
}

/** W3C trace context of the active span (`traceparent`, `tracestate`), to put into a message; `{}` when off. */
export function traceCarrier(ctx: Context = context.active()): { traceparent?: string; tracestate?: string } {
  const carrier: { traceparent?: string; tracestate?: string } = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

/** The context a received message's `traceparent`/`tracestate` describe (the active one when absent). */
export function contextFromCarrier(carrier: { traceparent?: unknown; tracestate?: unknown }): Context {
  const c: Record<string, string> = {};
  if (typeof carrier.traceparent === 'string' && carrier.traceparent.length <= 128) c.traceparent = carrier.traceparent;
  if (typeof carrier.tracestate === 'string' && carrier.tracestate.length <= 512) c.tracestate = carrier.tracestate;
  return c.traceparent ? propagation.extract(context.active(), c) : context.active();
}

/** A span that records nothing (for calls that are never traced). */
export const INVALID_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** Starts a span (non-recording when tracing is off). */
export function startSpan(name: string, kind: SpanKind, attributes?: Attributes, parent?: Context): Span {
  return trace.getTracer(TRACER).startSpan(name, { kind, attributes }, parent ?? context.active());
}

/** Runs `fn` with `span` active, in `parent` (default: the active context), for a span ended elsewhere. */
export function withActiveSpan<T>(parent: Context | undefined, span: Span, fn: () => T): T {
  return context.with(trace.setSpan(parent ?? context.active(), span), fn);
}

/**
 * Runs `fn` in a new span that ends when it settles (status ERROR on a throw, with the error's name only:
 * messages can carry provider text). For calls no instrumentation covers (SMTP, a provider SDK).
 */
export async function withSpan<T>(name: string, kind: SpanKind, attributes: Attributes, fn: (span: Span) => Promise<T>): Promise<T> {
  if (!sdk) return fn(INVALID_SPAN);
  const span = startSpan(name, kind, attributes);
  try {
    return await context.with(trace.setSpan(context.active(), span), () => fn(span));
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' });
    throw error;
  } finally {
    span.end();
  }
}

/** trace_id/span_id of the active span, for a log line; undefined outside a sampled span. */
export function activeTraceIds(): { trace_id: string; span_id: string } | undefined {
  if (!sdk) return undefined;
  const sc = trace.getActiveSpan()?.spanContext();
  if (!sc || !trace.isSpanContextValid(sc)) return undefined;
  return { trace_id: sc.traceId, span_id: sc.spanId };
}

export { SpanKind, SpanStatusCode };
export type { Span };
