import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/** Runs parameterised SQL: the pool (one statement each), or the connection of a transaction. */
export interface SqlRunner {
  /** Runs a statement and returns its rows (a SELECT, or a write with RETURNING). `name` prepares it once per connection. */
  rows<T extends QueryResultRow = Record<string, unknown>>(text: string, values?: readonly unknown[], name?: string): Promise<T[]>;
  /** Runs an INSERT, UPDATE or DELETE and returns the number of rows it affected. */
  count(text: string, values?: readonly unknown[]): Promise<number>;
}

/** Told of every statement sent (its text), BEGIN/COMMIT/ROLLBACK included: tests count round trips with it. */
export type StatementListener = (text: string) => void;

/**
 * The pg pool TypeORM opened for `dataSource` (same search_path, statement timeout, size and error
 * listeners as everything else). TypeORM declares `PostgresDriver.master` public but does not document
 * it; this is the only place that reads it, and sql.int-spec.ts fails if TypeORM ever changes it.
 */
export function poolOf(dataSource: DataSource): Pool {
  if (dataSource.driver.options.type !== 'postgres') throw new Error('not a Postgres DataSource');
  const pool = (dataSource.driver as PostgresDriver).master as Pool | undefined;
  if (!pool) throw new Error('database pool is not open');
  return pool;
}

/**
 * The one way the repositories run SQL: plain parameterised statements on TypeORM's pool. TypeORM
 * describes the schema (entities, migrations); it does not run the queries (its raw `query()` answers
 * UPDATE/DELETE with `[rows, count]` and costs an extra layer on the hot path). A repository that needs
 * several statements to be atomic runs them in {@link transaction}; services never see a connection.
 */
export class Sql implements SqlRunner {
  private readonly listeners = new Set<StatementListener>();

  constructor(private readonly pool: () => Pool) {}

  /** The helper over the pool of an initialized (or later initialized) TypeORM DataSource. */
  static over(dataSource: DataSource): Sql {
    return new Sql(() => poolOf(dataSource));
  }

  /** Calls `listener` with each statement's text until the returned function is called. */
  onStatement(listener: StatementListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  async rows<T extends QueryResultRow = Record<string, unknown>>(
    text: string,
    values: readonly unknown[] = [],
    name?: string,
  ): Promise<T[]> {
    this.told(text);
    const result = await this.pool().query<T>(name ? { name, text, values: [...values] } : { text, values: [...values] });
    return result.rows;
  }

  async count(text: string, values: readonly unknown[] = []): Promise<number> {
    this.told(text);
    const result = await this.pool().query({ text, values: [...values] });
    return result.rowCount ?? 0;
  }

  /**
   * Runs `work` in one transaction (READ COMMITTED) on one connection; commits when it returns, rolls
   * back when it throws (and rethrows). A connection whose ROLLBACK failed is discarded, not reused.
   */
  async transaction<R>(work: (tx: SqlRunner) => Promise<R>): Promise<R> {
    const client: PoolClient = await this.pool().connect();
    let broken = false;
    const send = async <T extends QueryResultRow>(text: string, values: readonly unknown[] = []) => {
      this.told(text);
      return client.query<T>(text, [...values]);
    };
    try {
      await send('BEGIN');
      const tx: SqlRunner = {
        rows: async <T extends QueryResultRow>(text: string, values?: readonly unknown[]) => (await send<T>(text, values)).rows,
        count: async (text: string, values?: readonly unknown[]) => (await send(text, values)).rowCount ?? 0,
      };
      const result = await work(tx);
      await send('COMMIT');
      return result;
    } catch (error) {
      await send('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }

  private told(text: string): void {
    for (const listener of this.listeners) listener(text);
  }
}
