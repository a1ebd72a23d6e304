import { DataSourceOptions } from 'typeorm';
import { ConfigError } from '@twostep/config';
import { runMigrations } from './postgres';

export interface MigrationCommand {
  /** the service named in messages (`auth-api`, `mfa-service`) */
  service: string;
  /** the schema it owns (`auth`, `mfa`) */
  schema: string;
  /** the service's migration settings; throws ConfigError when they are wrong */
  loadConfig: () => { DATABASE_URL: string };
  /** the schema's TypeORM options for a database URL (explicit entities and migrations) */
  options: (databaseUrl: string) => DataSourceOptions;
}

/**
 * The one migration runner behind every service's `dist/migrate.js` (compose and Kubernetes `migrate`
 * job, `npm run migrate` via scripts/migrate.js): loads the settings (exit 78 when they are wrong), runs
 * the pending migrations under the schema's advisory lock, prints each one, exits 1 on failure.
 */
export async function runMigrationCommand(
  cmd: MigrationCommand,
  out: Pick<NodeJS.Process, 'stdout' | 'stderr' | 'exit'> = process,
): Promise<void> {
  let config: { DATABASE_URL: string };
  try {
    config = cmd.loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      out.stderr.write(`${cmd.service} migrate: ${error.message}\n`);
      return out.exit(78);
    }
    out.stderr.write(`${cmd.service} migrate failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return out.exit(1);
  }
  try {
    const ran = await runMigrations(cmd.options(config.DATABASE_URL), (m) => out.stdout.write(`${m}\n`));
    out.stdout.write(`${cmd.schema} schema up to date (${ran.length} migration(s) run)\n`);
  } catch (error) {
    out.stderr.write(`${cmd.service} migrate failed: ${error instanceof Error ? error.message : String(error)}\n`);
    out.exit(1);
  }
}
