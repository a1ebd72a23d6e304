import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { createTestDatabase, TestDatabase } from '@twostep/testing';
import { postgresDataSourceOptions, runMigrations } from './postgres';

class CreateThings1700000000001 implements MigrationInterface {
  name = 'CreateThings1700000000001';
  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE things (id int PRIMARY KEY)');
    await q.query('SELECT pg_sleep(0.2)');
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE things');
  }
}

describe('runMigrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('persist');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('creates the schema and applies each migration once, even when two runners start together', async () => {
    const options = postgresDataSourceOptions({
      url: db.url,
      schema: 'things',
      entities: [],
      migrations: [CreateThings1700000000001],
      poolSize: 2,
    });
    const [a, b] = await Promise.all([runMigrations(options), runMigrations(options)]);
    expect([...a, ...b]).toEqual(['CreateThings1700000000001']);
    const ds = new DataSource({ ...options, entities: [], migrations: [] });
    await ds.initialize();
    try {
      const rows = await ds.query(`SELECT table_schema FROM information_schema.tables WHERE table_name = 'things'`);
      expect(rows).toEqual([{ table_schema: 'things' }]);
      expect(await runMigrations(options)).toEqual([]);
    } finally {
      await ds.destroy();
    }
  });

  it('never synchronizes or installs extensions', () => {
    const o = postgresDataSourceOptions({ url: db.url, schema: 's', entities: [], migrations: [] }) as unknown as Record<string, unknown>;
    expect(o.synchronize).toBe(false);
    expect(o.installExtensions).toBe(false);
    expect(o.migrationsRun).toBe(false);
  });
});
