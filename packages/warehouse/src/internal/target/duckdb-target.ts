import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { WarehouseError, WarehouseErrorCode } from '../errors.js';
import { quoteIdent } from '../model/naming.js';
import type { SourcePosition } from '../source/source.js';
import {
  EVENTS_SQL_COLUMNS,
  MANIFEST_COLUMNS,
  MANIFEST_KEY,
  MANIFEST_TABLE,
  QUARANTINE_COLUMNS,
  QUARANTINE_KEY,
  QUARANTINE_TABLE,
  columnTypeFromDuckDb,
  commentSql,
  createTableSql,
  insertFromStageSql,
  type SqlColumn,
} from './duckdb-sql.js';
import { stageRows } from './duckdb-stage.js';
import { stagesOf } from './duckdb-stages.js';
import type { FamilyTableSpec, LoadBatch, TableShape, Target } from './target.js';

export interface DuckDbTargetOptions {
  /** The database file; created with its tables when missing. `:memory:` for a throwaway database. */
  file: string;
}

/**
 * DuckDB as the target: one database file holds the tables, the quarantine and the load manifest,
 * so a batch and the manifest's advance commit together. DuckDB lets one process write a file at
 * a time: a second loader on the same file is refused with TARGET_UNAVAILABLE.
 */
export async function openDuckDbTarget(options: DuckDbTargetOptions): Promise<Target> {
  let connection: DuckDBConnection;
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(options.file);
    connection = await instance.connect();
  } catch (error) {
    throw new WarehouseError(WarehouseErrorCode.TARGET_UNAVAILABLE, `cannot open the DuckDB database ${options.file}: ${(error as Error).message}`, { cause: error });
  }
  const run = async (sql: string): Promise<void> => {
    await connection.run(sql);
  };
  const rows = async (sql: string, values?: string[]): Promise<Record<string, unknown>[]> => (await connection.runAndReadAll(sql, values)).getRowObjectsJS();
  await run(createTableSql('events', EVENTS_SQL_COLUMNS, ['event_id']));
  await run(createTableSql(QUARANTINE_TABLE, QUARANTINE_COLUMNS, QUARANTINE_KEY));
  await run(createTableSql(MANIFEST_TABLE, MANIFEST_COLUMNS, MANIFEST_KEY));
  await comment('events', EVENTS_SQL_COLUMNS);
  await comment(QUARANTINE_TABLE, QUARANTINE_COLUMNS);

  /** Sets the comments that differ from the database's (a description changed in a later version). */
  async function comment(table: string, columns: readonly SqlColumn[]): Promise<void> {
    const existing = new Map((await rows(`SELECT column_name, comment FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = $1`, [table])).map((r) => [r.column_name as string, r.comment as string | null]));
    for (const column of columns) {
      if (column.comment !== undefined && existing.get(column.name) !== column.comment) await run(commentSql(table, column.name, column.comment));
    }
  }

  return {
    name: options.file,
    sources: async () => (await rows(`SELECT DISTINCT source FROM ${MANIFEST_TABLE} ORDER BY source`)).map((r) => r.source as string),
    positions: async (source) => {
      const found = await rows(`SELECT key, kind, position, fingerprint FROM ${MANIFEST_TABLE} WHERE source = $1`, [source]);
      return new Map(found.map((r): [string, SourcePosition] => [r.key as string, { key: r.key as string, kind: r.kind as 'good' | 'bad', offset: Number(r.position), fingerprint: r.fingerprint as string }]));
    },
    ensureTable: async (spec: FamilyTableSpec): Promise<TableShape> => {
      const keys: SqlColumn[] = [
        { name: 'event_id', type: 'VARCHAR', notNull: true, comment: 'The event (events.event_id).' },
        ...(spec.role === 'entity' ? [{ name: 'position', type: 'INTEGER' as const, notNull: true, comment: "The entity's index in the envelope's entities." }] : []),
        { name: 'schema_version', type: 'VARCHAR', notNull: true, comment: 'The schema version (M-R-A) that wrote the row.' },
      ];
      const model: SqlColumn[] = spec.family.columns.map((c) => ({ name: c.name, type: c.type, comment: c.comment }));
      await run(createTableSql(spec.table, [...keys, ...model], spec.role === 'entity' ? ['event_id', 'position'] : ['event_id']));
      const types = new Map((await rows(`SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = $1`, [spec.table])).map((r) => [r.column_name as string, r.data_type as string]));
      // An ADDITION: a nullable column, no rewrite.
      for (const column of model) if (!types.has(column.name)) await run(`ALTER TABLE ${quoteIdent(spec.table)} ADD COLUMN ${quoteIdent(column.name)} ${column.type}`);
      await comment(spec.table, [...keys, ...model]);
      return {
        table: spec.table,
        role: spec.role,
        // The database's type wins: rows whose values do not fit it go to quarantine, not into a failed cast.
        columns: spec.family.columns.map((c) => ({ name: c.name, property: c.property, type: (types.has(c.name) ? columnTypeFromDuckDb(types.get(c.name)!) : undefined) ?? c.type, lenient: c.lenient })),
      };
    },
    apply: async (source: string, batch: LoadBatch, positions: readonly SourcePosition[]) => {
      const stages = stagesOf(source, batch, positions);
      try {
        // Staged outside the transaction: temp tables, this connection's alone.
        for (const stage of stages) await stageRows(connection, stage.stage, stage.columns, stage.rows);
        await run('BEGIN TRANSACTION');
        try {
          for (const stage of stages) {
            await run(insertFromStageSql(stage.table, stage.stage, stage.columns, stage.onConflict, stage.key));
          }
          await run('COMMIT');
        } catch (error) {
          await run('ROLLBACK').catch(() => undefined);
          throw error;
        }
      } catch (error) {
        throw new WarehouseError(WarehouseErrorCode.TARGET_UNAVAILABLE, `cannot write to ${options.file}: ${(error as Error).message}`, { cause: error });
      } finally {
        for (const stage of stages) await run(`DROP TABLE IF EXISTS temp.${quoteIdent(stage.stage)}`).catch(() => undefined);
      }
    },
    close: () => {
      connection.closeSync();
      instance.closeSync();
      return Promise.resolve();
    },
  };
}
