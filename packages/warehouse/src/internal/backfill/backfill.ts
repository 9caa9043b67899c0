import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WarehouseError, WarehouseErrorCode } from '../errors.js';
import { buildRows } from '../load/build-rows.js';
import { systemClock, type Clock } from '../load/clock.js';
import { LOAD_DEFAULTS } from '../load/load-warehouse.js';
import { parseLine } from '../load/parse-line.js';
import { TableCache } from '../load/table-cache.js';
import { refreshSessions } from '../derived/sessions.js';
import { requireTransaction } from '../derived/with-sessions.js';
import type { WarehouseModel } from '../model/derive-model.js';
import { EVENTS_COLUMNS } from '../model/events-table.js';
import { quoteIdent, quoteText } from '../model/naming.js';
import type { Source, SourcePosition, StoredLine } from '../source/source.js';
import { openDuckDbTarget } from '../target/duckdb-target.js';
import type { FamilyTableSpec, SqlSession, Target } from '../target/target.js';

export interface BackfillOptions {
  /** The raw store to rebuild from (every part file is read: see `backfillWindow`). */
  source: Source;
  target: Target;
  model: WarehouseModel;
  /** Start of the window, inclusive: an event time (`event_tstamp`), ISO 8601. */
  since: string;
  /** End of the window, exclusive. */
  until: string;
  /** Most lines read and loaded into the scratch at a time. @default 10000 */
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
 * First every good line of the window is loaded, with the load's own rules (the earliest collector
 * time wins), into a scratch DuckDB file beside nothing else. Then, in one transaction of the
 * target: the rows of the window's events (those the target has in the window and those the store
 * has) are deleted from `events` and every data table, the scratch's rows are inserted, the
 * scratch's quarantine rows added where missing, and `sessions` refreshed. The manifest does not
 * move: lines outside the window were not loaded. A failure before the commit leaves the window as
 * it was. (Through a scratch, and `events` rows updated in place rather than deleted and
 * inserted, because DuckDB's key index refuses a key deleted earlier in the same transaction, and
 * its `ON CONFLICT DO UPDATE` can see the deleted row.)
 */
