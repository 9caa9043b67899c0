import { WarehouseError, WarehouseErrorCode } from '../errors.js';
import { buildRows } from '../load/build-rows.js';
import { systemClock, type Clock } from '../load/clock.js';
import { LOAD_DEFAULTS } from '../load/load-warehouse.js';
import { parseLine } from '../load/parse-line.js';
import { TableCache } from '../load/table-cache.js';
import { refreshSessions } from '../derived/sessions.js';
import { requireTransaction } from '../derived/with-sessions.js';
import type { WarehouseModel } from '../model/derive-model.js';
import { quoteIdent, quoteText } from '../model/naming.js';
import type { Source, SourcePosition, StoredLine } from '../source/source.js';
import type { SqlSession, Target } from '../target/target.js';

export interface BackfillOptions {
  /** The raw store to rebuild from (every part file is read: see `backfillWindow`). */
  source: Source;
  target: Target;
  model: WarehouseModel;
  /** Start of the window, inclusive: an event time (`event_tstamp`), ISO 8601. */
  since: string;
  /** End of the window, exclusive. */
  until: string;
  /** Most lines read, and loaded in one `apply`, at a time. @default 10000 */
  batchSize?: number;
  /** @default the system clock */
  clock?: Clock;
  /** Called after each applied batch with the totals so far. @default none */
  onBatch?: (summary: Readonly<BackfillSummary>) => void;
}

export interface BackfillSummary {
  /** The window, ISO 8601 UTC: [since, until). */
  since: string;
  until: string;
  /** Rows of `events` deleted (with their data rows) and replaced: the target's events of the window, and any of the store's window it had elsewhere. */
  deleted: number;
  /** Event rows of the window written or confirmed (one per event id of each batch, like a load). */
  events: number;
  /** Lines read (of the whole store). */
  lines: number;
  /** Bytes read. */
  bytes: number;
  /** Events of the window that went to quarantine (a row there already is kept). */
  quarantined: number;
}

/**
 * Rebuilds the events whose event time is in [since, until) from the raw store, and swaps them in
 * in one transaction. The window is in event time because that is where a clean load puts an
 * event (`event_date`, the lake's partitions); the raw store is partitioned by receive time and a
 * late event can sit in any later hour, so the whole store is read.
 *
 * All of it runs in one `Target.transaction`, through the target's own `apply`, so one code path
 * serves DuckDB and PostgreSQL: (1) the ids of the store's window events are collected into a temp
 * table; (2) every row of those events and of the target's window events leaves `events` and each
 * data table (one DELETE per table); (3) the window's good lines are loaded with the load's own
 * rules (earliest collector time wins, quarantine rows added where missing) by `apply`, which joins
 * the transaction; (4) `sessions` is refreshed. The manifest does not move: lines outside the
 * window were not loaded. A failure before the commit leaves the window as it was.
 *
 * Why not a scratch database (the first design: a DuckDB file loaded apart, then ATTACHed): it
 * has no PostgreSQL twin short of a scratch schema and its grants, and it needed a second copy of
 * the swap, column lists and all, per dialect. It was there because DuckDB before 1.2 refused to
 * insert a key deleted earlier in the same transaction; the DuckDB here (1.5) takes it. What this
 * costs: the store is read twice (ids, then rows: reading is a small part of a load's time), and on
 * PostgreSQL the transaction is open for the whole backfill, so a loader of the same source waits
 * for it at its next batch (apply's advisory lock), and one writing an event being rebuilt waits
 * on its row.
 */
