import { FAMILY_KEY_COLUMNS } from '../model/derive-model.js';
import { EVENTS_SQL_COLUMNS, MANIFEST_COLUMNS, MANIFEST_KEY, MANIFEST_TABLE, QUARANTINE_COLUMNS, QUARANTINE_KEY, QUARANTINE_TABLE, type SqlColumn } from './duckdb-sql.js';
import type { SourcePosition } from '../source/source.js';
import type { LoadBatch, TableShape } from './target.js';

/** The rows of one table in one transaction, staged into a temp table first. */
export interface Stage {
  table: string;
  stage: string;
  columns: readonly SqlColumn[];
  rows: (string | number | null)[][];
  /** How rows whose key is there already are treated (insertFromStageSql); the manifest's are updated. */
  onConflict: 'nothing' | 'earliest-collector-time' | 'update';
  key: readonly string[];
}

/** A batch as stages: `events`, each family table it touches, `quarantine` and the manifest; empty ones left out. */
export function stagesOf(source: string, batch: LoadBatch, positions: readonly SourcePosition[]): Stage[] {
  const families = new Map<string, { shape: TableShape; rows: (string | number | null)[][] }>();
  for (const event of batch.events) {
    for (const row of event.data) {
      let entry = families.get(row.shape.table);
      if (!entry) families.set(row.shape.table, (entry = { shape: row.shape, rows: [] }));
      entry.rows.push(row.values);
    }
  }
  const stages: Stage[] = [
    { table: 'events', stage: 'stage_events', columns: EVENTS_SQL_COLUMNS, rows: batch.events.map((e) => e.values), onConflict: 'earliest-collector-time', key: ['event_id'] },
    ...[...families.values()].map(({ shape, rows }, i): Stage => ({ table: shape.table, stage: `stage_family_${i}`, columns: familyColumns(shape), rows, onConflict: 'nothing', key: shape.role === 'entity' ? ['event_id', 'position'] : ['event_id'] })),
    {
      table: QUARANTINE_TABLE,
      stage: 'stage_quarantine',
      columns: QUARANTINE_COLUMNS,
      rows: batch.quarantine.map((q) => [source, q.key, q.offset, q.kind, q.reason, JSON.stringify(q.errors), q.eventId, q.schema, q.collectorTstamp, batch.loadedAt, q.record]),
      onConflict: 'nothing',
      key: QUARANTINE_KEY,
    },
    {
      table: MANIFEST_TABLE,
      stage: 'stage_manifest',
      columns: MANIFEST_COLUMNS,
      rows: positions.map((p) => [source, p.key, p.kind, p.offset, p.fingerprint, batch.loadedAt]),
      onConflict: 'update',
      key: MANIFEST_KEY,
    },
  ];
  return stages.filter((s) => s.rows.length > 0);
}

/** A family table's columns in FamilyRow.values order. */
function familyColumns(shape: TableShape): SqlColumn[] {
  return [
    ...FAMILY_KEY_COLUMNS.filter((k) => k !== 'position' || shape.role === 'entity').map((name): SqlColumn => ({ name, type: name === 'position' ? 'INTEGER' : 'VARCHAR' })),
    ...shape.columns.map((c): SqlColumn => ({ name: c.name, type: c.type })),
  ];
}
