import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
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
import { applyDirect, isDuplicateKey, type DirectIds } from './duckdb-direct.js';
import { stageRows } from './duckdb-stage.js';
import { familyStages, manifestRows, quarantineRows } from './duckdb-stages.js';
import type { FamilyTableSpec, LoadBatch, SqlSession, TableShape, Target } from './target.js';

/** Batches written checking each id after one met an id already loaded, before new ids are assumed again. */
const CHECKED_BATCHES = 10;

/** WAL size at which DuckDB checkpoints (writes the tables and their indexes into the file). */
const DUCKDB_CHECKPOINT_THRESHOLD = '256MB';

export interface DuckDbTargetOptions {
  /** The database file; created with its tables when missing. `:memory:` for a throwaway database. */
  file: string;
  /**
   * Lets DuckDB read the events that convert exactly from their stored lines (`read_json`), instead
   * of the loader staging every value: several times faster. Off, every event is staged (the
   * reference the direct path is tested against). @default true
   */
  convertLines?: boolean;
  /**
   * DuckDB's worker threads. The loader's own thread reads and builds the next batch while DuckDB
   * writes the last, so DuckDB gets the other cores: on two, one DuckDB thread loaded 200,000
   * events in 5.6 s where two took 8.0 s (three busy threads on two cores).
   * @default the cores less one, at least 1
   */
  threads?: number;
}

