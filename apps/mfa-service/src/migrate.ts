import 'reflect-metadata';
import { ConfigError } from '@twostep/config';
import { mfaDataSourceOptions } from '@twostep/mfa-data-access';
import { runMigrations } from '@twostep/persistence';
import { loadMfaMigrationConfig } from './config/mfa-service.config';

/** One-shot: runs the `mfa` schema migrations (compose/Kubernetes job, `npm run migrate`). */
async function main(): Promise<void> {
  let config;
  try {
    config = loadMfaMigrationConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`mfa-service migrate: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const ran = await runMigrations(mfaDataSourceOptions(config.DATABASE_URL, 2), (m) => process.stdout.write(`${m}\n`));
  process.stdout.write(`mfa schema up to date (${ran.length} migration(s) run)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`mfa-service migrate failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
