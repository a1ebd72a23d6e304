import 'reflect-metadata';
import { authDataSourceOptions } from '@twostep/auth-data-access';
import { runMigrationCommand } from '@twostep/persistence';
import { loadAuthMigrationConfig } from './config/auth-api.config';

/** One-shot: runs the `auth` schema migrations (compose/Kubernetes job, `npm run migrate`). */
void runMigrationCommand({
  service: 'auth-api',
  schema: 'auth',
  loadConfig: loadAuthMigrationConfig,
  options: (url) => authDataSourceOptions(url, 2),
});
