import {
  asSecret,
  commonSchema,
  ConfigOf,
  ConfigProblem,
  earlyEnv,
  env,
  Env,
  Field,
  isLoopbackHost,
  keyringField,
  loadConfig,
  shutdownDrainField,
} from '@twostep/config';
import { E164_PATTERN } from '@twostep/contracts';

/** Sender used in development when `SMTP_FROM` is not set (production requires it with `SMTP_URL`). */
export const DEVELOPMENT_SMTP_FROM = 'Twostep <no-reply@localhost>';

/** An optional URL restricted to some protocols (`undefined` when unset). */
function optionalUrl(protocols: string[]): Field<string | undefined> {
  const url = env.url({ protocols });
  return {
    parse(raw, name) {
      if (raw === undefined || raw.trim() === '') return undefined;
      return url.parse(raw, name);
    },
  };
}

/** An optional string that must match `pattern` (a RegExp or any `test`) when set. */
function optionalMatching(pattern: { test(value: string): boolean }, hint: string): Field<string | undefined> {
  return {
    parse(raw, name) {
      if (raw === undefined || raw.trim() === '') return undefined;
      const value = raw.trim();
      if (!pattern.test(value)) throw new ConfigProblem(`${name} has an invalid value (${hint})`);
      return value;
    },
  };
}

/** An alphanumeric SMS sender id (Twilio: up to 11 letters, digits and spaces). */
const ALPHANUMERIC_SENDER_ID = /^[A-Za-z0-9 ]{1,11}$/;

