import { QuarantineReason } from '../errors.js';
import { tableNameFor, type FamilyModel, type WarehouseModel } from '../model/derive-model.js';
import { EVENTS_COLUMNS, type GoodRecord } from '../model/events-table.js';
import { modelKey, parseSchemaUri } from '../model/schema-key.js';
import { stageValue } from '../model/stage-value.js';
import type { TableCache } from './table-cache.js';
import { parseLine, quarantineRow } from './parse-line.js';
import type { StoredLine } from '../source/source.js';
import type { EventRow, FamilyRow, FamilyTableSpec, LoadBatch, QuarantineRow } from '../target/target.js';

/** Why an event cannot go into the tables: its quarantine reason and messages. */
class Refusal {
  constructor(
    readonly reason: QuarantineReason,
    readonly errors: string[],
  ) {}
}

/**
 * The rows of one batch of lines. An event goes whole into `events` and its data tables, or whole
 * into quarantine: an unknown schema, a version in conflict with its MODEL or a value that does not
 * fit its column sends the event there with the reasons, and the other events of the batch load.
 * Of several lines with one event id, the one with the earliest collector time is kept.
 */
export async function buildRows(lines: readonly StoredLine[], model: WarehouseModel, tables: TableCache, loadedAt: string): Promise<LoadBatch> {
  const byId = new Map<string, { row: EventRow; receivedAt: number }>();
  const quarantine: QuarantineRow[] = [];
  for (const line of lines) {
    const parsed = parseLine(line);
    if (parsed.kind === 'quarantine') {
      quarantine.push(parsed.row);
      continue;
    }
    const { record } = parsed;
    const receivedAt = Date.parse(record.receivedAt);
    const earlier = byId.get(record.envelope.id);
    if (earlier && earlier.receivedAt <= receivedAt) continue;
    const row = await eventRow(parsed.record, model, tables, loadedAt);
    if (row instanceof Refusal) {
      quarantine.push({
        ...quarantineRow(line, row.reason, row.errors),
        eventId: record.envelope.id,
        schema: record.envelope.event.schema,
        collectorTstamp: record.receivedAt,
      });
      continue;
    }
    byId.set(record.envelope.id, { row, receivedAt });
  }
  return { loadedAt, events: [...byId.values()].map((entry) => entry.row), quarantine };
}

async function eventRow(record: GoodRecord, model: WarehouseModel, tables: TableCache, loadedAt: string): Promise<EventRow | Refusal> {
  const values: (string | null)[] = [];
  const problems: string[] = [];
  for (const column of EVENTS_COLUMNS) {
    const staged = stageValue(column.type, column.value(record, loadedAt));
    if (staged.ok) values.push(staged.text);
    else problems.push(`events.${column.name}: ${staged.problem}`);
  }
  if (problems.length > 0) return new Refusal(QuarantineReason.VALUE_MISMATCH, problems);
  const envelope = record.envelope;
  const data: FamilyRow[] = [];
  const parts: { schema: unknown; data: unknown; role: 'event' | 'entity'; position: number | null; where: string }[] = [
    { schema: envelope.event.schema, data: envelope.event.data, role: 'event', position: null, where: 'event' },
    ...(envelope.entities ?? []).map((entity, index) => ({ schema: entity?.schema, data: entity?.data, role: 'entity' as const, position: index, where: `entities/${index}` })),
  ];
  const refusals: Refusal[] = [];
  for (const part of parts) {
    const row = await familyRow(part, envelope.id, model, tables);
    if (row instanceof Refusal) refusals.push(row);
    else data.push(row);
  }
  if (refusals.length > 0) return new Refusal(refusals[0]!.reason, refusals.flatMap((r) => r.errors));
  return { eventId: envelope.id, values, data };
}

async function familyRow(part: { schema: unknown; data: unknown; role: 'event' | 'entity'; position: number | null; where: string }, eventId: string, model: WarehouseModel, tables: TableCache): Promise<FamilyRow | Refusal> {
  const key = typeof part.schema === 'string' ? parseSchemaUri(part.schema) : undefined;
  const family: FamilyModel | undefined = key ? model.families.get(modelKey(key)) : undefined;
  const version = key ? family?.versions.get(key.version) : undefined;
  if (!key || !family || !version) return new Refusal(QuarantineReason.UNKNOWN_SCHEMA, [`${part.where}: unknown schema ${JSON.stringify(part.schema)}: the loader's --schemas has no such version`]);
  if (version.conflicts.length > 0) return new Refusal(QuarantineReason.TYPE_CHANGE, version.conflicts.map((c) => `${part.where} (${key.uri}): ${c}`));
  const spec: FamilyTableSpec = { table: tableNameFor(family, part.role), role: part.role, family };
  const shape = await tables.get(spec);
  const data = typeof part.data === 'object' && part.data !== null && !Array.isArray(part.data) ? (part.data as Record<string, unknown>) : {};
  const values: (string | number | null)[] = part.role === 'entity' ? [eventId, part.position, key.version] : [eventId, key.version];
  const problems: string[] = [];
  for (const column of shape.columns) {
    const staged = stageValue(column.type, Object.hasOwn(data, column.property) ? data[column.property] : undefined, column.lenient);
    if (staged.ok) values.push(staged.text);
    else problems.push(`${part.where} (${key.uri}): ${shape.table}.${column.name}: ${staged.problem}`);
  }
  if (problems.length > 0) return new Refusal(QuarantineReason.VALUE_MISMATCH, problems);
  return { shape, values };
}
