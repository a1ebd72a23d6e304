import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, AppwriteErrorBody, ERROR_CATALOG, ErrorType } from '@twostep/contracts';
import { JsonLogger } from '@twostep/observability';
import { isInfrastructureFailure, LOGGER, serviceUnavailable } from '@twostep/platform';
import { AUTH_API_CONFIG, AuthApiConfig } from '../config/auth-api.config';

/** Fastify's own errors, by code, and what Appwrite clients should see for them. */
const FASTIFY_ERRORS: Record<string, { type: ErrorType; status: number; message?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { type: 'general_payload_too_large', status: 413 },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { type: 'general_unsupported_media_type', status: 415 },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { type: 'general_bad_request', status: 400, message: 'Invalid Content-Length.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { type: 'general_bad_request', status: 400, message: 'Request body is empty.' },
  FST_ERR_CTP_INVALID_JSON_BODY: { type: 'general_bad_request', status: 400, message: 'Request body is not valid JSON.' },
};

export function errorBody(type: ErrorType, message: string, version: string, code: number = ERROR_CATALOG[type].code): AppwriteErrorBody {
  return { message, code, type, version };
}

/**
 * The one place errors become HTTP: always `{message, code, type, version}` as application/json,
 * never a stack, SQL or host detail in the body.
 */
@Catch()
export class AppwriteExceptionFilter implements ExceptionFilter {
  constructor(
    @Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig,
    @Inject(LOGGER) private readonly logger: JsonLogger,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const { status, body, retryAfter } = this.map(exception, request);
    if (status >= 500) {
      this.logger.emit('error', exception instanceof Error ? exception : new Error(String(exception)), {
        method: request?.method,
        route: request?.routeOptions?.url,
        status,
      });
    }
    if (retryAfter !== undefined) reply.header('Retry-After', String(retryAfter));
    reply.status(status).header('content-type', 'application/json').send(JSON.stringify(body));
  }

  private map(exception: unknown, request: FastifyRequest | undefined): { status: number; body: AppwriteErrorBody; retryAfter?: number } {
    const v = this.config.APP_VERSION;
    if (exception instanceof AppError) {
      return { status: exception.code, body: errorBody(exception.type, exception.message, v), retryAfter: exception.retryAfterSeconds };
    }
    const code = (exception as { code?: unknown })?.code;
    if (typeof code === 'string' && FASTIFY_ERRORS[code]) {
      const m = FASTIFY_ERRORS[code];
      return { status: m.status, body: errorBody(m.type, m.message ?? ERROR_CATALOG[m.type].message, v, m.status) };
    }
    if (exception instanceof SyntaxError || (exception as { statusCode?: number })?.statusCode === 400) {
      return { status: 400, body: errorBody('general_bad_request', 'Request body is not valid JSON.', v) };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status === 404) {
        return { status, body: errorBody('general_route_not_found', ERROR_CATALOG.general_route_not_found.message, v) };
      }
      if (status === 413)
        return { status, body: errorBody('general_payload_too_large', ERROR_CATALOG.general_payload_too_large.message, v, 413) };
      if (status === 415)
        return { status, body: errorBody('general_unsupported_media_type', ERROR_CATALOG.general_unsupported_media_type.message, v, 415) };
      if (status < 500) return { status, body: errorBody('general_bad_request', ERROR_CATALOG.general_bad_request.message, v, status) };
    }
    void request;
    // Postgres/Redis/network down: "retry later", by the rule mfa-service's RPC filter applies too
    if (isInfrastructureFailure(exception)) {
      const unavailable = serviceUnavailable();
      return {
        status: unavailable.code,
        body: errorBody(unavailable.type, unavailable.message, v),
        retryAfter: unavailable.retryAfterSeconds,
      };
    }
    return { status: 500, body: errorBody('general_unknown', 'Server Error', v) };
  }
}