/** `Name <address>` or a bare address, one line. */
const MAIL_FROM = /^(?:[^\r\n<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/;

export function notifierSchema(source: Env) {
  const early = earlyEnv(source);
  const key = keyringField({ nodeEnvOf: () => early.nodeEnv, dataDirOf: () => early.dataDir });
  return {
    ...commonSchema,
    /** health, readiness, metrics (and, with NODE_ENV=development on loopback, the outbox reader `GET /dev/outbox?to=`) */
    HEALTH_PORT: env.port({ default: 3012 }),
    /** opens job payloads; the same key as the producers' */
    QUEUE_ENCRYPTION_KEY: key,

    /** SMTP relay: smtp://[user:pass@]host:port (STARTTLS when offered; `?requireTLS=true` to insist) or smtps:// (TLS) */
    SMTP_URL: asSecret(optionalUrl(['smtp', 'smtps'])),
    /** sender of every email: `Name <address>`; required with SMTP_URL in production */
    SMTP_FROM: env.string({ default: DEVELOPMENT_SMTP_FROM, pattern: MAIL_FROM, hint: 'Name <address@example.com> on one line' }),

    TWILIO_ACCOUNT_SID: optionalMatching(/^AC[0-9a-fA-F]{32}$/, 'AC followed by 32 hex characters'),
    TWILIO_AUTH_TOKEN: asSecret(optionalMatching(/^\S{8,}$/, 'the account auth token')),
    /** sender number in E.164 (+15551234567) or an alphanumeric sender id */
    TWILIO_FROM: optionalMatching(
      { test: (value) => E164_PATTERN.test(value) || ALPHANUMERIC_SENDER_ID.test(value) },
      'an E.164 number or an alphanumeric sender id of up to 11 characters',
    ),
    /** a messaging service instead of TWILIO_FROM */
    TWILIO_MESSAGING_SERVICE_SID: optionalMatching(/^MG[0-9a-fA-F]{32}$/, 'MG followed by 32 hex characters'),
    /** base URL the twilio SDK is pointed at instead of https://api.twilio.com (tests, egress proxies) */
    TWILIO_API_URL: optionalUrl(['http', 'https']),

    /** after SIGTERM: readiness false for this long before the workers stop taking jobs and finish the ones in hand */
    SHUTDOWN_DRAIN_MS: shutdownDrainField(early.nodeEnv),
    /** jobs each worker handles in parallel */
    OTP_DELIVERY_CONCURRENCY: env.int({ default: 10, min: 1, max: 500 }),
    SECURITY_NOTICES_CONCURRENCY: env.int({ default: 5, min: 1, max: 500 }),
    /**
     * how long a worker holds a job before another may take it over (renewed every half of it while alive).
     * A killed worker's job is taken over after at most lock + stalled interval (10 s + 3 s by default,
     * inside the 15 s budget; a code lives 10 minutes): see `redeliveryBoundMs`.
     */
    WORKER_LOCK_DURATION_MS: env.int({ default: 10_000, min: 1000, max: 600_000 }),
    /** how often a worker looks for jobs whose worker died (one cheap Lua script per queue and worker) */
    WORKER_STALLED_INTERVAL_MS: env.int({ default: 3_000, min: 500, max: 600_000 }),
    /** deadline of one provider call (SMTP transaction or Twilio request); at most half the lock duration */
    PROVIDER_TIMEOUT_MS: env.int({ default: 5_000, min: 100, max: 120_000 }),
    /** SMTP connections kept open to the relay (a new connection per message costs a handshake, often a greeting delay) */
    SMTP_POOL_SIZE: env.int({ default: 5, min: 1, max: 100 }),

    /** ISO 3166 regions SMS may go to (US,GB,FR) or * for all; required in production when Twilio is configured */
    SMS_ALLOWED_COUNTRIES: env.list({ default: ['*'], item: /^(?:[A-Za-z]{2}|\*)$/, hint: 'ISO 3166 alpha-2 codes such as US,GB or *' }),
    /** SMS per destination number per window */
    SMS_DESTINATION_LIMIT: env.int({ default: 10, min: 1, max: 100_000 }),
    SMS_DESTINATION_WINDOW_SECONDS: env.int({ default: 3600, min: 1, max: 7 * 24 * 3600 }),
    /** SMS per account per 24 hours (counted separately for verified and unverified numbers), 0 for no limit */
    SMS_ACCOUNT_DAILY_LIMIT: env.int({ default: 10, min: 0, max: 100_000 }),
    /** SMS per number range (the E.164 number without its last 4 digits) per window, 0 for no limit */
    SMS_PREFIX_LIMIT: env.int({ default: 30, min: 0, max: 1_000_000 }),
    SMS_PREFIX_WINDOW_SECONDS: env.int({ default: 3600, min: 1, max: 7 * 24 * 3600 }),
    /** SMS per destination country per window (verified and unverified numbers each have this budget), 0 for no limit */
    SMS_COUNTRY_LIMIT: env.int({ default: 1000, min: 0, max: 10_000_000 }),
    SMS_COUNTRY_WINDOW_SECONDS: env.int({ default: 3600, min: 1, max: 7 * 24 * 3600 }),
  };
}

export type NotifierConfig = ConfigOf<ReturnType<typeof notifierSchema>> & {
  /**
   * whether the health listener serves `GET /dev/outbox` (every code in the file outbox): only when
   * NODE_ENV=development is set explicitly (not merely defaulted) and HEALTH_HOST is a loopback address
   */
  readonly devOutboxServed: boolean;
};

/**
 * The longest a job waits, after its worker is killed mid-send, before another worker takes it: its lock
 * (last renewed just before the kill) must expire, then the next stalled-job check moves it back to wait.
 */
export function redeliveryBoundMs(config: Pick<NotifierConfig, 'WORKER_LOCK_DURATION_MS' | 'WORKER_STALLED_INTERVAL_MS'>): number {
  return config.WORKER_LOCK_DURATION_MS + config.WORKER_STALLED_INTERVAL_MS;
}

function isSet(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== '';
}

export function loadNotifierConfig(source: Env = process.env): NotifierConfig {
  const config = loadConfig(notifierSchema(source), source, (c, problem) => {
    const production = c.NODE_ENV === 'production';
    if (production && c.SMTP_URL && !isSet(source.SMTP_FROM)) problem('SMTP_FROM is required with SMTP_URL in production');

    const twilioSet = [c.TWILIO_ACCOUNT_SID, c.TWILIO_AUTH_TOKEN, c.TWILIO_FROM, c.TWILIO_MESSAGING_SERVICE_SID].some(
      (v) => v !== undefined,
    );
    if (twilioSet) {
      if (!c.TWILIO_ACCOUNT_SID || !c.TWILIO_AUTH_TOKEN) problem('TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are both required to send SMS');
      if (!c.TWILIO_FROM && !c.TWILIO_MESSAGING_SERVICE_SID) problem('TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID is required to send SMS');
      if (production && !isSet(source.SMS_ALLOWED_COUNTRIES)) {
        problem(
          'SMS_ALLOWED_COUNTRIES is required in production when Twilio is configured (ISO 3166 codes such as US,GB, or * to allow every country)',
        );
      }
    }
    if (c.SMS_ALLOWED_COUNTRIES.includes('*') && c.SMS_ALLOWED_COUNTRIES.length > 1)
      problem('SMS_ALLOWED_COUNTRIES: * cannot be combined with country codes');
    if (c.SMS_ALLOWED_COUNTRIES.length === 0) problem('SMS_ALLOWED_COUNTRIES must name at least one country, or *');
    if (c.PROVIDER_TIMEOUT_MS * 2 > c.WORKER_LOCK_DURATION_MS)
      problem('PROVIDER_TIMEOUT_MS must be at most half of WORKER_LOCK_DURATION_MS');
  });
  return { ...config, devOutboxServed: source.NODE_ENV?.trim() === 'development' && isLoopbackHost(config.HEALTH_HOST) };
}

/** How each channel delivers: a real provider, the development file outbox, or not at all. */
export type EmailMode = { kind: 'smtp'; url: string; from: string } | { kind: 'outbox'; from: string } | { kind: 'disabled' };
export type SmsMode =
  | { kind: 'twilio'; accountSid: string; authToken: string; from?: string; messagingServiceSid?: string; apiUrl?: string }
  | { kind: 'outbox'; from: string }
  | { kind: 'disabled' };

export interface ChannelModes {
  email: EmailMode;
  sms: SmsMode;
}

/** An unconfigured channel uses the outbox outside production and is disabled in production. */
export function channelModes(config: NotifierConfig): ChannelModes {
  const production = config.NODE_ENV === 'production';
  const email: EmailMode = config.SMTP_URL
    ? { kind: 'smtp', url: config.SMTP_URL, from: config.SMTP_FROM }
    : production
      ? { kind: 'disabled' }
      : { kind: 'outbox', from: config.SMTP_FROM };
  const sms: SmsMode =
    config.TWILIO_ACCOUNT_SID && config.TWILIO_AUTH_TOKEN
      ? {
          kind: 'twilio',
          accountSid: config.TWILIO_ACCOUNT_SID,
          authToken: config.TWILIO_AUTH_TOKEN,
          from: config.TWILIO_FROM,
          messagingServiceSid: config.TWILIO_MESSAGING_SERVICE_SID,
          apiUrl: config.TWILIO_API_URL,
        }
      : production
        ? { kind: 'disabled' }
        : { kind: 'outbox', from: config.TWILIO_FROM ?? 'outbox' };
  return { email, sms };
}

export const NOTIFIER_CONFIG = Symbol('NOTIFIER_CONFIG');
