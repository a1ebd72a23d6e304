import type { ArgumentsHost } from '@nestjs/common';
import { NotFoundException } from '@nestjs/common';
import { AppError } from '@twostep/contracts';
import { JsonLogger } from '@twostep/observability';
import { QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import type { AuthApiConfig } from '../config/auth-api.config';
import { AppwriteExceptionFilter } from './appwrite-exception.filter';

function run(exception: unknown) {
  const sent: { status?: number; headers: Record<string, string>; body?: string } = { headers: {} };
  const reply = {
    status(code: number) {
      sent.status = code;
      return reply;
    },
    header(name: string, value: string) {
      sent.headers[name.toLowerCase()] = value;
      return reply;
    },
    send(body: string) {
      sent.body = body;
      return reply;
    },
  };
  const host = {
    switchToHttp: () => ({ getResponse: () => reply, getRequest: () => ({ method: 'GET', routeOptions: { url: '/v1/x' } }) }),
  } as unknown as ArgumentsHost;
  const lines: string[] = [];
  const filter = new AppwriteExceptionFilter(
    { APP_VERSION: '1.9.6' } as AuthApiConfig,
    new JsonLogger('test', 'debug', { write: (l: string) => void lines.push(l) }),
  );
  filter.catch(exception, host);
  return { ...sent, json: JSON.parse(sent.body ?? '{}') as Record<string, unknown>, lines };
}

describe('AppwriteExceptionFilter', () => {
  it('turns an AppError into {message, code, type, version} with its status and Retry-After', () => {
    const out = run(new AppError('general_rate_limit_exceeded', undefined, { retryAfterSeconds: 30 }));
    expect(out.status).toBe(429);
    expect(out.headers['content-type']).toBe('application/json');
    expect(out.headers['retry-after']).toBe('30');
    expect(out.json).toEqual({ message: expect.any(String), code: 429, type: 'general_rate_limit_exceeded', version: '1.9.6' });
  });

  it('maps Fastify body errors to 413, 415 and 400', () => {
    expect(run(Object.assign(new Error('too large'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE' })).json).toMatchObject({
      code: 413,
      type: 'general_payload_too_large',
    });
    expect(run(Object.assign(new Error('bad type'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' })).json).toMatchObject({
      code: 415,
      type: 'general_unsupported_media_type',
    });
    expect(run(Object.assign(new SyntaxError('Unexpected token'), { statusCode: 400 })).json).toMatchObject({
      code: 400,
      type: 'general_bad_request',
    });
    expect(run(new NotFoundException()).json).toMatchObject({ code: 404, type: 'general_route_not_found' });
  });

  it('answers 503 with Retry-After when Postgres is unreachable or refuses connections', () => {
    for (const e of [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      new Error('timeout exceeded when trying to connect'),
      Object.assign(new Error('the database system is shutting down'), { code: '57P03' }),
    ]) {
      const out = run(e);
      expect(out.status).toBe(503);
      expect(out.headers['retry-after']).toBe('1');
      expect(out.json).toMatchObject({ type: 'general_service_unavailable' });
    }
  });

  it('answers 503, never 500, when a terminated Postgres backend leaves TypeORM with a released query runner', () => {
    for (const e of [
      new QueryRunnerProviderAlreadyReleasedError(),
      new QueryRunnerAlreadyReleasedError(),
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      new Error('Connection terminated unexpectedly'),
    ]) {
      const out = run(e);
      expect(out.status).toBe(503);
      expect(out.json).toMatchObject({ type: 'general_service_unavailable' });
    }
  });

  it('hides the detail of unexpected errors: 500 "Server Error" with no stack, SQL or host in the body', () => {
    const out = run(new Error('relation "users" does not exist at db.internal:5432 SELECT password_hash FROM users'));
    expect(out.status).toBe(500);
    expect(out.json).toEqual({ message: 'Server Error', code: 500, type: 'general_unknown', version: '1.9.6' });
    expect(out.body).not.toMatch(/relation|SELECT|db\.internal|at /);
    expect(out.lines.length).toBe(1);
  });
});
