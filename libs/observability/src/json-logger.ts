import type { LoggerService } from '@nestjs/common';
import { redact, redactText } from './redact';
import { requestContext } from './request-context';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
const ORDER: Record<LogLevel, number> = { fatal: 60, error: 50, warn: 40, info: 30, debug: 20, trace: 10 };

export interface LogSink {
  write(line: string): void;
}

/**
 * Structured JSON logs, one object a line: time, level, service, context, request id, message and
 * redacted fields. Implements Nest's LoggerService so the framework logs through it too.
 */
export class JsonLogger implements LoggerService {
  private readonly threshold: number;

  constructor(
    private readonly service: string,
    level: LogLevel = 'info',
    private readonly sink: LogSink = process.stdout,
    private readonly bindings: Record<string, unknown> = {},
  ) {
    this.threshold = ORDER[level];
  }

  child(bindings: Record<string, unknown>): JsonLogger {
    const lvl = (Object.keys(ORDER) as LogLevel[]).find((l) => ORDER[l] === this.threshold) ?? 'info';
    return new JsonLogger(this.service, lvl, this.sink, { ...this.bindings, ...bindings });
  }

  isEnabled(level: LogLevel): boolean {
    return ORDER[level] >= this.threshold;
  }

  emit(level: LogLevel, message: unknown, fields?: Record<string, unknown>, context?: string): void {
    if (!this.isEnabled(level)) return;
    const entry: Record<string, unknown> = {
      time: new Date().toISOString(),
      level,
      service: this.service,
      ...(context ? { context } : {}),
      ...this.bindings,
    };
    const reqId = requestContext.current()?.requestId;
    if (reqId) entry.reqId = reqId;
    if (message instanceof Error) {
      entry.msg = redactText(message.message);
      entry.err = redact(message);
    } else if (typeof message === 'object' && message !== null) {
      Object.assign(entry, redact(message) as object);
    } else {
      entry.msg = redactText(String(message));
    }
    if (fields) Object.assign(entry, redact(fields) as object);
    this.sink.write(`${JSON.stringify(entry)}\n`);
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
