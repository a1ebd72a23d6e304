import { ConfigError } from '@twostep/config';
import { runMigrationCommand } from './migrate-cli';

function fakeProcess() {
  const out = { stdout: '', stderr: '', code: undefined as number | undefined };
  const proc = {
    stdout: { write: (s: string) => ((out.stdout += s), true) },
    stderr: { write: (s: string) => ((out.stderr += s), true) },
    exit: (code?: number) => void (out.code = code),
  } as unknown as Pick<NodeJS.Process, 'stdout' | 'stderr' | 'exit'>;
  return { out, proc };
}

describe('runMigrationCommand (every service migrate entry)', () => {
  it('exits 78 with the configuration problems when the settings are wrong, before touching a database', async () => {
    const { out, proc } = fakeProcess();
    const options = jest.fn();
    await runMigrationCommand(
      {
        service: 'auth-api',
        schema: 'auth',
        loadConfig: () => {
          throw new ConfigError(['DATABASE_URL is required']);
        },
        options,
      },
      proc,
    );
    expect(out.code).toBe(78);
    expect(out.stderr).toContain('auth-api migrate: Invalid configuration:');
    expect(out.stderr).toContain('DATABASE_URL is required');
    expect(options).not.toHaveBeenCalled();
  });

  it('exits 1 naming the service when the database cannot be migrated', async () => {
    const { out, proc } = fakeProcess();
    await runMigrationCommand(
      {
        service: 'mfa-service',
        schema: 'mfa',
        loadConfig: () => ({ DATABASE_URL: 'postgres://u@127.0.0.1:1/none' }),
        options: () => {
          throw new Error('no such database');
        },
      },
      proc,
    );
    expect(out.code).toBe(1);
    expect(out.stderr).toBe('mfa-service migrate failed: no such database\n');
  });
});
