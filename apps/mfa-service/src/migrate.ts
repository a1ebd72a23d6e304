import 'reflect-metadata';
import { mfaDataSourceOptions } from '@twostep/mfa-data-access';
import { runMigrationCommand } from '@twostep/persistence';
import { loadMfaMigrationConfig } from './config/mfa-service.config';

/** One-shot: runs the `mfa` schema migrations (compose/Kubernetes job, `npm run migrate`). */
void runMigrationCommand({
  service: 'mfa-service',
  schema: 'mfa',
  loadConfig: loadMfaMigrationConfig,
  options: (url) => mfaDataSourceOptions(url, 2),
});
