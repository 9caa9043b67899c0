import type { Envelope } from '@tracklane/core';
import { QuarantineReason } from '../errors.js';
import type { GoodRecord } from '../model/events-table.js';
import { canonicalDateTime } from '../model/stage-value.js';
import type { StoredLine } from '../source/source.js';
import type { QuarantineRow } from '../target/target.js';

export type ParsedLine = { kind: 'record'; record: GoodRecord; line: StoredLine } | { kind: 'quarantine'; row: QuarantineRow };

/**
 * A stored line, read: a good record, or its quarantine row. A line of the bad store is
 * quarantined as the collector's reasons say (COLLECTOR_REJECTED); a line that is not JSON, or not
 * what the collector writes, is quarantined too, never a reason to stop the load.
 */
export function parseLine(line: StoredLine): ParsedLine {
  if (line.truncated) return { kind: 'quarantine', row: quarantineRow(line, QuarantineReason.LINE_TOO_LONG, [`a line longer than the loader holds: its first ${line.text.length} characters are kept`]) };
  let value: unknown;
  try {
    value = JSON.parse(line.text);
  } catch (error) {
    return { kind: 'quarantine', row: quarantineRow(line, QuarantineReason.UNREADABLE_LINE, [`not JSON: ${(error as Error).message}`]) };
  }
  if (!isObject(value)) return { kind: 'quarantine', row: quarantineRow(line, QuarantineReason.NOT_A_RECORD, ['not a JSON object']) };
  if (line.kind === 'bad') {
    const errors = Array.isArray(value.errors) ? value.errors.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))) : [];
    return { kind: 'quarantine', row: { ...quarantineRow(line, QuarantineReason.COLLECTOR_REJECTED, errors), ...identify(value.payload, value.receivedAt) } };
  }
  const problem = goodRecordProblem(value);
  if (problem) return { kind: 'quarantine', row: { ...quarantineRow(line, QuarantineReason.NOT_A_RECORD, [problem]), ...identify(value.envelope, value.receivedAt) } };
  return { kind: 'record', record: value as unknown as GoodRecord, line };
}

/** What a good line needs for the loader to place it; the collector validated the rest. */
function goodRecordProblem(value: Record<string, unknown>): string | undefined {
  if (!isDateTime(value.receivedAt)) return 'no receivedAt time';
  const envelope = value.envelope;
  if (!isObject(envelope)) return 'no envelope';
  if (typeof envelope.id !== 'string' || envelope.id === '') return 'no envelope id';
  if (!isObject(envelope.event) || typeof envelope.event.schema !== 'string') return 'no event schema';
  if (!isObject(envelope.ts) || !isDateTime(envelope.ts.created)) return 'no ts.created time';
  if (envelope.entities !== undefined && !Array.isArray(envelope.entities)) return 'entities is not an array';
  return undefined;
}

/** The event id, schema and receive time of a payload, where it has them. */
function identify(payload: unknown, receivedAt: unknown): Pick<QuarantineRow, 'eventId' | 'schema' | 'collectorTstamp'> {
  const envelope = isObject(payload) ? (payload as Partial<Envelope> & Record<string, unknown>) : {};
  const schema = isObject(envelope.event) ? envelope.event.schema : undefined;
  return {
    eventId: typeof envelope.id === 'string' ? envelope.id : null,
    schema: typeof schema === 'string' ? schema : null,
    collectorTstamp: isDateTime(receivedAt) ? receivedAt : null,
  };
}

export function quarantineRow(line: StoredLine, reason: QuarantineReason, errors: string[]): QuarantineRow {
  return { key: line.key, offset: line.offset, kind: line.kind, reason, errors, eventId: null, schema: null, collectorTstamp: null, record: line.text };
}

function isDateTime(value: unknown): value is string {
  return typeof value === 'string' && canonicalDateTime(value) !== undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
