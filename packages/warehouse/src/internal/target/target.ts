import type { ColumnType } from '../model/column-type.js';
import type { FamilyModel } from '../model/derive-model.js';
import type { QuarantineReason } from '../errors.js';
import type { SourcePosition } from '../source/source.js';

/**
 * Where the tables live. A target creates and migrates tables from the model (`ensureTable`) and
 * applies a batch together with the source positions it was read up to in one transaction
 * (`apply`): either both are there after a crash or neither is, so a restart resumes exactly.
 * DuckDB is one target; PostgreSQL fits the same shape (COPY into staging tables, then the same
 * INSERT ... ON CONFLICT statements, the manifest in the same transaction).
 */
export interface Target {
  /** Names the target in messages (`warehouse.duckdb`). */
  readonly name: string;
  /**
   * The target reads stored lines itself (DuckDB's `read_json`): the loader hands it the events
   * that convert exactly (`LoadBatch.direct`) and stages only the others. @default false
   */
  readonly convertsLines?: boolean;
  /** The sources the manifest has positions for. */
  sources(): Promise<string[]>;
  /** The positions committed for `source` (the load manifest). */
  positions(source: string): Promise<Map<string, SourcePosition>>;
  /** Creates the table of a family in a role, or adds the columns it lacks; returns its columns as they are in the database. */
  ensureTable(spec: FamilyTableSpec): Promise<TableShape>;
  /** Writes the batch and advances the manifest of `source` to `positions`, in one transaction. */
  apply(source: string, batch: LoadBatch, positions: readonly SourcePosition[]): Promise<void>;
  /**
   * Runs `work` in one transaction: `apply` calls made inside it join it, and `work` runs its own
   * statements through `sql` (backfill, reprocess, the derived models). Either all of it commits or
   * none. Called inside another, it joins it. Absent on a target that does not offer it yet.
   */
  transaction?<T>(work: (sql: SqlSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Statements inside a Target transaction; `$1`... are parameters. */
export interface SqlSession {
  /** Whose SQL: the few statements the two spell differently (an empty list, a temp table replaced) ask. */
  readonly dialect: 'duckdb' | 'postgres';
  run(sql: string, params?: readonly (string | number | null)[]): Promise<void>;
  rows(sql: string, params?: readonly (string | number | null)[]): Promise<Record<string, unknown>[]>;
}

export interface FamilyTableSpec {
  table: string;
  role: 'event' | 'entity';
  family: FamilyModel;
}

/** A family table's data columns as the database has them: a type there wins over the model's. */
export interface TableShape {
  table: string;
  role: 'event' | 'entity';
  columns: { name: string; property: string; type: ColumnType; lenient: boolean }[];
}

/** Rows for one load transaction, staged as text (stageValue): casting them cannot fail. */
export interface LoadBatch {
  /** The load time of the batch (`load_tstamp`), from the loader's clock. */
  loadedAt: string;
  /** One per event id (the earliest collector time of the batch), with its data rows. */
  events: EventRow[];
  /**
   * Events the target converts from their stored line itself (only with `convertsLines`), checked
   * to convert exactly as staged rows would; no id is in both lists. @default none
   */
  direct?: DirectEvent[];
  quarantine: QuarantineRow[];
}

export interface EventRow {
  eventId: string;
  /** The `events` columns, in EVENTS_COLUMNS order. */
  values: (string | null)[];
  data: FamilyRow[];
}

/** An event handed to the target as its stored line: `parts` are its event data and entities, in order, with their tables. */
export interface DirectEvent {
  eventId: string;
  line: string;
  parts: { shape: TableShape; uri: string }[];
}

export interface FamilyRow {
  shape: TableShape;
  /** `event_id`, `position` (entity tables), `schema_version`, then the shape's columns. */
  values: (string | number | null)[];
}

export interface QuarantineRow {
  key: string;
  offset: number;
  kind: 'good' | 'bad';
  reason: QuarantineReason;
  errors: string[];
  eventId: string | null;
  schema: string | null;
  /** ISO 8601 when it parses as one, else null. */
  collectorTstamp: string | null;
  /** The line as the source holds it. */
  record: string;
}
