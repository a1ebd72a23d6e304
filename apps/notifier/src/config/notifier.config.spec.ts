import { ConfigError } from '@twostep/config';
import { MAX_STALLED_COUNT } from '../workers/delivery-worker';
import { channelModes, DEVELOPMENT_SMTP_FROM, loadNotifierConfig, redeliveryBoundMs } from './notifier.config';

const KEY = Buffer.alloc(32, 7).toString('base64');
const SID = `AC${'a'.repeat(32)}`;

function problems(env: Record<string, string>): string[] {
  try {
    loadNotifierConfig({ QUEUE_ENCRYPTION_KEY: KEY, ...env });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('notifier config', () => {
  it('uses the outbox for unconfigured channels outside production, with a development sender', () => {
    const config = loadNotifierConfig({ QUEUE_ENCRYPTION_KEY: KEY });
    expect(channelModes(config)).toEqual({
      email: { kind: 'outbox', from: DEVELOPMENT_SMTP_FROM },
      sms: { kind: 'outbox', from: 'outbox' },
    });
  });

  it('disables unconfigured channels in production instead of using the outbox', () => {
    const config = loadNotifierConfig({ NODE_ENV: 'production', QUEUE_ENCRYPTION_KEY: KEY });
    expect(channelModes(config)).toEqual({ email: { kind: 'disabled' }, sms: { kind: 'disabled' } });
  });

  it('requires SMTP_FROM with SMTP_URL in production', () => {
    expect(problems({ NODE_ENV: 'production', SMTP_URL: 'smtps://u:p@mail.example.test:465' })).toEqual([
      'SMTP_FROM is required with SMTP_URL in production',
    ]);
    const config = loadNotifierConfig({
      NODE_ENV: 'production',
      QUEUE_ENCRYPTION_KEY: KEY,
      SMTP_URL: 'smtps://mail.example.test',
      SMTP_FROM: 'Acme <a@acme.test>',
    });
    expect(channelModes(config).email).toEqual({ kind: 'smtp', url: 'smtps://mail.example.test', from: 'Acme <a@acme.test>' });
  });

  it('rejects an SMTP_URL that is not smtp:// or smtps://, and a multi-line SMTP_FROM', () => {
    expect(problems({ SMTP_URL: 'http://mail.example.test' })).toEqual([expect.stringContaining('SMTP_URL must use smtp or smtps://')]);
    expect(problems({ SMTP_FROM: 'A <a@acme.test>\r\nBcc: x@y.test' })).toEqual([
      expect.stringContaining('SMTP_FROM has an invalid value'),
    ]);
  });

  it('requires the Twilio credentials together, and a sender or a messaging service', () => {
    expect(problems({ TWILIO_ACCOUNT_SID: SID })).toEqual([
      'TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are both required to send SMS',
      'TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID is required to send SMS',
    ]);
    expect(problems({ TWILIO_ACCOUNT_SID: 'XX123', TWILIO_AUTH_TOKEN: 'secret-token', TWILIO_FROM: '+14155550100' })).toEqual([
      expect.stringContaining('TWILIO_ACCOUNT_SID has an invalid value'),
    ]);
    const config = loadNotifierConfig({
      QUEUE_ENCRYPTION_KEY: KEY,
      TWILIO_ACCOUNT_SID: SID,
      TWILIO_AUTH_TOKEN: 'secret-token',
      TWILIO_FROM: '+14155550100',
      TWILIO_API_URL: 'http://127.0.0.1:9',
    });
    expect(channelModes(config).sms).toMatchObject({ kind: 'twilio', accountSid: SID, from: '+14155550100', apiUrl: 'http://127.0.0.1:9' });
  });

  it('takes an E.164 number or an alphanumeric sender id of up to 11 characters as TWILIO_FROM', () => {
    const twilio = { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 'secret-token' };
    for (const from of ['+14155550100', '+442071838750', 'Acme', 'Acme Login1'])
      expect(problems({ ...twilio, TWILIO_FROM: from })).toEqual([]);
    for (const from of ['+04155550100', '+141555', '14155550100x', 'Acme Login12', 'Acme-Login', '+1415555010012345']) {
      expect({ from, problems: problems({ ...twilio, TWILIO_FROM: from }) }).toEqual({
        from,
        problems: [expect.stringContaining('TWILIO_FROM has an invalid value')],
      });
    }
  });

  it('requires an explicit SMS_ALLOWED_COUNTRIES in production when Twilio is configured', () => {
    const twilio = { NODE_ENV: 'production', TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 'secret-token', TWILIO_FROM: '+14155550100' };
    expect(problems(twilio)).toEqual([expect.stringContaining('SMS_ALLOWED_COUNTRIES is required in production')]);
    expect(problems({ ...twilio, SMS_ALLOWED_COUNTRIES: 'US,GB' })).toEqual([]);
    expect(problems({ ...twilio, SMS_ALLOWED_COUNTRIES: '*' })).toEqual([]);
    expect(loadNotifierConfig({ QUEUE_ENCRYPTION_KEY: KEY }).SMS_ALLOWED_COUNTRIES).toEqual(['*']);
  });

  it('rejects malformed country lists', () => {
    expect(problems({ SMS_ALLOWED_COUNTRIES: 'USA' })).toEqual([expect.stringContaining('invalid entry "USA"')]);
    expect(problems({ SMS_ALLOWED_COUNTRIES: 'US,*' })).toEqual(['SMS_ALLOWED_COUNTRIES: * cannot be combined with country codes']);
  });

  it('keeps the provider timeout at most half the lock duration', () => {
    expect(problems({ PROVIDER_TIMEOUT_MS: '20000', WORKER_LOCK_DURATION_MS: '30000' })).toEqual([
      'PROVIDER_TIMEOUT_MS must be at most half of WORKER_LOCK_DURATION_MS',
    ]);
    expect(problems({ PROVIDER_TIMEOUT_MS: '1000', WORKER_LOCK_DURATION_MS: '2000' })).toEqual([]);
  });

  it("takes over a killed worker's job within 15 s by default, once at most", () => {
    const config = loadNotifierConfig({ QUEUE_ENCRYPTION_KEY: KEY });
    expect(redeliveryBoundMs(config)).toBeLessThanOrEqual(15_000);
    expect(config.PROVIDER_TIMEOUT_MS * 2).toBeLessThanOrEqual(config.WORKER_LOCK_DURATION_MS);
    expect(MAX_STALLED_COUNT).toBe(1);
  });

  it('waits SHUTDOWN_DRAIN_MS before stopping: 5000 ms in production, none in development and tests', () => {
    expect(loadNotifierConfig({ QUEUE_ENCRYPTION_KEY: KEY, NODE_ENV: 'production' }).SHUTDOWN_DRAIN_MS).toBe(5000);
    expect(loadNotifierConfig({ QUEUE_ENCRYPTION_KEY: KEY }).SHUTDOWN_DRAIN_MS).toBe(0);
    expect(loadNotifierConfig({ QUEUE_ENCRYPTION_KEY: KEY, SHUTDOWN_DRAIN_MS: '1500' }).SHUTDOWN_DRAIN_MS).toBe(1500);
  });

  it('requires the queue key in production', () => {
    expect(() => loadNotifierConfig({ NODE_ENV: 'production' })).toThrow(/QUEUE_ENCRYPTION_KEY is required in production/);
  });

  it('serves the development outbox only with NODE_ENV=development set explicitly and a loopback HEALTH_HOST', () => {
    expect(loadNotifierConfig({ QUEUE_ENCRYPTION_KEY: KEY }).devOutboxServed).toBe(false);
    expect(loadNotifierConfig({ QUEUE_ENCRYPTION_KEY: KEY, NODE_ENV: 'test' }).devOutboxServed).toBe(false);
    expect(loadNotifierConfig({ QUEUE_ENCRYPTION_KEY: KEY, NODE_ENV: 'development' }).devOutboxServed).toBe(true);
    expect(loadNotifierConfig({ QUEUE_ENCRYPTION_KEY: KEY, NODE_ENV: 'development', HEALTH_HOST: '::1' }).devOutboxServed).toBe(true);
    expect(loadNotifierConfig({ QUEUE_ENCRYPTION_KEY: KEY, NODE_ENV: 'development', HEALTH_HOST: '0.0.0.0' }).devOutboxServed).toBe(false);
    expect(loadNotifierConfig({ QUEUE_ENCRYPTION_KEY: KEY, NODE_ENV: 'development', HEALTH_HOST: '10.1.2.3' }).devOutboxServed).toBe(false);
  });

  it('defaults the SMS pumping caps: 10 per account a day, 30 per number range an hour', () => {
    const c = loadNotifierConfig({ QUEUE_ENCRYPTION_KEY: KEY });
    expect([c.SMS_ACCOUNT_DAILY_LIMIT, c.SMS_PREFIX_LIMIT, c.SMS_PREFIX_WINDOW_SECONDS, c.HEALTH_HOST]).toEqual([
      10,
      30,
      3600,
      '127.0.0.1',
    ]);
  });
});
