import { QuarantineReason } from '../errors.js';
import { tableNameFor, type FamilyModel, type WarehouseModel } from '../model/derive-model.js';
import { EVENTS_COLUMNS, type GoodRecord } from '../model/events-table.js';
import { modelKey, parseSchemaUri } from '../model/schema-key.js';
import { stageValue } from '../model/stage-value.js';
import type { TableCache } from './table-cache.js';
import { parseLine, quarantineRow } from './parse-line.js';
import type { StoredLine } from '../source/source.js';
import type { DirectEvent, EventRow, FamilyRow, FamilyTableSpec, LoadBatch, QuarantineRow, TableShape } from '../target/target.js';
import { convertsDirectly } from '../model/direct-value.js';

/** Why an event cannot go into the tables: its quarantine reason and messages. */
class Refusal {
  constructor(
    readonly reason: QuarantineReason,
    readonly errors: string[],
  ) {}
}

/** An event's part (its event data, or one entity) with the table it goes to. */
interface ResolvedPart {
  shape: TableShape;
  uri: string;
  version: string;
  data: unknown;
  position: number | null;
  where: string;
}

export interface BuildOptions {
  /**
   * The target converts stored lines itself (DuckDB's `read_json`): an event whose every value it
   * converts exactly as `stageValue` would is handed over as its line (`LoadBatch.direct`) instead
   * of staged rows. @default false
   */
  direct?: boolean;
}

/** Lines built between two turns of the event loop (a few milliseconds of work). */
const YIELD_EVERY = 256;

/** Longest line handed to the target as it is (characters): DuckDB's `read_json` holds at most 16 MB a record. */
const MAX_DIRECT_LINE = 4_000_000;

/**
 * The rows of one batch of lines. An event goes whole into `events` and its data tables, or whole
 * into quarantine: an unknown schema, a version in conflict with its MODEL or a value that does not
 * fit its column sends the event there with the reasons, and the other events of the batch load.
 * Of several lines with one event id, the one with the earliest collector time is kept.
 */
