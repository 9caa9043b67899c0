import { WarehouseError, WarehouseErrorCode } from '../errors.js';
import { quoteText } from '../model/naming.js';
import type { SqlSession } from '../target/target.js';

/** The derived `sessions` table: one row per session id, recomputed from `events`. */
export const SESSIONS_TABLE = 'sessions';

/** Where the derived models keep their watermark (the last `load_tstamp` they took in) and settings. */
export const DERIVED_STATE_TABLE = '_tracklane_derived';

export const SESSIONS_DEFAULTS = {
  /**
   * How late an event may arrive and still count in its session: an event whose event time is more
   * than this many days before its collector time is left out of `sessions` (it stays in `events`).
   * Snowplow's `days_late_allowed` default. The rule reads only the event's own times, so every
   * refresh, incremental or full, includes and excludes the same events.
   */
  lookbackDays: 3,
} as const;

export interface RefreshSessionsOptions {
  /** `incremental`: only the sessions of events loaded since the last refresh; `rebuild`: every session. @default 'incremental' */
  mode?: 'incremental' | 'rebuild';
  /** A new lookback, kept for the refreshes after it (a change rebuilds every session). @default the stored one, else SESSIONS_DEFAULTS.lookbackDays */
  lookbackDays?: number;
  /** A temp table with a `session_id` column: sessions to recompute as well (those a backfill removed events from). @default none */
  alsoFrom?: string;
}

export interface RefreshSessionsSummary {
  /** Sessions recomputed (written, or deleted when no event of theirs is left). */
  sessions: number;
  lookbackDays: number;
}

const SESSION_COLUMNS = `
  session_id VARCHAR PRIMARY KEY,
  session_index BIGINT,
  app_id VARCHAR,
  anonymous_id VARCHAR,
  user_id VARCHAR,
  user_ids VARCHAR[] NOT NULL,
  session_start TIMESTAMPTZ NOT NULL,
  session_end TIMESTAMPTZ NOT NULL,
  event_count BIGINT NOT NULL,
  first_page_url VARCHAR,
  last_page_url VARCHAR`;

/**
 * The first (or, `desc`, last) non-null value of `column` in event time order; the event id breaks
 * ties. DuckDB keeps one value per group with `arg_min` / `arg_max` over (time, id): its
 * `array_agg(... ORDER BY ...)` holds every value of the group, and a first refresh over 1,000,000
 * events ran out of memory (18.8 GiB). PostgreSQL has no `arg_min`; its sorted aggregate spills to disk.
 */
function edge(dialect: SqlSession['dialect'], column: string, order: 'ASC' | 'DESC' = 'ASC'): string {
  if (dialect === 'duckdb') return `${order === 'ASC' ? 'arg_min' : 'arg_max'}(${column}, (event_tstamp, event_id)) FILTER (WHERE ${column} IS NOT NULL)`;
  return `(array_agg(${column} ORDER BY event_tstamp ${order}, event_id ${order}) FILTER (WHERE ${column} IS NOT NULL))[1]`;
}

/**
 * Brings `sessions` up to date inside the caller's transaction. A session is always recomputed
 * whole from every one of its events in `events` (those within the lookback), so recomputing only
 * the sessions that got new events gives the rows a full rebuild gives. New events are found by
 * `load_tstamp` (set when a row is written or replaced by an earlier landing), which a late event
 * gets like any other: its session is recomputed however long ago it started.
 */
