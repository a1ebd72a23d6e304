import { DataSource } from 'typeorm';
import { poolOf } from './sql';

/** One column as both sides describe it: Postgres type as `format_type()` prints it (`character varying(36)`, `text[]`). */
export interface ColumnShape {
  table: string;
  column: string;
  type: string;
  nullable: boolean;
}

/** The tables and columns the entities of an initialized DataSource declare. */
export function entityColumns(dataSource: DataSource): ColumnShape[] {
  const driver = dataSource.driver;
  return dataSource.entityMetadatas.flatMap((entity) =>
    entity.columns.map((c) => {
      let type = driver.normalizeType(c);
      if (c.length) type += `(${c.length})`;
      else if (c.precision != null) type += c.scale != null ? `(${c.precision},${c.scale})` : `(${c.precision})`;
      if (c.isArray) type += '[]';
      return { table: entity.tableName, column: c.databaseName, type, nullable: c.isNullable };
    }),
  );
}

/** The base tables and columns of `schema` as migrated, except TypeORM's `migrations` table. */
export async function migratedColumns(dataSource: DataSource, schema: string): Promise<ColumnShape[]> {
  const { rows } = await poolOf(dataSource).query<{ table: string; column: string; type: string; nullable: boolean }>(
    `SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable
       FROM pg_catalog.pg_attribute a
       JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND c.relname <> 'migrations'
      ORDER BY c.relname, a.attnum`,
    [schema],
  );
  return rows;
}

/**
 * Where the entities and the migrated schema disagree, one line each (empty when they agree): a table
 * or a column only one side has, or a column whose type or nullability differ.
 */
export function schemaDrift(entities: readonly ColumnShape[], migrated: readonly ColumnShape[]): string[] {
  const key = (c: ColumnShape) => `${c.table}.${c.column}`;
  const inDb = new Map(migrated.map((c) => [key(c), c]));
  const inEntities = new Map(entities.map((c) => [key(c), c]));
  const entityTables = new Set(entities.map((c) => c.table));
  const dbTables = new Set(migrated.map((c) => c.table));
  const out: string[] = [];
  for (const t of dbTables) if (!entityTables.has(t)) out.push(`table ${t}: in the schema, no entity`);
  for (const t of entityTables) if (!dbTables.has(t)) out.push(`table ${t}: entity only, not in the schema`);
  for (const [k, e] of inEntities) {
    if (!dbTables.has(e.table)) continue;
    const d = inDb.get(k);
    if (!d) out.push(`column ${k}: entity only, not in the schema`);
    else {
      if (d.type !== e.type) out.push(`column ${k}: entity type ${e.type}, schema type ${d.type}`);
      if (d.nullable !== e.nullable)
        out.push(`column ${k}: entity ${e.nullable ? 'nullable' : 'not null'}, schema ${d.nullable ? 'nullable' : 'not null'}`);
    }
  }
  for (const [k, d] of inDb) if (entityTables.has(d.table) && !inEntities.has(k)) out.push(`column ${k}: in the schema, no entity column`);
  return out;
}
