import { ConfigError, env, loadConfig } from './env-schema';
import { keyringField, secretField } from './common';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('loadConfig', () => {
  const schema = {
    PORT: env.port({ default: 3000 }),
    DATABASE_URL: env.url({ protocols: ['postgres', 'postgresql'] }),
    LEVEL: env.oneOf(['info', 'debug'] as const, { default: 'info' }),
    FLAG: env.bool({ default: false }),
    ORIGINS: env.list({ default: [], item: /^https?:\/\/\S+$/ }),
  };

  it('applies defaults and parses typed values', () => {
    const c = loadConfig(schema, { DATABASE_URL: 'postgres://x@h/db', FLAG: 'yes', ORIGINS: 'https://a.test, http://b.test' });
    expect(c).toEqual({
      PORT: 3000,
      DATABASE_URL: 'postgres://x@h/db',
      LEVEL: 'info',
      FLAG: true,
      ORIGINS: ['https://a.test', 'http://b.test'],
    });
  });

  it('refuses to start naming every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig(schema, { PORT: '99999', LEVEL: 'loud', FLAG: 'maybe', DATABASE_URL: 'mysql://h/db' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['PORT', 'LEVEL', 'FLAG', 'DATABASE_URL']) expect(message).toContain(name);
    expect((error as ConfigError).problems).toHaveLength(4);
  });

  it('reports a missing required variable by name', () => {
    expect(() => loadConfig(schema, {})).toThrow(/DATABASE_URL is required/);
  });

  it('runs cross-field checks only when every field parsed', () => {
    expect(() =>
      loadConfig(schema, { DATABASE_URL: 'postgres://h/db' }, (c, problem) => c.PORT === 3000 && problem('PORT must not be 3000')),
    ).toThrow(/PORT must not be 3000/);
  });
});

describe('keys and secrets', () => {
  const dev = (dir: string) => ({ nodeEnvOf: () => 'development', dataDirOf: () => dir });
  const prod = { nodeEnvOf: () => 'production', dataDirOf: () => '/nonexistent' };

  it('generates a development key once, with owner-only permissions, and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const field = keyringField(dev(dir));
    const first = field.parse(undefined, 'MFA_ENCRYPTION_KEY');
    expect(Buffer.from(first, 'base64')).toHaveLength(32);
    expect(field.parse('', 'MFA_ENCRYPTION_KEY')).toBe(first);
    const file = join(dir, 'keys', 'MFA_ENCRYPTION_KEY');
    expect(readFileSync(file, 'utf8').trim()).toBe(first);
    expect(statSync(file).mode & 0o077).toBe(0);
  });

  it('requires keys and secrets in production', () => {
    expect(() => keyringField(prod).parse(undefined, 'MFA_ENCRYPTION_KEY')).toThrow(/required in production/);
    expect(() => secretField(prod).parse(undefined, 'APP_API_KEY')).toThrow(/required in production/);
  });

  it('accepts hex, base64 and keyrings with ids, and rejects short or malformed keys', () => {
    const field = keyringField(prod);
    expect(field.parse('ab'.repeat(32), 'K')).toBe('ab'.repeat(32));
    const b64 = Buffer.alloc(32, 7).toString('base64');
    expect(field.parse(`new:${b64},old:${'cd'.repeat(32)}`, 'K')).toContain('new:');
    expect(() => field.parse('too-short', 'K')).toThrow(/32 bytes/);
    expect(() => field.parse(`${b64},${b64}`, 'K')).toThrow(/needs an id/);
    expect(() => field.parse(`a:${b64},a:${b64}`, 'K')).toThrow(/appears twice/);
  });

  it('requires at least 32 characters for an opaque secret', () => {
    expect(() => secretField(prod).parse('short', 'APP_API_KEY')).toThrow(/at least 32/);
    expect(secretField(prod).parse('x'.repeat(40), 'APP_API_KEY')).toBe('x'.repeat(40));
  });
});

describe('development key generation under concurrency', () => {
  it('gives every concurrent reader the same complete key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-race-'));
    const { spawn } = await import('node:child_process');
    // several processes race to generate the same key file (the built lib, as the services run it)
    const code = `
      const { keyringField } = require(${JSON.stringify(join(__dirname, '..', 'dist', 'common.js'))});
      const f = keyringField({ nodeEnvOf: () => 'development', dataDirOf: () => ${JSON.stringify(dir)} });
      process.stdout.write(f.parse(undefined, 'QUEUE_ENCRYPTION_KEY'));`;
    const outputs = await Promise.all(
      Array.from(
        { length: 6 },
        () =>
          new Promise<string>((res) => {
            const child = spawn(process.execPath, ['-e', code]);
            let out = '';
            child.stdout.on('data', (d) => (out += d));
            child.on('exit', () => res(out));
          }),
      ),
    );
    expect(new Set(outputs).size).toBe(1);
    expect(Buffer.from(outputs[0], 'base64')).toHaveLength(32);
  }, 60_000); // six node processes starting at once on a loaded 2-core machine can take longer than Jest's 5 s
});
