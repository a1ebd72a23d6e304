import { DataSource, DataSourceOptions, MixedList } from 'typeorm';

export interface PostgresOptions {
  url: string;
  /** the schema this service owns (`auth`, `mfa`); no service reads another's schema */
  schema: string;
  entities: MixedList<Function>;
  migrations: MixedList<Function>;
  poolSize?: number;
  applicationName?: string;
}

/** The pool's `onConnect` hook: a permanent no-op 'error' listener on each new client (see below). */
export function keepErrorListener(client: { on(event: 'error', listener: (error: Error) => void): unknown }): void {
  client.on('error', () => undefined);
}

/**
 * TypeORM options for one service's schema: explicit entity and migration lists (no globs),
 * never `synchronize`, no implicit extension creation (PG 13+ has gen_random_uuid()).
 */
export function postgresDataSourceOptions(o: PostgresOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: o.url,
    schema: o.schema,
    entities: o.entities,
    migrations: o.migrations,
    migrationsTableName: 'migrations',
    migrationsRun: false,
    synchronize: false,
    installExtensions: false,
    uuidExtension: 'pgcrypto',
    applicationName: o.applicationName,
    extra: {
      max: o.poolSize ?? 10,
      connectionTimeoutMillis: 2000,
      idleTimeoutMillis: 30_000,
      // a statement stuck on a lock must not hold a request forever
      statement_timeout: 5000,
      options: `-c search_path=${o.schema},public`,
      // Every pooled client keeps an 'error' listener for its whole life. pg emits 'error' on a client whose
      // backend is terminated (failover, pg_terminate_backend, a restart); with no listener attached at that
      // moment (between pg-pool handing a client over and TypeORM attaching its own), Node throws it and the
      // whole process dies. The error still reaches the query that was running; this only keeps it from crashing us.
      onConnect: keepErrorListener,
    },
  };
}

/**
 * Creates the schema if needed and runs pending migrations under a Postgres advisory lock, so two
 * migration jobs started together run one after the other. Returns the names of the migrations run.
 */
export async function runMigrations(
  options: DataSourceOptions & { schema?: string },
  log: (msg: string) => void = () => undefined,
): Promise<string[]> {
  const schema = options.schema ?? 'public';
  const ds = new DataSource({ ...options, migrationsRun: false });
  await ds.initialize();
  const runner = ds.createQueryRunner();
  try {
    await runner.connect();
    const lockKey = `twostep-migrate:${schema}`;
    // Everything below, schema creation included, runs under one advisory lock: two migration jobs
    // started together (two replicas, a retried Job) run one after the other.
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
    try {
      // The migrations table lives in the schema, so the schema must exist before TypeORM looks for it.
      await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema.replace(/"/g, '')}"`);
      const ran = await ds.runMigrations({ transaction: 'each' });
      for (const m of ran) log(`migrated ${schema}: ${m.name}`);
      return ran.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]);
    }
  } finally {
    await runner.release();
    await ds.destroy();
  }
}
