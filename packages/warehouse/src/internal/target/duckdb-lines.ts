import type { DuckDBConnection } from '@duckdb/node-api';
import { tableNameFor } from '../model/derive-model.js';
import { EVENTS_COLUMNS } from '../model/events-table.js';
import { quoteIdent, quoteText } from '../model/naming.js';
import { modelKey, parseSchemaUri } from '../model/schema-key.js';
import type { StoredLine } from '../source/source.js';
import { ENVELOPE_FITS_SQL, LINE_STRUCTURE, eventsValueSql, field, fitsSql, pointer, valueSql } from './duckdb-lines-sql.js';

const ID = field('$.envelope.id');
const SCHEMA = field('$.envelope.event.schema');
const DATA = field('$.envelope.event.data');
const ENTITIES = field('$.envelope.entities');
import type { LinesPlan, PreparedRows, TableShape } from './target.js';

/** The temporary tables of the fast path, dropped after each batch. */
export const LINE_STAGES = ['wh_lines', 'wh_parsed', 'wh_parts', 'wh_kinds', 'wh_bad'] as const;

export interface PreparedLines extends PreparedRows {
  /** The lines the JS path must place (buildRows), in their order. */
  fallback: StoredLine[];
}

/**
 * The DuckDB fast path: a batch's good lines go into a temporary table as they are (one value per
 * line, no JSON.parse and no per-value staging in JS), DuckDB's JSON functions read their fields,
 * and the events whose every value provably fits (the predicates of duckdb-lines-sql.ts) are
 * written by INSERT ... SELECT. Every other line takes the JS path: not JSON, a bad-store line, an
 * unknown schema, a value that may not fit, an id seen twice in the batch (the earliest collector
 * time must win) or already in `events` (a re-load, a replay). The two paths never share an event
 * id, so the rows are those the JS path alone would write. Runs before the transaction: it creates
 * the family tables it needs (as buildRows does), and writes only temporary tables.
 */