export async function refreshSessions(sql: SqlSession, options: RefreshSessionsOptions = {}): Promise<RefreshSessionsSummary> {
  // PostgreSQL: loaders sharing a warehouse refresh one at a time (each statement then sees what the one before committed).
  if (sql.dialect === 'postgres') await sql.run(`SELECT pg_advisory_xact_lock(hashtext('tracklane-warehouse:${SESSIONS_TABLE}'))`);
  await sql.run(`CREATE TABLE IF NOT EXISTS ${SESSIONS_TABLE} (${SESSION_COLUMNS})`);
  await sql.run(`CREATE TABLE IF NOT EXISTS ${DERIVED_STATE_TABLE} (model VARCHAR PRIMARY KEY, watermark TIMESTAMPTZ, lookback_days INTEGER NOT NULL)`);
  const [state] = await sql.rows(`SELECT CAST(watermark AS VARCHAR) AS watermark, lookback_days FROM ${DERIVED_STATE_TABLE} WHERE model = '${SESSIONS_TABLE}'`);
  const stored = state === undefined ? undefined : Number(state.lookback_days);
  const lookbackDays = options.lookbackDays ?? stored ?? SESSIONS_DEFAULTS.lookbackDays;
  if (!Number.isSafeInteger(lookbackDays) || lookbackDays < 1) throw new WarehouseError(WarehouseErrorCode.INVALID_CONFIG, `sessions: the lookback must be a whole number of days, at least 1, not ${lookbackDays}`);
  const watermark = (state?.watermark as string | null | undefined) ?? null;
  // A first refresh, a new lookback (it changes which events count) or a rebuild: every session.
  const rebuild = options.mode === 'rebuild' || watermark === null || lookbackDays !== stored;
  const [next] = await sql.rows('SELECT CAST(max(load_tstamp) AS VARCHAR) AS watermark FROM events');

  const touched = rebuild
    ? 'SELECT DISTINCT session_id FROM events WHERE session_id IS NOT NULL UNION SELECT session_id FROM sessions'
    : // `>=`: rows of the last refresh's load time are taken again (harmless) rather than missed.
      `SELECT DISTINCT session_id FROM events WHERE session_id IS NOT NULL AND load_tstamp >= CAST(${quoteText(watermark)} AS TIMESTAMPTZ)${options.alsoFrom ? ` UNION SELECT session_id FROM ${options.alsoFrom} WHERE session_id IS NOT NULL` : ''}`;
  await sql.run('DROP TABLE IF EXISTS touched_sessions');
  // The watermark inline (it is the database's own text): PostgreSQL takes no parameters in CREATE TABLE AS.
  await sql.run(`CREATE TEMP TABLE touched_sessions AS ${touched}`);
  try {
    const [count] = await sql.rows('SELECT CAST(count(*) AS INTEGER) AS n FROM touched_sessions');
    await sql.run(`DELETE FROM ${SESSIONS_TABLE} WHERE session_id IN (SELECT session_id FROM touched_sessions)`);
    await sql.run(
      `INSERT INTO ${SESSIONS_TABLE}
       SELECT session_id, ${edge(sql.dialect, 'session_index')}, ${edge(sql.dialect, 'app_id')}, ${edge(sql.dialect, 'anonymous_id')}, ${edge(sql.dialect, 'user_id', 'DESC')},
         coalesce(array_agg(DISTINCT user_id ORDER BY user_id) FILTER (WHERE user_id IS NOT NULL), ${sql.dialect === 'postgres' ? "CAST('{}' AS VARCHAR[])" : 'CAST([] AS VARCHAR[])'}),
         min(event_tstamp), max(event_tstamp), count(*), ${edge(sql.dialect, 'page_url')}, ${edge(sql.dialect, 'page_url', 'DESC')}
       FROM events
       WHERE session_id IN (SELECT session_id FROM touched_sessions) AND event_tstamp >= collector_tstamp - INTERVAL '${lookbackDays} days'
       GROUP BY session_id`,
    );
    await sql.run(
      `INSERT INTO ${DERIVED_STATE_TABLE} VALUES ('${SESSIONS_TABLE}', CAST($1 AS TIMESTAMPTZ), ${lookbackDays})
       ON CONFLICT (model) DO UPDATE SET watermark = excluded.watermark, lookback_days = excluded.lookback_days`,
      [(next?.watermark as string | null | undefined) ?? null],
    );
    return { sessions: Number(count?.n ?? 0), lookbackDays };
  } finally {
    // After a failed statement the transaction refuses this too: the failure, not that, is what the caller must see.
    await sql.run('DROP TABLE IF EXISTS touched_sessions').catch(() => undefined);
  }
}