export async function backfillWindow(options: BackfillOptions): Promise<BackfillSummary> {
  const since = windowEdge(options.since, 'since');
  const until = windowEdge(options.until, 'until');
  if (since.ms >= until.ms) throw new WarehouseError(WarehouseErrorCode.INVALID_CONFIG, `backfill: --since (${options.since}) must be before --until (${options.until})`);
  const transaction = requireTransaction(options.target, 'backfill');
  const summary: BackfillSummary = { since: since.iso, until: until.iso, deleted: 0, events: 0, lines: 0, bytes: 0, quarantined: 0 };
  await transaction(async (sql) => {
    for (const table of TEMP_TABLES) await sql.run(`DROP TABLE IF EXISTS ${table}`);
    await sql.run('CREATE TEMP TABLE backfill_ids (event_id VARCHAR PRIMARY KEY)');
    await readWindow(options, since.ms, until.ms, async (lines) => {
      const ids = [...new Set(lines.map((line) => line.id))];
      if (ids.length > 0) await sql.run(`INSERT INTO backfill_ids VALUES ${ids.map((id) => `(${quoteText(id)})`).join(', ')} ON CONFLICT DO NOTHING`);
    });
    // The edges inline (our own ISO text): PostgreSQL takes no parameters in CREATE TABLE AS.
    await sql.run(
      `CREATE TEMP TABLE backfill_events AS SELECT event_id, session_id FROM events
       WHERE (event_tstamp >= CAST(${quoteText(since.iso)} AS TIMESTAMPTZ) AND event_tstamp < CAST(${quoteText(until.iso)} AS TIMESTAMPTZ)) OR event_id IN (SELECT event_id FROM backfill_ids)`,
    );
    const [deleted] = await sql.rows('SELECT CAST(count(*) AS INTEGER) AS n FROM backfill_events');
    summary.deleted = Number(deleted?.n ?? 0);
    // Every id to clear, the store's (data rows an `events` row no longer points to included) and the target's.
    await sql.run('INSERT INTO backfill_ids SELECT event_id FROM backfill_events ON CONFLICT DO NOTHING');
    for (const table of [...(await dataTables(sql)), 'events']) await sql.run(`DELETE FROM ${quoteIdent(table)} WHERE event_id IN (SELECT event_id FROM backfill_ids)`);
    const tables = new TableCache(options.target);
    const clock = options.clock ?? systemClock;
    await readWindow(options, since.ms, until.ms, async (lines, read) => {
      const batch = await buildRows(lines.map((line) => line.stored), options.model, tables, new Date(clock.now()).toISOString());
      // The source's name, as a clean load writes it into quarantine; no positions: the manifest stays.
      await options.target.apply(options.source.name, batch, []);
      summary.lines += read.lines;
      summary.bytes += read.bytes;
      summary.events += batch.events.length;
      summary.quarantined += batch.quarantine.length;
      options.onBatch?.(summary);
    });
    // The sessions of the events deleted too: one whose events all moved out of the window must go.
    await refreshSessions(sql, { alsoFrom: 'backfill_events' });
    for (const table of TEMP_TABLES) await sql.run(`DROP TABLE IF EXISTS ${table}`);
  });
  return summary;
}

const TEMP_TABLES = ['backfill_ids', 'backfill_events'] as const;

/** Reads the whole store in batches and hands each batch's good lines of the window (with their ids) to `work`, with what was read. */
async function readWindow(options: BackfillOptions, since: number, until: number, work: (lines: { id: string; stored: StoredLine }[], read: { lines: number; bytes: number }) => Promise<void>): Promise<void> {
  const positions = new Map<string, SourcePosition>();
  for (;;) {
    const read = await options.source.read(positions, options.batchSize ?? LOAD_DEFAULTS.batchSize);
    if (read.positions.length === 0) return;
    let bytes = 0;
    for (const position of read.positions) {
      bytes += position.offset - (positions.get(position.key)?.offset ?? 0);
      positions.set(position.key, position);
    }
    const lines = read.lines.flatMap((stored) => {
      const id = windowEventId(stored, since, until);
      return id === undefined ? [] : [{ id, stored }];
    });
    await work(lines, { lines: read.lines.length, bytes });
  }
}

/** The event id of a good line whose event time (ts.true, else ts.created: `event_tstamp`) is in the window; undefined for any other line. */
function windowEventId(line: StoredLine, since: number, until: number): string | undefined {
  if (line.kind !== 'good') return undefined;
  const parsed = parseLine(line);
  if (parsed.kind !== 'record') return undefined;
  const { ts, id } = parsed.record.envelope;
  const time = Date.parse(ts.true ?? ts.created);
  return time >= since && time < until ? id : undefined;
}

/** Every table of the database (not the temp or attached ones) with an `event_id` column but `events` and `quarantine`: the data tables. */
async function dataTables(sql: SqlSession): Promise<string[]> {
  const found = await sql.rows(`SELECT DISTINCT table_name FROM information_schema.columns WHERE column_name = 'event_id' AND table_catalog = current_database() AND table_schema = current_schema() AND table_name NOT IN ('events', 'quarantine') ORDER BY table_name`);
  return found.map((r) => r.table_name as string);
}

/** A window edge: an ISO 8601 date (midnight UTC) or date-time with an offset. */
function windowEdge(text: string, flag: string): { iso: string; ms: number } {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : /^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:\d{2})$/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) throw new WarehouseError(WarehouseErrorCode.INVALID_CONFIG, `backfill: --${flag} must be a date (2026-12-06, midnight UTC) or a date-time with an offset (2026-12-06T08:00:00Z), not ${JSON.stringify(text)}`);
  return { iso: new Date(ms).toISOString(), ms };
}