export async function prepareLines(connection: DuckDBConnection, lines: readonly StoredLine[], plan: LinesPlan): Promise<PreparedLines> {
  const run = async (sql: string): Promise<number> => Number((await connection.run(sql)).rowsChanged);
  const rows = async (sql: string): Promise<Record<string, unknown>[]> => (await connection.runAndReadAll(sql)).getRowObjectsJS();
  const staged: number[] = [];
  await run('CREATE OR REPLACE TEMP TABLE wh_lines (n INTEGER, line VARCHAR)');
  const appender = await connection.createAppender('wh_lines', 'main', 'temp');
  try {
    for (const [n, line] of lines.entries()) {
      if (line.kind !== 'good' || line.truncated) continue;
      appender.appendInteger(n);
      appender.appendVarchar(line.text);
      appender.endRow();
      staged.push(n);
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  // from_json reads a JSON null as NULL, and the JS path refuses `entities: null`: the line tells, where it matters.
  await run(`CREATE OR REPLACE TEMP TABLE wh_parsed AS
    SELECT n, j, CASE WHEN j IS NOT NULL AND ${ENTITIES.json} IS NULL THEN json_type(line, '$.envelope.entities') END AS entities_type
    FROM (SELECT n, line, try(from_json(line, ${quoteText(LINE_STRUCTURE)})) AS j FROM temp.wh_lines)`);
  // Of several lines of one id (whatever else is wrong with them) the JS path decides which wins or is quarantined.
  await run(`CREATE OR REPLACE TEMP TABLE wh_bad AS SELECT n FROM temp.wh_parsed WHERE ${ID.text} IN (SELECT ${ID.text} FROM temp.wh_parsed GROUP BY 1 HAVING count(*) > 1)`);
  await run(`INSERT INTO temp.wh_bad SELECT n FROM temp.wh_parsed WHERE NOT coalesce(CASE WHEN j IS NULL THEN false ELSE ${ENVELOPE_FITS_SQL} END, false)`);
  await run(`DELETE FROM temp.wh_parsed WHERE n IN (SELECT n FROM temp.wh_bad)`);
  // One already loaded may be updated (the earliest collector time wins): the JS path decides.
  await run(`INSERT INTO temp.wh_bad SELECT n FROM temp.wh_parsed WHERE ${ID.text} IN (SELECT event_id FROM main.events)`);
  await run(`CREATE OR REPLACE TEMP TABLE wh_parts AS
    SELECT n, CAST(NULL AS INTEGER) AS position, ${SCHEMA.text} AS uri, ${DATA.json} AS data FROM temp.wh_parsed
    UNION ALL
    SELECT n, CAST(position AS INTEGER), json_extract_string(entity, '$.schema'), json_extract(entity, '$.data') FROM (
      SELECT n, unnest(range(len(list))) AS position, unnest(list) AS entity FROM (SELECT n, CAST(${ENTITIES.json} AS JSON[]) AS list FROM temp.wh_parsed WHERE ${ENTITIES.type} = 'ARRAY'))`);

  // Each schema of the batch, in its role: a table when the model knows it and has no conflict in it, else the JS path's refusal.
  const kinds: { uri: string; role: 'event' | 'entity'; shape: TableShape; vendor: string; name: string; version: string }[] = [];
  for (const found of await rows(`SELECT DISTINCT uri, position IS NULL AS is_event FROM temp.wh_parts WHERE uri IS NOT NULL`)) {
    const uri = found.uri as string;
    const role = found.is_event ? 'event' : 'entity';
    const key = parseSchemaUri(uri);
    const family = key ? plan.model.families.get(modelKey(key)) : undefined;
    const version = key ? family?.versions.get(key.version) : undefined;
    if (!key || !family || !version || version.conflicts.length > 0) continue;
    kinds.push({ uri, role, shape: await plan.table({ table: tableNameFor(family, role), role, family }), vendor: key.vendor, name: key.name, version: key.version });
  }
  const tables = [...new Map(kinds.map((k) => [k.shape.table, k.shape])).values()];
  await run(`CREATE OR REPLACE TEMP TABLE wh_kinds (uri VARCHAR, is_event BOOLEAN, table_index INTEGER, vendor VARCHAR, name VARCHAR, version VARCHAR)`);
  if (kinds.length > 0) {
    const values = kinds.map((k) => `(${quoteText(k.uri)}, ${k.role === 'event'}, ${tables.findIndex((t) => t.table === k.shape.table)}, ${quoteText(k.vendor)}, ${quoteText(k.name)}, ${quoteText(k.version)})`);
    await run(`INSERT INTO temp.wh_kinds VALUES ${values.join(', ')}`);
  }
  await run(`INSERT INTO temp.wh_bad SELECT p.n FROM temp.wh_parts p LEFT JOIN temp.wh_kinds k ON k.uri = p.uri AND k.is_event = (p.position IS NULL)
    WHERE k.uri IS NULL OR NOT (p.data IS NULL OR json_type(p.data) IN ('OBJECT', 'NULL'))`);
  const statements: string[] = [];
  for (const [index, shape] of tables.entries()) {
    const from = familyFrom(shape, index);
    await run(`INSERT INTO temp.wh_bad SELECT n FROM ${from} WHERE NOT coalesce(${shape.columns.map((c, i) => fitsSql(c.type, `x[${i + 1}]`, `json_type(x[${i + 1}])`, `xs[${i + 1}]`)).join(' AND ') || 'true'}, false)`);
    const keys = ['event_id', ...(shape.role === 'entity' ? ['position'] : []), 'schema_version'];
    const names = [...keys, ...shape.columns.map((c) => c.name)].map(quoteIdent).join(', ');
    const values = [`id`, ...(shape.role === 'entity' ? ['position'] : []), 'version', ...shape.columns.map((c, i) => valueSql(c.type, `x[${i + 1}]`, `json_type(x[${i + 1}])`, `xs[${i + 1}]`))].join(', ');
    statements.push(`INSERT INTO ${quoteIdent(shape.table)} (${names}) SELECT ${values} FROM ${from} WHERE n NOT IN (SELECT n FROM temp.wh_bad)`);
  }
  const bad = new Set((await rows(`SELECT DISTINCT n FROM temp.wh_bad`)).map((r) => r.n as number));
  const events = staged.length - bad.size;
  if (events > 0) {
    const names = EVENTS_COLUMNS.map((c) => quoteIdent(c.name)).join(', ');
    const values = EVENTS_COLUMNS.map((c) => eventsValueSql(c.name, plan.loadedAt)).join(', ');
    statements.unshift(`INSERT INTO main.events (${names}) SELECT ${values} FROM temp.wh_parsed p JOIN temp.wh_kinds k ON k.uri = ${field('$.envelope.event.schema', 'p').text} AND k.is_event WHERE p.n NOT IN (SELECT n FROM temp.wh_bad)`);
  } else statements.length = 0;
  const fallback = lines.filter((line, n) => line.kind !== 'good' || line.truncated || bad.has(n));
  return { events, fallback, statements };
}

/** The parts of one family table, with their values read at once: `x` JSON, `xs` text, by column. */
function familyFrom(shape: TableShape, index: number): string {
  const paths = `[${shape.columns.map((c) => quoteText(pointer(c.property))).join(', ')}]`;
  const list = shape.columns.length > 0;
  return `(SELECT p.n, p.position, p.id, k.version, x, xs FROM (
      SELECT wp.n, wp.position, ${field('$.envelope.id', 'parsed').text} AS id, wp.uri, wp.position IS NULL AS is_event,
        ${list ? `json_extract(wp.data, ${paths})` : 'CAST([] AS JSON[])'} AS x, ${list ? `json_extract_string(wp.data, ${paths})` : 'CAST([] AS VARCHAR[])'} AS xs
      FROM temp.wh_parts wp JOIN temp.wh_parsed parsed USING (n)) p
    JOIN temp.wh_kinds k ON k.uri = p.uri AND k.is_event = p.is_event AND k.table_index = ${index})`;
}
