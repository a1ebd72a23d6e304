import { JsonLogger, REDACT_PATHS } from './json-logger';
import { redact, redactText, REDACTED } from './redact';
import { requestContext } from './request-context';

function capture(level: 'info' | 'debug' = 'debug') {
  const lines: string[] = [];
  const logger = new JsonLogger('svc', level, { write: (l: string) => void lines.push(l) });
  return { logger, lines, parsed: () => lines.map((l) => JSON.parse(l)) };
}

describe('redaction', () => {
  it('removes values of keys that name secrets or personal data', () => {
    const out = redact({
      password: 'hunter22',
      otp: '123456',
      email: 'a@b.test',
      phone: '+15550100',
      headers: { authorization: 'Bearer x', cookie: 'a=b' },
      userId: 'u1',
      status: 200,
    }) as Record<string, unknown>;
    expect(out).toEqual({
      password: REDACTED,
      otp: REDACTED,
      email: REDACTED,
      phone: REDACTED,
      headers: { authorization: REDACTED, cookie: REDACTED },
      userId: 'u1',
      status: 200,
    });
  });

  it('scrubs emails, phone numbers, long tokens and codes out of free text', () => {
    const text = redactText(
      'sent 654321 to alice@example.com and +1 (555) 010-9999 with secret 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    );
    expect(text).not.toMatch(/654321|alice|555|9f86d0/);
  });

  it('keeps identifiers that are safe to log', () => {
    expect(redact({ sessionId: 'abc', challengeId: 'def', project: 'p1', type: 'user_invalid_token' })).toEqual({
      sessionId: 'abc',
      challengeId: 'def',
      project: 'p1',
      type: 'user_invalid_token',
    });
  });
});

describe('JsonLogger', () => {
  it('writes one JSON object a line with service, level, message and the request id', () => {
    const { logger, parsed } = capture();
    requestContext.run({ requestId: 'req-1' }, () => logger.info('hello', { route: '/v1/account' }));
    expect(parsed()[0]).toMatchObject({ level: 'info', service: 'svc', msg: 'hello', reqId: 'req-1', route: '/v1/account' });
  });

  it('drops messages below its level', () => {
    const { logger, lines } = capture('info');
    logger.debug('noise');
    logger.emit('debug', 'noise');
    expect(lines).toHaveLength(0);
  });

  it('redacts fields and error messages', () => {
    const { logger, lines } = capture();
    logger.emit('error', new Error('could not send 123456 to bob@example.com'), { password: 'p@ss' });
    expect(lines.join('')).not.toMatch(/123456|bob@example|p@ss/);
  });

  it('accepts Nest-style calls with a trailing context', () => {
    const { logger, parsed } = capture();
    logger.log('started', 'Bootstrap');
    expect(parsed()[0]).toMatchObject({ msg: 'started', context: 'Bootstrap' });
  });
});

describe('redaction keeps operational detail', () => {
  it('does not mistake IP addresses and ports for phone numbers', () => {
    expect(redactText('rpc=tcp://127.0.0.1:3001 peer 10.20.30.40')).toBe('rpc=tcp://127.0.0.1:3001 peer 10.20.30.40');
    expect(redactText('call +44 20 7946 0958 or (555) 010-9999')).not.toMatch(/7946|010-9999/);
  });
});

describe('JsonLogger on pino', () => {
  it('keeps the line format the dev stack and log shippers read: ISO time, level label, service, msg', () => {
    const { logger, parsed } = capture();
    logger.emit('warn', 'careful', { attempt: 2 });
    const line = parsed()[0];
    expect(line).toMatchObject({ level: 'warn', service: 'svc', msg: 'careful', attempt: 2 });
    expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(line).not.toHaveProperty('pid');
    expect(line).not.toHaveProperty('hostname');
  });

  it('redacts bindings given to a child logger and keeps the request id on its lines', () => {
    const { logger, lines, parsed } = capture();
    const child = logger.child({ job: 'otp-delivery', recipient: 'carol@example.com', to: '+15550100222' });
    requestContext.run({ requestId: 'req-9' }, () => child.info('sent', { code: '246810' }));
    expect(lines.join('')).not.toMatch(/carol@example|15550100222|246810/);
    expect(parsed()[0]).toMatchObject({ job: 'otp-delivery', reqId: 'req-9', msg: 'sent' });
  });

  it('censors sensitive keys at any depth, whatever the type of their value', () => {
    const { logger, parsed } = capture();
    logger.info('nested', { job: { data: 1, secret: { raw: [1, 2, 3] } }, headers: { authorization: ['Bearer abc'] } });
    const line = parsed()[0];
    expect(line.job.secret).toBe(REDACTED);
    expect(line.headers.authorization).toBe(REDACTED);
    expect(line.job.data).toBe(1);
  });

  it('pino redact paths censor top-level secrets and request headers', () => {
    expect(REDACT_PATHS).toEqual(
      expect.arrayContaining(['password', 'token', 'headers.authorization', 'headers.cookie', 'headers["x-appwrite-key"]']),
    );
    expect(REDACT_PATHS.some((p) => p.startsWith('*'))).toBe(false);
  });

  it('logs an error as name, scrubbed message and stack under err', () => {
    const { logger, parsed } = capture();
    logger.emit('error', new TypeError('no route to dave@example.com'));
    const line = parsed()[0];
    expect(line.msg).toBe(`no route to ${REDACTED}`);
    expect(line.err).toEqual({ name: 'TypeError', message: `no route to ${REDACTED}`, stack: expect.stringContaining('TypeError') });
  });

  it('child loggers share the level of their parent', () => {
    const { logger, lines } = capture('info');
    const child = logger.child({ part: 'x' });
    child.debug('hidden');
    expect(child.isEnabled('debug')).toBe(false);
    expect(lines).toHaveLength(0);
  });
});