export async function backfillWindow(options: BackfillOptions): Promise<BackfillSummary> {
  const { target } = options;
  const since = windowEdge(options.since, 'since');
  const until = windowEdge(options.until, 'until');
  if (since.ms >= until.ms) throw new WarehouseError(WarehouseErrorCode.INVALID_CONFIG, `backfill: --since (${options.since}) must be before --until (${options.until})`);
  const transaction = requireTransaction(target, 'backfill');
  // The scratch is attached to the target: DuckDB's ATTACH.
  if ((await transaction((sql) => Promise.resolve(sql.dialect))) !== 'duckdb') throw new WarehouseError(WarehouseErrorCode.INVALID_CONFIG, `backfill needs a DuckDB target for now; ${target.name} is not one`);
  const dir = await mkdtemp(path.join(tmpdir(), 'tracklane-backfill-'));
  const file = path.join(dir, 'window.duckdb');
  try {
    const summary: BackfillSummary = { since: since.iso, until: until.iso, deleted: 0, events: 0, lines: 0, bytes: 0, quarantined: 0 };
    const specs = await loadScratch(file, options, since.ms, until.ms, summary);
    // Attached and detached in transactions of their own, around the one that writes.
    await transaction((sql) => sql.run(`ATTACH ${quoteText(file)} AS ${SCRATCH} (READ_ONLY)`));
    try {
      await transaction(async (sql) => {
        await sql.run(
          `CREATE OR REPLACE TEMP TABLE backfill_events AS SELECT event_id, session_id FROM events WHERE event_tstamp >= CAST($1 AS TIMESTAMPTZ) AND event_tstamp < CAST($2 AS TIMESTAMPTZ)
           UNION SELECT event_id, session_id FROM ${SCRATCH}.events`,
          [since.iso, until.iso],
        );
        const [deleted] = await sql.rows('SELECT CAST(count(*) AS INTEGER) AS n FROM events WHERE event_id IN (SELECT event_id FROM backfill_events)');
        summary.deleted = Number(deleted?.n ?? 0);
        for (const spec of specs) await target.ensureTable(spec);
        const tables = new Set([...(await dataTables(sql)), ...specs.map((s) => s.table)]);
        for (const table of tables) await sql.run(`DELETE FROM ${quoteIdent(table)} WHERE event_id IN (SELECT event_id FROM backfill_events)`);
        // `events` keeps the keys the scratch has too, updated in place: DuckDB refuses to insert a key deleted earlier in the transaction.
        await sql.run(`DELETE FROM events WHERE event_id IN (SELECT event_id FROM backfill_events) AND event_id NOT IN (SELECT event_id FROM ${SCRATCH}.events)`);
        const set = EVENTS_COLUMNS.filter((c) => c.name !== 'event_id').map((c) => `${quoteIdent(c.name)} = s.${quoteIdent(c.name)}`).join(', ');
        await sql.run(`UPDATE events SET ${set} FROM ${SCRATCH}.events AS s WHERE events.event_id = s.event_id`);
        // By name: the target's table may have its columns in another order, or more of them (a newer version).
        await sql.run(`INSERT INTO events BY NAME SELECT * FROM ${SCRATCH}.events WHERE event_id NOT IN (SELECT event_id FROM events)`);
        for (const spec of specs) await sql.run(`INSERT INTO ${quoteIdent(spec.table)} BY NAME SELECT * FROM ${SCRATCH}.${quoteIdent(spec.table)}`);
        await sql.run(`INSERT INTO quarantine BY NAME SELECT * FROM ${SCRATCH}.quarantine ON CONFLICT DO NOTHING`);
        // The sessions of the events deleted too: one whose events all moved out of the window must go.
        await refreshSessions(sql, { alsoFrom: 'backfill_events' });
        await sql.run('DROP TABLE backfill_events');
      });
    } finally {
      await transaction((sql) => sql.run(`DETACH ${SCRATCH}`)).catch(() => undefined);
    }
    return summary;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const SCRATCH = 'tracklane_backfill';

/** Loads the window's good lines into a fresh DuckDB file with the load's rules; the family tables it created. */
async function loadScratch(file: string, options: BackfillOptions, since: number, until: number, summary: BackfillSummary): Promise<FamilyTableSpec[]> {
  const scratch = await openDuckDbTarget({ file });
  const specs = new Map<string, FamilyTableSpec>();
  try {
    const tables = new TableCache({ ...scratch, ensureTable: (spec) => (specs.set(spec.table, spec), scratch.ensureTable(spec)) });
    const clock = options.clock ?? systemClock;
    const positions = new Map<string, SourcePosition>();
    for (;;) {
      const read = await options.source.read(positions, options.batchSize ?? LOAD_DEFAULTS.batchSize);
      if (read.positions.length === 0) break;
      for (const position of read.positions) {
        summary.bytes += position.offset - (positions.get(position.key)?.offset ?? 0);
        positions.set(position.key, position);
      }
      const batch = await buildRows(read.lines.filter((line) => inWindow(line, since, until)), options.model, tables, new Date(clock.now()).toISOString());
      // The source's name, as a clean load writes it into quarantine; no positions: the scratch keeps no manifest.
      await scratch.apply(options.source.name, batch, []);
      summary.lines += read.lines.length;
      summary.events += batch.events.length;
      summary.quarantined += batch.quarantine.length;
      options.onBatch?.(summary);
    }
  } finally {
    await scratch.close();
  }
  return [...specs.values()];
}

/** A good line whose event time (ts.true, else ts.created: `event_tstamp`) is in the window. */
function inWindow(line: StoredLine, since: number, until: number): boolean {
  if (line.kind !== 'good') return false;
  const parsed = parseLine(line);
  if (parsed.kind !== 'record') return false;
  const ts = parsed.record.envelope.ts;
  const time = Date.parse(ts.true ?? ts.created);
  return time >= since && time < until;
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
