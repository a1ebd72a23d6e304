import type { LoggerService } from '@nestjs/common';
import pino, { type Logger as PinoLogger } from 'pino';
import { redact, redactText, REDACTED } from './redact';
import { requestContext } from './request-context';
import { activeTraceIds } from './tracing';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

export interface LogSink {
  write(line: string): void;
}

/**
 * Keys whose values never reach a log line, as pino `redact` paths: top-level fields and request headers.
 * The value scrubber (`redact`/`redactText`) runs on every field first: it catches sensitive keys at any
 * depth (a key pattern, which paths cannot express) and scrubs emails, phone numbers, tokens and codes out
 * of free text. Wildcard paths (`*.key`) would repeat what the scrubber does at about ten times the cost
 * of a line, so there are none.
 */
const SENSITIVE_KEYS = [
  'password',
  'secret',
  'token',
  'otp',
  'code',
  'cookie',
  'authorization',
  'apiKey',
  'api_key',
  'email',
  'phone',
  'destination',
  'recipient',
  'to',
  'from',
  'url',
  'sealed',
  'ct',
  'key',
  '["x-appwrite-key"]',
];
export const REDACT_PATHS: readonly string[] = [
  ...SENSITIVE_KEYS,
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  'headers["x-appwrite-key"]',
  'headers["x-appwrite-session"]',
  'headers["x-fallback-cookies"]',
];

/**
 * Structured JSON logs on pino, one object a line: time (ISO), level (label), service, context, request id
 * (`reqId`, from the async request context), `trace_id`/`span_id` of the active span when tracing is on, message (`msg`) and redacted fields. Implements Nest's
 * LoggerService so the framework logs through it too. The sink is injectable so test harnesses can capture
 * lines; by default lines go synchronously to stdout.
 */
export class JsonLogger implements LoggerService {
  private readonly pino: PinoLogger;

  /** `parent` is for `child()`: the new logger shares the parent's pino instance, level and sink. */
  constructor(service: string, level: LogLevel = 'info', sink?: LogSink, parent?: PinoLogger) {
    this.pino =
      parent ??
      pino(
        {
          level,
          base: { service },
          messageKey: 'msg',
          timestamp: () => `,"time":"${new Date().toISOString()}"`,
          formatters: { level: (label) => ({ level: label }) },
          mixin: () => {
            const reqId = requestContext.current()?.requestId;
            // trace_id/span_id of the active span when tracing is on (nothing, at no cost, when off)
            const ids = activeTraceIds();
            if (ids) return reqId ? { reqId, ...ids } : ids;
            return reqId ? { reqId } : {};
          },
          redact: { paths: [...REDACT_PATHS], censor: REDACTED },
          // errors reach pino already scrubbed (a plain {name, message, stack}); pino's own err serializer
          // would only add a misleading `type: "Object"`
          serializers: { err: (err: unknown) => err },
        },
        sink ?? pino.destination({ dest: 1, sync: true }),
      );
  }

  /** A logger whose lines all carry `bindings` (redacted like any other field). */
  child(bindings: Record<string, unknown>): JsonLogger {
    return new JsonLogger('', 'info', undefined, this.pino.child(redact(bindings) as Record<string, unknown>));
  }

  isEnabled(level: LogLevel): boolean {
    return this.pino.isLevelEnabled(level);
  }

  emit(level: LogLevel, message: unknown, fields?: Record<string, unknown>, context?: string): void {
    if (!this.isEnabled(level)) return;
    const entry: Record<string, unknown> = context ? { context } : {};
    let msg: string | undefined;
    if (message instanceof Error) {
      msg = redactText(message.message);
      entry.err = redact(message);
    } else if (typeof message === 'object' && message !== null) {
      Object.assign(entry, redact(message) as object);
    } else {
      msg = redactText(String(message));
    }
    if (fields) Object.assign(entry, redact(fields) as object);
    if (msg === undefined) this.pino[level](entry);
    else this.pino[level](entry, msg);
  }

  // Nest LoggerService: (message, ...optionalParams) where the last string param is the context.
  private nest(level: LogLevel, message: unknown, params: unknown[]): void {
    let context: string | undefined;
    const rest = [...params];
    if (typeof rest[rest.length - 1] === 'string') context = rest.pop() as string;
    let fields: Record<string, unknown> | undefined;
    if (level === 'error' && typeof rest[0] === 'string' && rest[0].includes('\n')) {
      fields = { stack: rest.shift() };
    }
    if (rest.length > 0) fields = { ...(fields ?? {}), extra: rest };
    this.emit(level, message, fields, context);
  }

  log(message: unknown, ...params: unknown[]): void {
    this.nest('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.nest('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.nest('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.nest('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.nest('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.nest('fatal', message, params);
  }

  info(message: string, fields?: Record<string, unknown>): void {
    this.emit('info', message, fields);
  }
}
