import type { FamilyTableSpec, TableShape, Target } from '../target/target.js';

/** Each family table ensured once per loader run (created, migrated), then served from memory. */
export class TableCache {
  private readonly shapes = new Map<string, Promise<TableShape>>();

  /**
   * `settled`: what a table's DDL must wait for. A pipelined load builds the next batch while the
   * target writes the last one on the same connection: a new table's CREATE or ALTER waits until
   * that write has settled, so it never runs inside (or beside) the write's transaction.
   */
  constructor(
    private readonly target: Target,
    private readonly settled: () => Promise<unknown> = () => Promise.resolve(),
  ) {}

  get(spec: FamilyTableSpec): Promise<TableShape> {
    let shape = this.shapes.get(spec.table);
    if (!shape) {
      shape = this.settled().then(
        () => this.target.ensureTable(spec),
        () => this.target.ensureTable(spec),
      );
      shape.catch(() => this.shapes.delete(spec.table));
      this.shapes.set(spec.table, shape);
    }
    return shape;
  }
}
