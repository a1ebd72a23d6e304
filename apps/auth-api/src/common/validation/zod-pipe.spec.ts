import { AppError, createChallengeBody, httpRequests, listQuery, listUsersQuery, qrQuery, updateNameBody } from '@twostep/contracts';
import { z } from 'zod';
import { normaliseInput, parseRequest, ZodPipe } from './zod-pipe';

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

/** A query object as Fastify's parser builds it: its prototype is an empty object without Object.prototype. */
function fastifyQuery(values: Record<string, string>): Record<string, unknown> {
  const query = Object.create(Object.create(null) as object) as Record<string, unknown>;
  Object.assign(query, values);
  return query;
}

describe('ZodPipe (the HTTP validation pipe)', () => {
  const body = z.object({ otp: z.string(), name: z.string().optional().default('dflt') });

  it('names a missing required param the way Appwrite does, and treats null like a missing param', () => {
    for (const input of [{}, { otp: null }, undefined, ['a'], 'text']) {
      const e = errorOf(() => new ZodPipe(body).transform(input));
      expect(e.type).toBe('general_argument_invalid');
      expect(e.code).toBe(400);
      expect(e.message).toBe('Param "otp" is not optional.');
    }
    expect(new ZodPipe(body).transform({ otp: 'x', name: null })).toEqual({ otp: 'x', name: 'dflt' });
  });

  it("names an invalid param with the rule's description", () => {
    expect(errorOf(() => parseRequest(updateNameBody, { name: 'a\r\nBcc: evil@y.test' })).message).toBe(
      'Invalid `name` param: Value must be a valid string and no longer than 128 chars',
    );
    expect(errorOf(() => parseRequest(updateNameBody, { name: 42 })).message).toBe(
      'Invalid `name` param: Value must be a valid string and no longer than 128 chars',
    );
    expect(errorOf(() => parseRequest(httpRequests['POST /v1/account/jwts'].body, { duration: 3601 })).message).toBe(
      'Invalid `duration` param: Value must be a valid range between 0 and 3600',
    );
  });

  it('drops unknown fields instead of passing them on (no mass assignment)', () => {
    const out = parseRequest(updateNameBody, { name: 'x', mfa: true, emailVerification: true, userId: 'evil' });
    expect(out).toEqual({ name: 'x' });
    expect(Object.keys(out)).toEqual(['name']);
  });

  it('reads only own properties, never the prototype chain', () => {
    const input = Object.create({ name: 'inherited' }) as Record<string, unknown>;
    expect(errorOf(() => parseRequest(updateNameBody, input)).message).toBe('Param "name" is not optional.');
    expect(Object.getPrototypeOf(normaliseInput(JSON.parse('{"__proto__": {"x": 1}}')))).toBeNull();
  });

  it('answers a case-insensitive factor in its canonical spelling', () => {
    expect(parseRequest(createChallengeBody, { factor: 'recoverycode' })).toEqual({ factor: 'recoveryCode' });
    expect(errorOf(() => parseRequest(createChallengeBody, { factor: 'sms' })).message).toBe(
      'Invalid `factor` param: Value must be one of (totp, email, phone, recoverycode)',
    );
  });

  it('reads a query object built by Fastify (no Object prototype), so `search` is not lost', () => {
    expect(parseRequest(listUsersQuery, fastifyQuery({ search: 'alice' }))).toEqual({ queries: { limit: 25, offset: 0 }, search: 'alice' });
    expect(parseRequest(qrQuery, fastifyQuery({ text: 'otpauth://x', size: '200', download: '1' }))).toEqual({
      text: 'otpauth://x',
      size: 200,
      margin: 1,
      download: true,
    });
  });
});

describe('list queries (node-appwrite 27 `queries[N]`)', () => {
  it('defaults to 25 from the start', () => {
    expect(parseRequest(listQuery, fastifyQuery({}))).toEqual({ queries: { limit: 25, offset: 0 } });
  });

  it('reads limit and offset in the JSON query format the SDK flattens into the query string', () => {
    expect(
      parseRequest(
        listQuery,
        fastifyQuery({ 'queries[0]': '{"method":"limit","values":[5]}', 'queries[1]': '{"method":"offset","values":[10]}' }),
      ),
    ).toEqual({ queries: { limit: 5, offset: 10 } });
    expect(parseRequest(listQuery, fastifyQuery({ queries: '{"method":"limit","values":[7]}' }))).toEqual({
      queries: { limit: 7, offset: 0 },
    });
  });

  it('refuses unsupported, malformed or out-of-range queries with 400', () => {
    const cases: Array<[string, string]> = [
      ['{"method":"equal","attribute":"email","values":["a"]}', 'Invalid `queries` param: Invalid query: equal is not supported'],
      ['nope', 'Invalid `queries` param: Invalid query: Syntax error'],
      ['{"method":"limit","values":[0]}', 'Invalid `queries` param: Invalid query: limit is not supported'],
      ['{"method":"limit","values":["5"]}', 'Invalid `queries` param: Invalid query: limit is not supported'],
    ];
    for (const [q, message] of cases) {
      const e = errorOf(() => parseRequest(listQuery, fastifyQuery({ 'queries[0]': q })));
      expect({ q, type: e.type, message: e.message }).toEqual({ q, type: 'general_argument_invalid', message });
    }
  });
});
