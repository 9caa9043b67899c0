import { FAMILY_KEY_COLUMNS } from '../model/derive-model.js';
import type { SourcePosition } from '../source/source.js';
import type { SqlColumn } from './duckdb-sql.js';
import type { EventRow, LoadBatch, TableShape } from './target.js';

/** The data rows of some events, per family table, with the table's columns in FamilyRow.values order. */
export function familyStages(events: readonly EventRow[]): { shape: TableShape; columns: SqlColumn[]; rows: (string | number | null)[][] }[] {
  const families = new Map<string, { shape: TableShape; columns: SqlColumn[]; rows: (string | number | null)[][] }>();
  for (const event of events) {
    for (const row of event.data) {
      let entry = families.get(row.shape.table);
      if (!entry) families.set(row.shape.table, (entry = { shape: row.shape, columns: familyColumns(row.shape), rows: [] }));
      entry.rows.push(row.values);
    }
  }
  return [...families.values()];
}

/** Quarantine rows in QUARANTINE_COLUMNS order. */
export function quarantineRows(source: string, batch: LoadBatch): (string | number | null)[][] {
  return batch.quarantine.map((q) => [source, q.key, q.offset, q.kind, q.reason, JSON.stringify(q.errors), q.eventId, q.schema, q.collectorTstamp, batch.loadedAt, q.record]);
}

/** Manifest rows in MANIFEST_COLUMNS order. */
export function manifestRows(source: string, positions: readonly SourcePosition[], loadedAt: string): (string | number | null)[][] {
  return positions.map((p) => [source, p.key, p.kind, p.offset, p.fingerprint, loadedAt]);
}

/** A family table's key columns and data columns. */
export function familyColumns(shape: Pick<TableShape, 'role' | 'columns'>): SqlColumn[] {
  return [
    ...FAMILY_KEY_COLUMNS.filter((k) => k !== 'position' || shape.role === 'entity').map((name): SqlColumn => ({ name, type: name === 'position' ? 'INTEGER' : 'VARCHAR' })),
    ...shape.columns.map((c): SqlColumn => ({ name: c.name, type: c.type })),
  ];
}
