import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { entityColumns, migratedColumns, runMigrations, schemaDrift } from '@twostep/persistence';
import { createTestDatabase, TestDatabase } from '@twostep/testing';
import { AUTH_SCHEMA, authDataSourceOptions } from './index';

/** A deliberately wrong description of `sessions`: the check must see it. */
@Entity({ name: 'sessions' })
class WrongSessionEntity {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  id: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36, nullable: true })
  userId: string | null;
}

describe('auth entities describe the migrated auth schema (real Postgres)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('authschema');
    await runMigrations(authDataSourceOptions(db.url, 2));
  }, 60_000);
  afterAll(async () => {
    await db?.drop();
  });

  async function driftOf(entities?: Function[]): Promise<string[]> {
    const options = authDataSourceOptions(db.url, 2);
    const ds = new DataSource({ ...options, ...(entities ? { entities } : {}), migrations: [] } as typeof options);
    await ds.initialize();
    try {
      return schemaDrift(entityColumns(ds), await migratedColumns(ds, AUTH_SCHEMA));
    } finally {
      await ds.destroy();
    }
  }

  it('has an entity for every table and the same columns, types and nullability', async () => {
    expect(await driftOf()).toEqual([]);
  });

  it('reports an entity that disagrees with the schema', async () => {
    const drift = await driftOf([WrongSessionEntity]);
    expect(drift).toEqual(
      expect.arrayContaining([
        'table users: in the schema, no entity',
        'column sessions.id: entity type character varying(40), schema type character varying(36)',
        'column sessions.user_id: entity nullable, schema not null',
        'column sessions.secret_hash: in the schema, no entity column',
      ]),
    );
  });
});
