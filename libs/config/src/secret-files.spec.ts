import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commonSchema, keyringField, secretField, shutdownDrainField } from './common';
import { asSecret, ConfigError, env, loadConfig } from './env-schema';

const dir = mkdtempSync(join(tmpdir(), 'cfg-file-'));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const prod = { nodeEnvOf: () => 'production', dataDirOf: () => dir };
const KEY = Buffer.alloc(32, 9).toString('base64');

function problems(schema: Parameters<typeof loadConfig>[0], source: Record<string, string>): string[] {
  try {
    loadConfig(schema, source);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('<NAME>_FILE secrets', () => {
  const schema = {
    DATABASE_URL: asSecret(env.url({ protocols: ['postgres'] })),
    QUEUE_ENCRYPTION_KEY: keyringField(prod),
    APP_API_KEY: secretField(prod),
    REDIS_URL: commonSchema.REDIS_URL,
    PORT: env.port({ default: 3000 }),
  };

  it('reads every secret field from the file its _FILE variable names, trimmed of the trailing newline', () => {
    const c = loadConfig(schema, {
      DATABASE_URL_FILE: file('db', 'postgres://u:pw@db/x\n'),
      QUEUE_ENCRYPTION_KEY_FILE: file('queue', `${KEY}\n`),
      APP_API_KEY_FILE: file('api', `  ${'k'.repeat(40)}\r\n`),
      REDIS_URL_FILE: file('redis', 'redis://:pw@cache:6379\n'),
    });
    expect(c).toEqual({
      DATABASE_URL: 'postgres://u:pw@db/x',
      QUEUE_ENCRYPTION_KEY: KEY,
      APP_API_KEY: 'k'.repeat(40),
      REDIS_URL: 'redis://:pw@cache:6379',
      PORT: 3000,
    });
  });

  it('refuses a variable given both directly and as a file', () => {
    const found = problems(schema, {
      DATABASE_URL: 'postgres://a@b/c',
      DATABASE_URL_FILE: file('db2', 'postgres://u@db/x'),
      QUEUE_ENCRYPTION_KEY: KEY,
      APP_API_KEY: 'k'.repeat(40),
    });
    expect(found).toEqual(['DATABASE_URL and DATABASE_URL_FILE are both set; set only one of them']);
  });

  it('names the unreadable file without its contents', () => {
    const missing = join(dir, 'nope');
    const found = problems(schema, { DATABASE_URL: 'postgres://a@b/c', QUEUE_ENCRYPTION_KEY_FILE: missing, APP_API_KEY: 'k'.repeat(40) });
    expect(found).toEqual([`QUEUE_ENCRYPTION_KEY_FILE: cannot read ${missing} (ENOENT)`]);
  });

  it('validates a value from a file like a direct one, and ignores _FILE for fields that are not secrets', () => {
    expect(
      problems(schema, {
        DATABASE_URL: 'postgres://a@b/c',
        QUEUE_ENCRYPTION_KEY_FILE: file('short', 'abc\n'),
        APP_API_KEY: 'k'.repeat(40),
      }),
    ).toEqual([expect.stringMatching(/^QUEUE_ENCRYPTION_KEY must be 32 bytes/)]);
    expect(
      problems(schema, { DATABASE_URL: 'postgres://a@b/c', QUEUE_ENCRYPTION_KEY_FILE: file('empty', '\n'), APP_API_KEY: 'k'.repeat(40) }),
    ).toEqual([expect.stringMatching(/^QUEUE_ENCRYPTION_KEY is required in production/)]);
    const c = loadConfig(schema, {
      DATABASE_URL: 'postgres://a@b/c',
      QUEUE_ENCRYPTION_KEY: KEY,
      APP_API_KEY: 'k'.repeat(40),
      PORT_FILE: file('port', '4000'),
    });
    expect(c.PORT).toBe(3000);
  });
});

describe('SHUTDOWN_DRAIN_MS', () => {
  it('defaults to a 5 s drain in production and none in development or tests', () => {
    expect(shutdownDrainField('production').parse(undefined, 'SHUTDOWN_DRAIN_MS')).toBe(5000);
    expect(shutdownDrainField('development').parse(undefined, 'SHUTDOWN_DRAIN_MS')).toBe(0);
    expect(shutdownDrainField('test').parse(undefined, 'SHUTDOWN_DRAIN_MS')).toBe(0);
    expect(shutdownDrainField('production').parse('0', 'SHUTDOWN_DRAIN_MS')).toBe(0);
    expect(() => shutdownDrainField('production').parse('-1', 'SHUTDOWN_DRAIN_MS')).toThrow(/>= 0/);
  });
});
