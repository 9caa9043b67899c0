import { writeFile } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { EVENTS_COLUMNS } from '../model/events-table.js';
import { quoteText } from '../model/naming.js';
import { EVENTS_SQL_COLUMNS, insertSelectSql } from './duckdb-sql.js';
import { stageRows } from './duckdb-stage.js';
import { familyColumns } from './duckdb-stages.js';
import type { DirectEvent, TableShape } from './target.js';

/**
 * The envelope as DuckDB reads it from a stored line: the fields `events` takes, typed (DuckDB's
 * fastest JSON path: one pass, no per-field extraction), event and entity data kept as JSON for
 * json_transform into each family's columns.
 */
const READ_ENVELOPE =
  'STRUCT(id VARCHAR, event STRUCT(schema VARCHAR, data JSON), entities STRUCT(schema VARCHAR, data JSON)[], ' +
  'ts STRUCT(created TIMESTAMPTZ, sent TIMESTAMPTZ, "true" TIMESTAMPTZ), app STRUCT(id VARCHAR, platform VARCHAR, version VARCHAR), ' +
  'tracker STRUCT(name VARCHAR, version VARCHAR, namespace VARCHAR), "user" STRUCT(anonymousId VARCHAR, userId VARCHAR, sessionId VARCHAR, sessionIndex BIGINT), ' +
  'consent STRUCT(purposes JSON, policyVersion VARCHAR, source VARCHAR), page STRUCT(url VARCHAR, referrer VARCHAR, title VARCHAR), ' +
  'device STRUCT(userAgent VARCHAR, language VARCHAR, timezone VARCHAR, screen VARCHAR))';

const BATCH = 'temp.direct_batch';
const FRESH = 'temp.direct_fresh';

export type DirectIds = 'check' | 'assume-new';

/** DuckDB's refusal of a key already in the table (its errors carry no code: the message names the kind). */
export function isDuplicateKey(error: unknown): boolean {
  const message = error instanceof Error ? error.message : '';
  return message.startsWith('Constraint Error: Duplicate key') || (error instanceof Error && isDuplicateKey(error.cause));
}

/**
 * Writes events handed over as their stored lines (`LoadBatch.direct`): the lines go to `file`,
 * DuckDB reads them with `read_json` into a temp table, and `events` and each family table are
 * filled from it by SQL, in the caller's transaction. The loader checked that every value converts
 * exactly as staging would (convertsDirectly), so this gives the rows the staged path gives.
 * Returns the ids new to `events`; of the others the earliest collector time wins, and their data
 * rows are not written again. `ids`: `check` finds the ids already there (ON CONFLICT);
 * `assume-new` writes with a plain INSERT, which the key's index refuses if one is there
 * (isDuplicateKey): the caller then rolls back and writes the batch again with `check`.
 */
export async function applyDirect(connection: DuckDBConnection, file: string, events: readonly DirectEvent[], loadedAt: string, ids: DirectIds): Promise<Set<string>> {
  await writeFile(file, events.map((e) => e.line).join('\n'));
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE direct_batch AS SELECT receivedAt AS received_at, envelope AS e, CAST(${quoteText(loadedAt)} AS TIMESTAMPTZ) AS loaded_at ` +
      `FROM read_json(${quoteText(file)}, format = 'newline_delimited', maximum_object_size = 16777216, columns = {receivedAt: 'TIMESTAMPTZ', envelope: ${quoteText(READ_ENVELOPE)}})`,
  );
  const select = `SELECT ${EVENTS_COLUMNS.map((c) => c.sql).join(', ')} FROM ${BATCH}`;
  if (ids === 'assume-new') {
    await connection.run(insertSelectSql('events', EVENTS_SQL_COLUMNS, select, 'none'));
    await insertFamilies(connection, events, '');
    return new Set(events.map((e) => e.eventId));
  }
  const inserted = await connection.runAndReadAll(`${insertSelectSql('events', EVENTS_SQL_COLUMNS, select, 'nothing')} RETURNING event_id`);
  const fresh = new Set(inserted.getColumnsJS()[0]?.map(String) ?? []);
  // Landed before (a replay, another collector): the earliest collector time wins; data rows stay as they are.
  await stageRows(connection, 'direct_fresh', [{ name: 'id', type: 'VARCHAR' }], [...fresh].map((id) => [id]));
  await connection.run(insertSelectSql('events', EVENTS_SQL_COLUMNS, `${select} WHERE e.id NOT IN (SELECT id FROM ${FRESH})`, 'earliest-collector-time', ['event_id']));
  await insertFamilies(connection, events, ` AND e.id IN (SELECT id FROM ${FRESH})`);
  return fresh;
}

/** The data rows of the batch's events (`onlyFresh`: a condition on `e` keeping those new to `events`). */
async function insertFamilies(connection: DuckDBConnection, events: readonly DirectEvent[], onlyFresh: string): Promise<void> {
  for (const { shape, uris } of tablesOf(events)) {
    const list = [...uris].map(quoteText).join(', ');
    // Each part's data converted once (json_transform), then its fields taken out.
    const parts =
      shape.role === 'event'
        ? `SELECT e.id AS id, e.event.schema AS schema, e.event.data AS data FROM ${BATCH} WHERE e.event.schema IN (${list})${onlyFresh}`
        : `SELECT id, position, entity.schema AS schema, entity.data AS data FROM (` +
          `SELECT e.id AS id, unnest(e.entities) AS entity, unnest(range(len(e.entities))) AS position FROM ${BATCH} WHERE len(e.entities) > 0${onlyFresh}` +
          `) WHERE entity.schema IN (${list})`;
    const keys = shape.role === 'event' ? 'id' : 'id, position';
    const typed = `SELECT ${keys}, split_part(schema, '/', 4) AS version, ${dataStruct(shape)} AS d FROM (${parts})`;
    const fields = shape.columns.map((c) => `, struct_extract(d, ${quoteText(c.property)})`).join('');
    await connection.run(insertSelectSql(shape.table, familyColumns(shape), `SELECT ${keys}, version${fields} FROM (${typed})`, 'none'));
  }
}

/** Each family table the events write, with the schema URIs (versions) whose parts go there. */
function tablesOf(events: readonly DirectEvent[]): { shape: TableShape; uris: Set<string> }[] {
  const tables = new Map<string, { shape: TableShape; uris: Set<string> }>();
  for (const event of events) {
    for (const part of event.parts) {
      let entry = tables.get(part.shape.table);
      if (!entry) tables.set(part.shape.table, (entry = { shape: part.shape, uris: new Set() }));
      entry.uris.add(part.uri);
    }
  }
  return [...tables.values()];
}

/** The part's data as a STRUCT of the family's columns (json_transform: one pass, each field cast to its column type). */
function dataStruct(shape: TableShape): string {
  if (shape.columns.length === 0) return 'NULL';
  const structure = JSON.stringify(Object.fromEntries(shape.columns.map((c) => [c.property, c.type])));
  return `json_transform(data, ${quoteText(structure)})`;
}
