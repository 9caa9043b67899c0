import type { SchemaRegistry } from '@tracklane/collector';
import { QuarantineReason } from '../errors.js';
import { buildRows } from '../load/build-rows.js';
import { systemClock, type Clock } from '../load/clock.js';
import { TableCache } from '../load/table-cache.js';
import { refreshSessions } from '../derived/sessions.js';
import { requireTransaction } from '../derived/with-sessions.js';
import type { WarehouseModel } from '../model/derive-model.js';
import type { StoredLine } from '../source/source.js';
import type { Target } from '../target/target.js';

export interface ReprocessOptions {
  target: Target;
  /** Today's model (deriveModel of today's schemas). */
  model: WarehouseModel;
  /** Today's schemas, compiled (the collector's registry): the collector's refusals are validated again with them. */
  registry: SchemaRegistry;
  /** @default the system clock */
  clock?: Clock;
}

export interface ReprocessSummary {
  /** Quarantine rows looked at (not reprocessed yet, of a reason a schema can change). */
  candidates: number;
  /** Of them, events now in `events` (marked reprocessed). */
  loaded: number;
  /** Of them, events that still fail (left as they are, for a later reprocess). */
  failing: number;
}

/** The reasons a schema published or fixed since can clear; the others (not JSON, not a record, too long) no schema changes. */
const REPROCESSABLE = [QuarantineReason.UNKNOWN_SCHEMA, QuarantineReason.TYPE_CHANGE, QuarantineReason.VALUE_MISMATCH, QuarantineReason.COLLECTOR_REJECTED] as const;

/** A collector's error about the event's or an entity's data or schema (`/event/...`, `/entities/2/...`): a schema decides it. */
const SCHEMA_ERROR = /^\/(event|entities\/\d+)\//;

interface Candidate {
  source: string;
  key: string;
  offset: number;
  /** The line as a good record, for the load's rules; undefined when it cannot pass (see `asGoodLine`). */
  line: StoredLine | undefined;
}

/**
 * Re-validates quarantined events against today's schemas and loads those that now pass, in one
 * transaction: their rows go to `events` and the data tables by the load's rules (the event id
 * key: an event already there, landed again since, adds no row), their quarantine rows get
 * `reprocessed_at` (kept, not deleted: the record of what was refused and why stays queryable), and
 * `sessions` is refreshed. A marked row is not looked at again, so a second reprocess adds nothing.
 * Rows that still fail are left unmarked, for the next schema release.
 */
export async function reprocessQuarantine(options: ReprocessOptions): Promise<ReprocessSummary> {
  const { target, model, registry } = options;
  const clock = options.clock ?? systemClock;
  const transaction = requireTransaction(target, 'reprocess');
  return transaction(async (sql) => {
    await sql.run('ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS reprocessed_at TIMESTAMPTZ');
    const found = await sql.rows(
      `SELECT source, source_key, source_offset, kind, record FROM quarantine
       WHERE reprocessed_at IS NULL AND reason IN (${REPROCESSABLE.map((r) => `'${r}'`).join(', ')})
       ORDER BY source, source_key, source_offset`,
    );
    const bySource = new Map<string, Candidate[]>();
    for (const row of found) {
      const candidate: Candidate = { source: row.source as string, key: row.source_key as string, offset: Number(row.source_offset), line: undefined };
      candidate.line = asGoodLine(candidate, row.kind as 'good' | 'bad', row.record as string, registry);
      bySource.set(candidate.source, [...(bySource.get(candidate.source) ?? []), candidate]);
    }
    const summary: ReprocessSummary = { candidates: found.length, loaded: 0, failing: 0 };
    const loadedAt = new Date(clock.now()).toISOString();
    const tables = new TableCache(target);
    for (const [source, candidates] of bySource) {
      const lines = candidates.flatMap((c) => (c.line ? [c.line] : []));
      const batch = await buildRows(lines, model, tables, loadedAt);
      const refused = new Set(batch.quarantine.map((q) => `${q.key}\n${q.offset}`));
      // The refused are in quarantine already: only the events that pass are applied; the manifest does not move.
      await target.apply(source, { ...batch, quarantine: [] }, []);
      for (const candidate of candidates) {
        if (candidate.line === undefined || refused.has(`${candidate.key}\n${candidate.offset}`)) {
          summary.failing++;
          continue;
        }
        await sql.run('UPDATE quarantine SET reprocessed_at = CAST($1 AS TIMESTAMPTZ) WHERE source = $2 AND source_key = $3 AND source_offset = $4', [loadedAt, source, candidate.key, candidate.offset]);
        summary.loaded++;
      }
    }
    await refreshSessions(sql);
    return summary;
  });
}

/**
 * A quarantined line as the good record it would be. A line the loader refused is one already. A
 * line of the collector's bad store is its payload with its receive time, when every one of the
 * collector's errors is about the event's or an entity's schema or data and today's schemas
 * validate them all; an envelope the collector refused for another reason (a missing time, a bad
 * id) stays where it is.
 */
function asGoodLine(candidate: Candidate, kind: 'good' | 'bad', record: string, registry: SchemaRegistry): StoredLine | undefined {
  const stored = { kind: 'good' as const, key: candidate.key, offset: candidate.offset, truncated: false };
  if (kind === 'good') return { ...stored, text: record };
  let bad: { receivedAt?: unknown; clientIp?: unknown; errors?: unknown; payload?: unknown };
  try {
    bad = JSON.parse(record) as typeof bad;
  } catch {
    return undefined;
  }
  const errors = Array.isArray(bad.errors) ? bad.errors : [];
  if (errors.length === 0 || !errors.every((e) => typeof e === 'string' && SCHEMA_ERROR.test(e))) return undefined;
  const envelope = bad.payload as { event?: { schema?: unknown; data?: unknown }; entities?: unknown } | null | undefined;
  if (typeof envelope !== 'object' || envelope === null) return undefined;
  const parts = [{ item: envelope.event, pointer: '/event' }, ...(Array.isArray(envelope.entities) ? envelope.entities : []).map((item: unknown, i) => ({ item: item as typeof envelope.event, pointer: `/entities/${i}` }))];
  for (const { item, pointer } of parts) {
    const schema = typeof item?.schema === 'string' ? registry.get(item.schema) : undefined;
    if (schema === undefined || schema.validate(item!.data, `${pointer}/data`).length > 0) return undefined;
  }
  return { ...stored, text: JSON.stringify({ receivedAt: bad.receivedAt, clientIp: bad.clientIp, envelope }) };
}
