import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { WarehouseError, WarehouseErrorCode } from '../errors.js';
import { quoteIdent, quoteText } from '../model/naming.js';
import { MANIFEST_TABLE, QUARANTINE_TABLE } from '../target/duckdb-sql.js';

export interface ExportLakeOptions {
  /** The DuckDB database the loader writes (opened read-only: run the export between loads). */
  duckdb: string;
  /** The lake's root: `<dir>/<table>/event_date=YYYY-MM-DD/*.parquet`. */
  dir: string;
}

export interface ExportedTable {
  table: string;
  rows: number;
}

/**
 * Writes the curated tables (`events` and every family table) as a Parquet lake, Hive-partitioned
 * by the event's UTC day (`event_date=2026-12-07/`), which Spark, Trino and DuckDB read as a
 * partition column. Family rows get their event's `event_date`, so a late event lands in the
 * partition of the day it happened, with its data. Each table is written beside the old one and
 * swapped in with renames: a reader sees the previous export or the new one. Quarantine and the
 * manifest stay in the database (the platform team's, not the analysts').
 */
export async function exportLake(options: ExportLakeOptions): Promise<ExportedTable[]> {
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(options.duckdb, { access_mode: 'READ_ONLY' });
  } catch (error) {
    throw new WarehouseError(WarehouseErrorCode.TARGET_UNAVAILABLE, `cannot open the DuckDB database ${options.duckdb} to read it: ${(error as Error).message}`, { cause: error });
  }
  const connection = await instance.connect();
  try {
    const rows = async (sql: string): Promise<Record<string, unknown>[]> => (await connection.runAndReadAll(sql)).getRowObjectsJS();
    const tables = (await rows(`SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND database_name = current_database() ORDER BY table_name`))
      .map((r) => r.table_name as string)
      .filter((t) => t !== QUARANTINE_TABLE && t !== MANIFEST_TABLE);
    if (!tables.includes('events')) throw new WarehouseError(WarehouseErrorCode.TARGET_UNAVAILABLE, `${options.duckdb} has no events table: nothing was loaded into it`);
    const root = path.resolve(options.dir);
    await fs.mkdir(root, { recursive: true });
    const exported: ExportedTable[] = [];
    for (const table of tables) {
      const select = table === 'events' ? 'SELECT * FROM events' : `SELECT f.*, e.event_date FROM ${quoteIdent(table)} f JOIN events e USING (event_id)`;
      const final = path.join(root, table);
      const fresh = path.join(root, `.${table}.new`);
      const old = path.join(root, `.${table}.old`);
      await fs.rm(fresh, { recursive: true, force: true });
      await connection.run(`COPY (${select}) TO ${quoteText(fresh)} (FORMAT parquet, PARTITION_BY (event_date))`);
      const [{ n }] = (await rows(`SELECT count(*) AS n FROM (${select})`)) as [{ n: bigint }];
      await fs.rm(old, { recursive: true, force: true });
      await fs.rename(final, old).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      await fs.rename(fresh, final);
      await fs.rm(old, { recursive: true, force: true });
      exported.push({ table, rows: Number(n) });
    }
    return exported;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
