import 'reflect-metadata';
import { ConfigError } from '@twostep/config';
import { authDataSourceOptions } from '@twostep/auth-data-access';
import { runMigrations } from '@twostep/persistence';
import { loadAuthMigrationConfig } from './config/auth-api.config';

/** One-shot: runs the `auth` schema migrations (compose/Kubernetes job, `npm run migrate`). */
async function main(): Promise<void> {
  let config;
  try {
    config = loadAuthMigrationConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`auth-api migrate: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const ran = await runMigrations(authDataSourceOptions(config.DATABASE_URL, 2), (m) => process.stdout.write(`${m}\n`));
  process.stdout.write(`auth schema up to date (${ran.length} migration(s) run)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`auth-api migrate failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
