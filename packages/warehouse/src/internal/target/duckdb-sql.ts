import type { ColumnType } from '../model/column-type.js';
import { EVENTS_COLUMNS } from '../model/events-table.js';
import { quoteIdent, quoteText } from '../model/naming.js';

/** The loader's own table of source positions: one row per source and key (a part file, a partition). */
export const MANIFEST_TABLE = '_tracklane_manifest';

export const QUARANTINE_TABLE = 'quarantine';

export const QUARANTINE_KEY = ['source', 'source_key', 'source_offset'] as const;

export const MANIFEST_KEY = ['source', 'key'] as const;

/** A column as staged (text) and as stored. */
export interface SqlColumn {
  name: string;
  type: ColumnType | 'INTEGER';
  comment?: string | undefined;
  notNull?: boolean;
}

export const EVENTS_SQL_COLUMNS: readonly SqlColumn[] = EVENTS_COLUMNS.map((c) => ({ name: c.name, type: c.type, comment: c.comment, notNull: c.name === 'event_id' || c.name === 'collector_tstamp' }));

export const QUARANTINE_COLUMNS: readonly SqlColumn[] = [
  { name: 'source', type: 'VARCHAR', notNull: true, comment: 'The source the line was read from (a raw store path).' },
  { name: 'source_key', type: 'VARCHAR', notNull: true, comment: 'The part file within it.' },
  { name: 'source_offset', type: 'BIGINT', notNull: true, comment: 'The byte offset of the line in it.' },
  { name: 'kind', type: 'VARCHAR', notNull: true, comment: 'good: refused by the loader; bad: refused by the collector.' },
  { name: 'reason', type: 'VARCHAR', notNull: true, comment: 'The reason code (QuarantineReason).' },
  { name: 'errors', type: 'VARCHAR[]', notNull: true, comment: 'What is wrong, each naming where.' },
  { name: 'event_id', type: 'VARCHAR', comment: 'The event id, when the line has one.' },
  { name: 'schema', type: 'VARCHAR', comment: "The event's schema URI, when the line has one." },
  { name: 'collector_tstamp', type: 'TIMESTAMPTZ', comment: 'When the collector received it.' },
  { name: 'load_tstamp', type: 'TIMESTAMPTZ', notNull: true, comment: 'When the loader wrote this row.' },
  { name: 'record', type: 'VARCHAR', notNull: true, comment: 'The line as stored: the original payload is in it.' },
];

export const MANIFEST_COLUMNS: readonly SqlColumn[] = [
  { name: 'source', type: 'VARCHAR', notNull: true },
  { name: 'key', type: 'VARCHAR', notNull: true },
  { name: 'kind', type: 'VARCHAR', notNull: true },
  { name: 'position', type: 'BIGINT', notNull: true },
  { name: 'fingerprint', type: 'VARCHAR', notNull: true },
  { name: 'updated_at', type: 'TIMESTAMPTZ', notNull: true },
];

/** DuckDB's `data_type` of a column, as a ColumnType; undefined for a type the loader does not write. */
export function columnTypeFromDuckDb(dataType: string): ColumnType | undefined {
  const known: Record<string, ColumnType> = {
    VARCHAR: 'VARCHAR',
    BIGINT: 'BIGINT',
    DOUBLE: 'DOUBLE',
    BOOLEAN: 'BOOLEAN',
    DATE: 'DATE',
    'TIMESTAMP WITH TIME ZONE': 'TIMESTAMPTZ',
    JSON: 'JSON',
    'VARCHAR[]': 'VARCHAR[]',
    'BIGINT[]': 'BIGINT[]',
    'DOUBLE[]': 'DOUBLE[]',
    'BOOLEAN[]': 'BOOLEAN[]',
  };
  return known[dataType];
}

/** The expression that turns a staged text column into its stored type (a list goes through JSON). */
export function castFromText(name: string, type: SqlColumn['type']): string {
  const column = quoteIdent(name);
  if (type === 'VARCHAR') return column;
  if (type.endsWith('[]')) return `CAST(CAST(${column} AS JSON) AS ${type})`;
  return `CAST(${column} AS ${type})`;
}

/** `key`: the primary key's columns; none for a table with no index to keep. */
export function createTableSql(table: string, columns: readonly SqlColumn[], key: readonly string[]): string {
  const defs = columns.map((c) => `${quoteIdent(c.name)} ${c.type}${c.notNull ? ' NOT NULL' : ''}`);
  if (key.length > 0) defs.push(`PRIMARY KEY (${key.map(quoteIdent).join(', ')})`);
  return `CREATE TABLE IF NOT EXISTS ${quoteIdent(table)} (${defs.join(', ')})`;
}

export function commentSql(table: string, column: string, comment: string): string {
  return `COMMENT ON COLUMN ${quoteIdent(table)}.${quoteIdent(column)} IS ${quoteText(comment)}`;
}

/**
 * Moves a stage table into its table. `onConflict`: `none` (no key can conflict); `nothing` (a row
 * with the key is there: the same event landed again); for `events`, `earliest-collector-time`:
 * the row with the earlier collector time wins; `update` (the manifest): the new position replaces
 * the old. DuckDB assigns no key column in DO UPDATE.
 */
export function insertFromStageSql(table: string, stage: string, columns: readonly SqlColumn[], onConflict: OnConflict, key: readonly string[] = []): string {
  const select = columns.map((c) => castFromText(c.name, c.type)).join(', ');
  return insertSelectSql(table, columns, `SELECT ${select} FROM temp.${quoteIdent(stage)}`, onConflict, key);
}

export type OnConflict = 'none' | 'nothing' | 'earliest-collector-time' | 'update';

/** `INSERT INTO table (columns) <select>` with the conflict rule of insertFromStageSql. */
export function insertSelectSql(table: string, columns: readonly SqlColumn[], select: string, onConflict: OnConflict, key: readonly string[] = []): string {
  const names = columns.map((c) => quoteIdent(c.name)).join(', ');
  const head = `INSERT INTO ${quoteIdent(table)} (${names}) ${select}`;
  if (onConflict === 'none') return head;
  if (onConflict === 'nothing') return `${head} ON CONFLICT DO NOTHING`;
  const set = columns.filter((c) => !key.includes(c.name)).map((c) => `${quoteIdent(c.name)} = excluded.${quoteIdent(c.name)}`).join(', ');
  const conflict = `${head} ON CONFLICT (${key.map(quoteIdent).join(', ')}) DO UPDATE SET ${set}`;
  return onConflict === 'update' ? conflict : `${conflict} WHERE excluded.collector_tstamp < ${quoteIdent(table)}.collector_tstamp`;
}
