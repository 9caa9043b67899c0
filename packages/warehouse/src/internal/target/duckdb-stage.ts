import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent } from '../model/naming.js';
import type { SqlColumn } from './duckdb-sql.js';

/**
 * Writes rows into a fresh temporary table of text columns through DuckDB's appender (the fast
 * path: no SQL per row). Every value is text or NULL; the INSERT from the stage casts them, and
 * stageValue already checked that each cast succeeds.
 */
export async function stageRows(connection: DuckDBConnection, stage: string, columns: readonly SqlColumn[], rows: readonly (readonly (string | number | null)[])[]): Promise<void> {
  await connection.run(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(stage)} (${columns.map((c) => `${quoteIdent(c.name)} VARCHAR`).join(', ')})`);
  const appender = await connection.createAppender(stage, 'main', 'temp');
  try {
    for (const row of rows) {
      for (let i = 0; i < columns.length; i++) {
        const value = row[i];
        if (value === null || value === undefined) appender.appendNull();
        else appender.appendVarchar(typeof value === 'number' ? String(value) : value);
      }
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}
