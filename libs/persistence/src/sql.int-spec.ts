import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { createTestDatabase, TestDatabase } from '@twostep/testing';
import { isInfrastructureFailure as isConnectionLoss } from '@twostep/platform';
import { postgresDataSourceOptions } from './postgres';
import { poolOf, Sql } from './sql';

describe('Sql, the query helper over the pool TypeORM owns (real Postgres)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let sql: Sql;
  beforeAll(async () => {
    db = await createTestDatabase('sqlhelper');
    ds = new DataSource(postgresDataSourceOptions({ url: db.url, schema: 'public', entities: [], migrations: [], poolSize: 3 }));
    sql = Sql.over(ds);
    await ds.initialize();
    await sql.count('CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)');
  }, 60_000);
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it("reaches TypeORM's own pg pool (fails if TypeORM stops exposing it as PostgresDriver.master)", async () => {
    const pool = poolOf(ds);
    expect(pool).toBeInstanceOf(Pool);
    expect(pool.options.max).toBe(3);
    // the pool's settings are those TypeORM was given: statement timeout and application name
    const [row] = await sql.rows<{ timeout: string }>(`SELECT current_setting('statement_timeout') AS timeout`);
    expect(row.timeout).toBe('5s');
  });

  it('returns rows, and affected counts for writes', async () => {
    expect(await sql.count('INSERT INTO items (id, name) VALUES ($1, $2), ($3, $4)', [1, 'a', 2, 'b'])).toBe(2);
    expect(await sql.rows('SELECT id, name FROM items ORDER BY id', [], 'items_all')).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
    ]);
    expect(await sql.count('UPDATE items SET name = $2 WHERE id = $1', [1, 'z'])).toBe(1);
    expect(await sql.count('DELETE FROM items WHERE id = $1', [42])).toBe(0);
  });

  it('commits a transaction whose work returns and rolls back one whose work throws', async () => {
    await expect(
      sql.transaction(async (tx) => {
        await tx.count('INSERT INTO items (id, name) VALUES (10, $1)', ['kept']);
        return tx.rows<{ n: number }>('SELECT count(*)::int AS n FROM items WHERE id = 10');
      }),
    ).resolves.toEqual([{ n: 1 }]);
    await expect(
      sql.transaction(async (tx) => {
        await tx.count('INSERT INTO items (id, name) VALUES (11, $1)', ['dropped']);
        throw new Error('work failed');
      }),
    ).rejects.toThrow('work failed');
    expect(await sql.rows('SELECT id FROM items WHERE id IN (10, 11) ORDER BY id')).toEqual([{ id: 10 }]);
    // every connection went back to the pool
    expect(poolOf(ds).totalCount - poolOf(ds).idleCount).toBe(0);
  });

  it('tells a listener of every statement sent, transaction control included', async () => {
    const seen: string[] = [];
    const stop = sql.onStatement((text) => seen.push(text));
    await sql.rows('SELECT 1');
    await sql.transaction((tx) => tx.count('UPDATE items SET name = name WHERE id = 1'));
    stop();
    await sql.rows('SELECT 2');
    expect(seen).toEqual(['SELECT 1', 'BEGIN', 'UPDATE items SET name = name WHERE id = 1', 'COMMIT']);
  });

  it('answers a terminated backend with a connection-loss error (a 503, never a 500), in and out of a transaction, and recovers', async () => {
    const terminate = () =>
      sql.rows(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'SELECT pg_sleep(%' AND pid <> pg_backend_pid()`,
      );
    const sleeping = sql.rows('SELECT pg_sleep(5)');
    await new Promise((r) => setTimeout(r, 300));
    await terminate();
    const outside = await sleeping.then(
      () => null,
      (e: unknown) => e,
    );
    expect(isConnectionLoss(outside)).toBe(true);

    const inTx = sql.transaction(async (tx) => {
      await tx.count('INSERT INTO items (id, name) VALUES (20, $1)', ['lost']);
      return tx.rows('SELECT pg_sleep(5)');
    });
    await new Promise((r) => setTimeout(r, 300));
    await terminate();
    const inside = await inTx.then(
      () => null,
      (e: unknown) => e,
    );
    expect(isConnectionLoss(inside)).toBe(true);

    expect(await sql.rows('SELECT id FROM items WHERE id = 20')).toEqual([]);
    expect(poolOf(ds).totalCount - poolOf(ds).idleCount).toBe(0);
  });
});
