/** Anything that runs SQL: the DataSource, or the EntityManager of a transaction. */
export interface Queryable {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query(sql: string, parameters?: unknown[]): Promise<any>;
}

/** Runs a SELECT (or an INSERT … RETURNING) and returns its rows. */
export async function selectRows<T>(db: Queryable, sql: string, parameters: unknown[]): Promise<T[]> {
  return (await db.query(sql, parameters)) as T[];
}

/**
 * Runs an UPDATE or DELETE and returns the affected row count (and rows, with RETURNING). TypeORM's
 * Postgres driver answers these with `[rows, rowCount]`.
 */
export async function mutate<T = unknown>(db: Queryable, sql: string, parameters: unknown[]): Promise<{ count: number; rows: T[] }> {
  const result: unknown = await db.query(sql, parameters);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return { rows: result[0] as T[], count: result[1] };
  }
  throw new Error('expected an UPDATE or DELETE result');
}

/** A transaction-scoped advisory lock on a string key (released at COMMIT or ROLLBACK). */
export async function advisoryXactLock(db: Queryable, key: string): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
}
