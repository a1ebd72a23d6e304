import { DeliveryError } from '../delivery/delivery-error';
import { classifySmtpError, classifyTwilioError, parseRetryAfter, ProviderTimeoutError, withDeadline } from './failure-classifier';

function smtpError(code: string, responseCode?: number): Error {
  return Object.assign(new Error('550 5.1.1 <bob@example.test>: mailbox unavailable'), { code, responseCode });
}

function restException(status: number, code?: number): Error {
  return Object.assign(new Error("The 'To' number +14155550100 is not a valid phone number."), { status, code });
}

describe('classifySmtpError', () => {
  it.each([
    ['EAUTH', 535, 'provider_auth', true],
    ['EAUTH', undefined, 'provider_auth', true],
    ['EMESSAGE', 554, 'provider_rejected', true],
    ['EENVELOPE', 550, 'invalid_destination', true],
    ['EMESSAGE', 421, 'rate_limited', false],
    ['EMESSAGE', 451, 'rate_limited', false],
    ['EMESSAGE', 441, 'transient', false],
    ['ECONNECTION', undefined, 'transient', false],
    ['ETIMEDOUT', undefined, 'transient', false],
    ['ESOCKET', undefined, 'transient', false],
  ])('classifies %s %s as %s (permanent: %s)', (code, responseCode, reason, permanent) => {
    const error = classifySmtpError(smtpError(code, responseCode));
    expect(error).toBeInstanceOf(DeliveryError);
    expect({ reason: error.reason, permanent: error.permanent }).toEqual({ reason, permanent });
  });

  it('keeps the provider message (which echoes the address) out of the classified error', () => {
    const error = classifySmtpError(smtpError('EENVELOPE', 550));
    expect(error.message).toBe('permanent failure: invalid_destination (smtp 550)');
    expect(error.message).not.toContain('bob@example.test');
  });

  it('treats our own deadline as transient', () => {
    expect(classifySmtpError(new ProviderTimeoutError(100))).toMatchObject({ reason: 'transient', permanent: false });
  });
});

describe('classifyTwilioError', () => {
  it.each([
    [400, 21211, 'invalid_destination'],
    [400, 21610, 'unsubscribed'],
    [400, 21408, 'unreachable'],
    [401, 20003, 'provider_auth'],
    [400, 21999, 'provider_rejected'],
    [403, undefined, 'provider_auth'],
  ])('classifies HTTP %i Twilio %s as permanent %s', (status, code, reason) => {
    expect(classifyTwilioError(restException(status, code))).toMatchObject({ reason, permanent: true });
  });

  it.each([
    [429, 20429, 'rate_limited'],
    [429, undefined, 'rate_limited'],
    [500, 20500, 'transient'],
    [503, undefined, 'transient'],
  ])('classifies HTTP %i Twilio %s as transient %s', (status, code, reason) => {
    expect(classifyTwilioError(restException(status, code))).toMatchObject({ reason, permanent: false });
  });

  it('carries Retry-After (seconds) on rate limiting', () => {
    expect(classifyTwilioError(restException(429, 20429), '3').retryAfterMs).toBe(3000);
  });

  it('treats network errors and unknown errors as transient, naming only the error code', () => {
    const refused = classifyTwilioError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    expect(refused).toMatchObject({ reason: 'transient', permanent: false, detail: 'twilio ECONNREFUSED' });
    expect(classifyTwilioError(new TypeError('boom +14155550100')).message).toBe('transient failure: transient (twilio TypeError)');
  });

  it('never copies the provider message into the classified error', () => {
    expect(classifyTwilioError(restException(400, 21211)).message).toBe('permanent failure: invalid_destination (twilio 21211)');
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and caps long waits at 5 minutes', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(['1.5'])).toBe(1500);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter('86400')).toBe(300_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe('withDeadline', () => {
  it('rejects with ProviderTimeoutError and aborts the work when the deadline passes', async () => {
    let aborted = false;
    const work = (signal: AbortSignal) =>
      new Promise<never>(() => {
        signal.addEventListener('abort', () => (aborted = true));
      });
    await expect(withDeadline(20, work)).rejects.toBeInstanceOf(ProviderTimeoutError);
    expect(aborted).toBe(true);
  });

  it('returns the result of work that finishes in time', async () => {
    await expect(withDeadline(1000, async () => 'ok')).resolves.toBe('ok');
  });
});
