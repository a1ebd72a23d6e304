import { Global, Injectable, Module } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { DataSource } from 'typeorm';

export interface SqlRunner {
  rows<T extends QueryResultRow = Record<string, unknown>>(text: string, values?: unknown[]): Promise<T[]>;
}

/**
 * Plain parameterised SQL on the pool TypeORM opened (same search_path, statement timeout and size).
 * Used where TypeORM's raw `query()` is awkward (its UPDATE/DELETE results are `[rows, count]`) and
 * on the hot path, where a named statement is prepared once per connection.
 */
@Injectable()
export class Sql implements SqlRunner {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get pool(): Pool {
    const pool = (this.dataSource.driver as unknown as { master?: Pool }).master;
    if (!pool) throw new Error('database pool is not open');
    return pool;
  }

  async rows<T extends QueryResultRow = Record<string, unknown>>(text: string, values: unknown[] = [], name?: string): Promise<T[]> {
    const result = await this.pool.query<T>(name ? { name, text, values } : { text, values });
    return result.rows;
  }

  /** Runs `work` in one transaction (READ COMMITTED); rolls back if it throws. */
  async transaction<R>(work: (tx: SqlRunner) => Promise<R>): Promise<R> {
    const client: PoolClient = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const tx: SqlRunner = {
        rows: async <T extends QueryResultRow>(text: string, values: unknown[] = []) => (await client.query<T>(text, values)).rows,
      };
      const result = await work(tx);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

@Global()
@Module({ providers: [Sql], exports: [Sql] })
export class DatabaseModule {}