export async function buildRows(lines: readonly StoredLine[], model: WarehouseModel, tables: TableCache, loadedAt: string, options: BuildOptions = {}): Promise<LoadBatch> {
  const byId = new Map<string, { receivedAt: number; row: EventRow | DirectEvent }>();
  const quarantine: QuarantineRow[] = [];
  for (const [index, line] of lines.entries()) {
    // Lets the target's write of the previous batch go on meanwhile: each of its statements
    // resumes only when this loop gives the event loop a turn.
    if (index % YIELD_EVERY === YIELD_EVERY - 1) await new Promise((resolve) => setImmediate(resolve));
    const parsed = parseLine(line);
    if (parsed.kind === 'quarantine') {
      quarantine.push(parsed.row);
      continue;
    }
    const { record } = parsed;
    const receivedAt = Date.parse(record.receivedAt);
    const earlier = byId.get(record.envelope.id);
    if (earlier && earlier.receivedAt <= receivedAt) continue;
    const row = await eventRow(record, line, model, tables, loadedAt, options.direct === true);
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
  const events: EventRow[] = [];
  const direct: DirectEvent[] = [];
  for (const { row } of byId.values()) {
    if ('line' in row) direct.push(row);
    else events.push(row);
  }
  return { loadedAt, events, direct, quarantine };
}

async function eventRow(record: GoodRecord, line: StoredLine, model: WarehouseModel, tables: TableCache, loadedAt: string, direct: boolean): Promise<EventRow | DirectEvent | Refusal> {
  const envelope = record.envelope;
  const parts = await resolveParts(record, model, tables);
  if (parts instanceof Refusal) return parts;
  if (direct && line.text.length <= MAX_DIRECT_LINE && convertsWhole(record, parts, loadedAt)) {
    return { eventId: envelope.id, line: line.text, parts: parts.map((p) => ({ shape: p.shape, uri: p.uri })) };
  }
  const values: (string | null)[] = [];
  const problems: string[] = [];
  for (const column of EVENTS_COLUMNS) {
    const staged = stageValue(column.type, column.value(record, loadedAt));
    if (staged.ok) values.push(staged.text);
    else problems.push(`events.${column.name}: ${staged.problem}`);
  }
  const data: FamilyRow[] = [];
  for (const part of parts) {
    const values: (string | number | null)[] = part.position !== null ? [envelope.id, part.position, part.version] : [envelope.id, part.version];
    const fields = isPlainObject(part.data) ? part.data : {};
    for (const column of part.shape.columns) {
      const staged = stageValue(column.type, Object.hasOwn(fields, column.property) ? fields[column.property] : undefined, column.lenient);
      if (staged.ok) values.push(staged.text);
      else problems.push(`${part.where} (${part.uri}): ${part.shape.table}.${column.name}: ${staged.problem}`);
    }
    data.push({ shape: part.shape, values });
  }
  if (problems.length > 0) return new Refusal(QuarantineReason.VALUE_MISMATCH, problems);
  return { eventId: envelope.id, values, data };
}

/** The event's parts and their tables, or why one has none (an unknown schema, a version in conflict with its MODEL). */
async function resolveParts(record: GoodRecord, model: WarehouseModel, tables: TableCache): Promise<ResolvedPart[] | Refusal> {
  const envelope = record.envelope;
  const parts: { schema: unknown; data: unknown; role: 'event' | 'entity'; position: number | null; where: string }[] = [
    { schema: envelope.event.schema, data: envelope.event.data, role: 'event', position: null, where: 'event' },
    ...(envelope.entities ?? []).map((entity, index) => ({ schema: entity?.schema, data: entity?.data, role: 'entity' as const, position: index, where: `entities/${index}` })),
  ];
  const resolved: ResolvedPart[] = [];
  const refusals: Refusal[] = [];
  for (const part of parts) {
    const key = typeof part.schema === 'string' ? parseSchemaUri(part.schema) : undefined;
    const family: FamilyModel | undefined = key ? model.families.get(modelKey(key)) : undefined;
    const version = key ? family?.versions.get(key.version) : undefined;
    if (!key || !family || !version) refusals.push(new Refusal(QuarantineReason.UNKNOWN_SCHEMA, [`${part.where}: unknown schema ${JSON.stringify(part.schema)}: the loader's --schemas has no such version`]));
    else if (version.conflicts.length > 0) refusals.push(new Refusal(QuarantineReason.TYPE_CHANGE, version.conflicts.map((c) => `${part.where} (${key.uri}): ${c}`)));
    else {
      const spec: FamilyTableSpec = { table: tableNameFor(family, part.role), role: part.role, family };
      resolved.push({ shape: await tables.get(spec), uri: key.uri, version: key.version, data: part.data, position: part.position, where: part.where });
    }
  }
  if (refusals.length > 0) return new Refusal(refusals[0]!.reason, refusals.flatMap((r) => r.errors));
  return resolved;
}

/** Every value of the event converts in the target exactly as staged, and its envelope has the shape the target reads. */
function convertsWhole(record: GoodRecord, parts: readonly ResolvedPart[], loadedAt: string): boolean {
  if (!hasReadableShape(record.envelope)) return false;
  for (const column of EVENTS_COLUMNS) if (!convertsDirectly(column.type, column.value(record, loadedAt))) return false;
  for (const part of parts) {
    // Data that is not an object stages as no fields; DuckDB would refuse to read it as one.
    if (part.data !== undefined && part.data !== null && !isPlainObject(part.data)) return false;
    const fields = (part.data ?? {});
    for (const column of part.shape.columns) if (!convertsDirectly(column.type, fields[column.property], column.lenient)) return false;
  }
  return true;
}

/** The envelope's objects the target reads as STRUCTs are objects (or absent), its entities objects. */
function hasReadableShape(envelope: GoodRecord['envelope']): boolean {
  const e = envelope as unknown as Record<string, unknown>;
  for (const name of ENVELOPE_OBJECTS) if (e[name] !== undefined && e[name] !== null && !isPlainObject(e[name])) return false;
  const consent = e.consent as Record<string, unknown> | undefined | null;
  if (consent && consent.purposes !== undefined && consent.purposes !== null && !isPlainObject(consent.purposes)) return false;
  return envelope.entities === undefined || envelope.entities.every((entity) => isPlainObject(entity));
}

const ENVELOPE_OBJECTS = ['event', 'ts', 'app', 'tracker', 'user', 'consent', 'page', 'device'] as const;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
