import type { ColumnType } from '../model/column-type.js';
import { quoteIdent } from '../model/naming.js';
import type { SqlColumn } from './duckdb-sql.js';

/**
 * PostgreSQL types of the model's column types. Nested values are `jsonb` (queried in place with
 * `->`/`->>`, indexable with GIN); a list of one scalar type is an array of it.
 */
const PG_TYPES: Record<SqlColumn['type'], string> = {
  VARCHAR: 'text',
  BIGINT: 'bigint',
  INTEGER: 'integer',
  DOUBLE: 'double precision',
  BOOLEAN: 'boolean',
  TIMESTAMPTZ: 'timestamptz',
  DATE: 'date',
  JSON: 'jsonb',
  'VARCHAR[]': 'text[]',
  'BIGINT[]': 'bigint[]',
  'DOUBLE[]': 'double precision[]',
  'BOOLEAN[]': 'boolean[]',
};

/** `format_type()` of each type the loader writes, back to its ColumnType. */
const FROM_PG: Record<string, ColumnType> = {
  text: 'VARCHAR',
  bigint: 'BIGINT',
  'double precision': 'DOUBLE',
  boolean: 'BOOLEAN',
  'timestamp with time zone': 'TIMESTAMPTZ',
  date: 'DATE',
  jsonb: 'JSON',
  'text[]': 'VARCHAR[]',
  'bigint[]': 'BIGINT[]',
  'double precision[]': 'DOUBLE[]',
  'boolean[]': 'BOOLEAN[]',
};

export function postgresType(type: SqlColumn['type']): string {
  return PG_TYPES[type];
}

/** A column's `format_type()` as a ColumnType; undefined for a type the loader does not write (a table someone altered). */
export function columnTypeFromPostgres(formatted: string): ColumnType | undefined {
  return FROM_PG[formatted];
}

/**
 * The expression that turns a staged text column into its stored type. Lists are staged as JSON
 * arrays (what stageValue writes for every target) and become arrays element by element, in order.
 */
export function castFromTextPg(name: string, type: SqlColumn['type']): string {
  const column = quoteIdent(name);
  if (type === 'VARCHAR') return column;
  if (type.endsWith('[]')) {
    const item = postgresType(type.slice(0, -2) as SqlColumn['type']);
    return `CASE WHEN ${column} IS NULL THEN NULL ELSE ARRAY(SELECT e.v::${item} FROM jsonb_array_elements_text(${column}::jsonb) WITH ORDINALITY AS e(v, i) ORDER BY e.i) END`;
  }
  return `${column}::${postgresType(type)}`;
}

/** `key`: the primary key's columns; none for a table with no index to keep. */
export function createTablePgSql(table: string, columns: readonly SqlColumn[], key: readonly string[]): string {
  const defs = columns.map((c) => `${quoteIdent(c.name)} ${postgresType(c.type)}${c.notNull ? ' NOT NULL' : ''}`);
  if (key.length > 0) defs.push(`PRIMARY KEY (${key.map(quoteIdent).join(', ')})`);
  return `CREATE TABLE IF NOT EXISTS ${quoteIdent(table)} (${defs.join(', ')})`;
}

/** A staging table of text columns, dropped when the load transaction ends (committed or not). */
export function createStagePgSql(stage: string, columns: readonly SqlColumn[]): string {
  return `CREATE TEMP TABLE ${quoteIdent(stage)} (${columns.map((c) => `${quoteIdent(c.name)} text`).join(', ')}) ON COMMIT DROP`;
}

/**
 * Moves a stage into its table, with the DuckDB target's rules (insertFromStageSql): data and
 * quarantine rows once (`DO NOTHING`), `events` keeps the earliest collector time, the manifest's
 * positions are replaced.
 */
export function insertFromStagePgSql(table: string, stage: string, columns: readonly SqlColumn[], onConflict: 'nothing' | 'earliest-collector-time' | 'update', key: readonly string[]): string {
  const select = columns.map((c) => castFromTextPg(c.name, c.type)).join(', ');
  return insertPgSql(table, columns, `SELECT ${select} FROM pg_temp.${quoteIdent(stage)}`, onConflict, key);
}

/**
 * The same INSERT from parameters instead of a stage: `$1`... one array per column (in `columns`
 * order, each a scalar type), unnested into rows. For a few rows (the manifest's positions), where
 * a stage's CREATE, COPY and INSERT would be three round trips and a temp table.
 */
export function insertFromArraysPgSql(table: string, columns: readonly SqlColumn[], onConflict: 'nothing' | 'update', key: readonly string[]): string {
  const arrays = columns.map((c, i) => `$${i + 1}::${postgresType(c.type)}[]`).join(', ');
  return insertPgSql(table, columns, `SELECT * FROM unnest(${arrays})`, onConflict, key);
}

function insertPgSql(table: string, columns: readonly SqlColumn[], select: string, onConflict: 'nothing' | 'earliest-collector-time' | 'update', key: readonly string[]): string {
  const names = columns.map((c) => quoteIdent(c.name)).join(', ');
  const target = `${quoteIdent(table)} (${names}) ${select}`;
  const conflict = `ON CONFLICT (${key.map(quoteIdent).join(', ')})`;
  if (onConflict === 'nothing') return `INSERT INTO ${target} ${conflict} DO NOTHING`;
  const set = columns.filter((c) => !key.includes(c.name)).map((c) => `${quoteIdent(c.name)} = excluded.${quoteIdent(c.name)}`).join(', ');
  const update = `INSERT INTO ${target} ${conflict} DO UPDATE SET ${set}`;
  return onConflict === 'update' ? update : `${update} WHERE excluded.collector_tstamp < ${quoteIdent(table)}.collector_tstamp`;
}
