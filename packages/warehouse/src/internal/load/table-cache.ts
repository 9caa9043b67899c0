import type { FamilyTableSpec, TableShape, Target } from '../target/target.js';

/** Each family table ensured once per loader run (created, migrated), then served from memory. */
export class TableCache {
  private readonly shapes = new Map<string, Promise<TableShape>>();

  constructor(private readonly target: Target) {}

  get(spec: FamilyTableSpec): Promise<TableShape> {
    let shape = this.shapes.get(spec.table);
    if (!shape) {
      shape = this.target.ensureTable(spec);
      shape.catch(() => this.shapes.delete(spec.table));
      this.shapes.set(spec.table, shape);
    }
    return shape;
  }
}