function duckDbThreads(): number {
  return Math.max(1, availableParallelism() - 1);
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
    // A checkpoint rewrites the `events` key index whole, and at DuckDB's default (16 MB of WAL) a
    // batch of 10,000 events set one off at almost every commit. The WAL is replayed after a crash.
    instance = await DuckDBInstance.create(options.file, { checkpoint_threshold: DUCKDB_CHECKPOINT_THRESHOLD, threads: String(options.threads ?? duckDbThreads()) });
    connection = await instance.connect();
  } catch (error) {
    throw new WarehouseError(WarehouseErrorCode.TARGET_UNAVAILABLE, `cannot open the DuckDB database ${options.file}: ${(error as Error).message}`, { cause: error });
  }
  const run = async (sql: string): Promise<void> => {
    await connection.run(sql);
  };
  const rows = async (sql: string, values?: readonly (string | number | null)[]): Promise<Record<string, unknown>[]> => (await connection.runAndReadAll(sql, values as (string | number | null)[] | undefined)).getRowObjectsJS();
  // `transaction()` opens one that `apply` joins: a backfill's or reprocess's batches commit together.
  let state: 'idle' | 'in-transaction' = 'idle';
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

  // Whether the next batch is written assuming its ids are new (see apply).
  let expectNew = true;
  let checkedBatches = 0;
  // Where a batch's lines are written for DuckDB's read_json (applyDirect); removed on close.
  const scratch = await mkdtemp(path.join(tmpdir(), 'tracklane-warehouse-'));

  /** Writes a batch in one transaction (see `apply`); `ids`: how `events` is written (applyDirect). */
  async function write(source: string, batch: LoadBatch, positions: readonly SourcePosition[], ids: DirectIds): Promise<void> {
    const staged: string[] = [];
    const stage = async (name: string, columns: readonly SqlColumn[], data: readonly (readonly (string | number | null)[])[]): Promise<void> => {
      staged.push(name);
      await stageRows(connection, name, columns, data);
    };
    const own = state === 'idle';
    try {
      if (own) await run('BEGIN TRANSACTION');
      try {
        const fresh = new Set<string>();
        if (batch.direct && batch.direct.length > 0) {
          staged.push('direct_batch', 'direct_fresh');
          for (const id of await applyDirect(connection, path.join(scratch, 'batch.jsonl'), batch.direct, batch.loadedAt, ids)) fresh.add(id);
        }
        if (batch.events.length > 0) {
          await stage('stage_events', EVENTS_SQL_COLUMNS, batch.events.map((e) => e.values));
          for (const row of await rows(`${insertFromStageSql('events', 'stage_events', EVENTS_SQL_COLUMNS, 'nothing')} RETURNING event_id`)) fresh.add(row.event_id as string);
          // Events loaded before (a replay, another collector): the earliest collector time wins, through the key's index.
          const again = batch.events.filter((e) => !fresh.has(e.eventId));
          if (again.length > 0) {
            await stage('stage_events_again', EVENTS_SQL_COLUMNS, again.map((e) => e.values));
            await run(insertFromStageSql('events', 'stage_events_again', EVENTS_SQL_COLUMNS, 'earliest-collector-time', ['event_id']));
          }
        }
        // Data rows of the events new to `events` only: those of the others are there already.
        for (const [i, family] of familyStages(batch.events.filter((e) => fresh.has(e.eventId))).entries()) {
          await stage(`stage_family_${i}`, family.columns, family.rows);
          await run(insertFromStageSql(family.shape.table, `stage_family_${i}`, family.columns, 'none'));
        }
        if (batch.quarantine.length > 0) {
          await stage('stage_quarantine', QUARANTINE_COLUMNS, quarantineRows(source, batch));
          await run(insertFromStageSql(QUARANTINE_TABLE, 'stage_quarantine', QUARANTINE_COLUMNS, 'nothing'));
        }
        if (positions.length > 0) {
          await stage('stage_manifest', MANIFEST_COLUMNS, manifestRows(source, positions, batch.loadedAt));
          await run(insertFromStageSql(MANIFEST_TABLE, 'stage_manifest', MANIFEST_COLUMNS, 'update', MANIFEST_KEY));
        }
        if (own) await run('COMMIT');
      } catch (error) {
        if (own) await run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } catch (error) {
      throw new WarehouseError(WarehouseErrorCode.TARGET_UNAVAILABLE, `cannot write to ${options.file}: ${(error as Error).message}`, { cause: error });
    } finally {
      for (const name of staged) await run(`DROP TABLE IF EXISTS temp.${quoteIdent(name)}`).catch(() => undefined);
    }
  
  }

  return {
    name: options.file,
    convertsLines: options.convertLines ?? true,
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
      // No key: a data row is written only with its event's first row in `events`, whose key keeps it once.
      await run(createTableSql(spec.table, [...keys, ...model], []));
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
      // In its own transaction, a batch first assumes its ids are new (a plain INSERT, no check per
      // row: the costliest part of the write); one that is not rolls back and is written again,
      // checking each id.
      if (state === 'idle' && expectNew) {
        try {
          return await write(source, batch, positions, 'assume-new');
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
          expectNew = false;
        }
      }
      await write(source, batch, positions, 'check');
      // Duplicates come in runs (a replay, a store loaded again): the next batches check, then new ids are assumed again.
      if (!expectNew && ++checkedBatches >= CHECKED_BATCHES) [expectNew, checkedBatches] = [true, 0];
    },
    transaction: async <T>(work: (sql: SqlSession) => Promise<T>): Promise<T> => {
      const session: SqlSession = { dialect: 'duckdb', run: async (sql, values) => void (await rows(sql, values)), rows };
      // Inside another: joins it (the outer one commits or rolls back).
      if (state === 'in-transaction') return work(session);
      await run('BEGIN TRANSACTION');
      state = 'in-transaction';
      try {
        const result = await work(session);
        await run('COMMIT');
        return result;
      } catch (error) {
        await run('ROLLBACK').catch(() => undefined);
        if (error instanceof WarehouseError) throw error;
        throw new WarehouseError(WarehouseErrorCode.TARGET_UNAVAILABLE, `cannot write to ${options.file}: ${(error as Error).message}`, { cause: error });
      } finally {
        state = 'idle';
      }
    },
    close: async () => {
      connection.closeSync();
      instance.closeSync();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}
