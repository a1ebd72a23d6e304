import { DataSource } from 'typeorm';
import { entityColumns, migratedColumns, runMigrations, schemaDrift } from '@twostep/persistence';
import { createTestDatabase, TestDatabase } from '@twostep/testing';
import { MFA_SCHEMA, mfaDataSourceOptions } from './index';

describe('mfa entities describe the migrated mfa schema (real Postgres)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('mfaschema');
    await runMigrations(mfaDataSourceOptions(db.url, 2));
  }, 60_000);
  afterAll(async () => {
    await db?.drop();
  });

  it('has an entity for every table and the same columns, types and nullability', async () => {
    const ds = new DataSource({ ...mfaDataSourceOptions(db.url, 2), migrations: [] });
    await ds.initialize();
    try {
      const entities = entityColumns(ds);
      expect(entities.length).toBeGreaterThan(20);
      expect(schemaDrift(entities, await migratedColumns(ds, MFA_SCHEMA))).toEqual([]);
    } finally {
      await ds.destroy();
    }
  });
});
