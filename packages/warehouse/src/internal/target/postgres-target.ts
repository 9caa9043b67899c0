import pg from 'pg';
import { WarehouseError, WarehouseErrorCode } from '../errors.js';
import { quoteIdent, quoteText } from '../model/naming.js';
import type { SourcePosition } from '../source/source.js';
import { EVENTS_SQL_COLUMNS, MANIFEST_COLUMNS, MANIFEST_KEY, MANIFEST_TABLE, QUARANTINE_COLUMNS, QUARANTINE_KEY, QUARANTINE_TABLE, type SqlColumn } from './duckdb-sql.js';
import { familyStages, manifestRows, quarantineRows } from './duckdb-stages.js';
import { copyRows } from './postgres-copy.js';
import { columnTypeFromPostgres, createStagePgSql, createTablePgSql, insertFromArraysPgSql, insertFromStagePgSql, postgresType } from './postgres-sql.js';
import { redactPassword, redactPostgresUrl } from './postgres-url.js';
import type { FamilyTableSpec, LoadBatch, SqlSession, TableShape, Target } from './target.js';

export interface PostgresTargetOptions {
  /** `postgres://user:password@host:port/database`; the tables go to the connection's current schema (`search_path`). */
  url: string;
  /**
   * How long to wait for a connection before the database counts as unreachable.
   * @default 10000
   */
  connectTimeoutMs?: number;
}

export const POSTGRES_DEFAULTS = { connectTimeoutMs: 10_000 } as const;

interface ColumnRow {
  name: string;
  type: string;
  comment: string | null;
}

/**
 * PostgreSQL as the target: the tables, the quarantine and the load manifest in one database, so
 * a batch and the manifest's advance commit together. A batch is one transaction: the events rows
 * of ids `events` does not have yet, and the data rows of the events new there, are streamed with
 * `COPY ... FROM STDIN` straight into their tables; the events of known ids and the quarantine
 * into a temp table (dropped at commit), then moved with the DuckDB target's `INSERT ... ON
 * CONFLICT` rules (earliest collector time wins), and the manifest's positions in one INSERT. One
 * connection; one that fails is dropped and the next call opens another, so a `--follow` load
 * outlives a database restart. Messages never show the URL's password.
 */
export async function openPostgresTarget(options: PostgresTargetOptions): Promise<Target> {
  const shown = redactPostgresUrl(options.url);
  let current: pg.Client | undefined;
  // `transaction()` opens one that `apply` joins (backfill, reprocess, sessions).
  let state: 'idle' | 'in-transaction' = 'idle';

  const unavailable = (doing: string, error: unknown): WarehouseError =>
    new WarehouseError(WarehouseErrorCode.TARGET_UNAVAILABLE, `${doing} ${shown}: ${redactPassword(describe(error), options.url)}`, { cause: error });

  async function connect(): Promise<pg.Client> {
    if (current) return current;
    const client = new pg.Client({ connectionString: options.url, connectionTimeoutMillis: options.connectTimeoutMs ?? POSTGRES_DEFAULTS.connectTimeoutMs, application_name: 'tracklane-warehouse' });
    // A connection lost between queries (a server restart) is replaced on the next call.
    client.on('error', () => drop(client));
    try {
      await client.connect();
    } catch (error) {
      drop(client);
      throw unavailable('cannot reach PostgreSQL at', error);
    }
    current = client;
    return client;
  }

  function drop(client: pg.Client): void {
    if (current === client) current = undefined;
    client.end().catch(() => undefined);
  }

  /** Runs `work` on the connection; on a failure the connection is dropped (its state is unknown) and the error names the database. */
  async function use<T>(doing: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = await connect();
    try {
      return await work(client);
    } catch (error) {
      drop(client);
      throw error instanceof WarehouseError ? error : unavailable(doing, error);
    }
  }

  async function columnsOf(client: pg.Client, table: string): Promise<Map<string, ColumnRow>> {
    const { rows } = await client.query<ColumnRow>(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, col_description(a.attrelid, a.attnum) AS comment
       FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      [quoteIdent(table)],
    );
    return new Map(rows.map((r) => [r.name, r]));
  }

  /** Sets the comments that differ from the database's (a description changed in a later version). */
  async function comment(client: pg.Client, table: string, columns: readonly SqlColumn[], existing: Map<string, ColumnRow>): Promise<void> {
    for (const column of columns) {
      if (column.comment !== undefined && existing.get(column.name)?.comment !== column.comment) {
        await client.query(`COMMENT ON COLUMN ${quoteIdent(table)}.${quoteIdent(column.name)} IS ${quoteText(column.comment)}`);
      }
    }
  }

  /** Runs `work` in a transaction of its own: committed when it returns, rolled back when it throws. */
  async function ownTransaction(client: pg.Client, work: () => Promise<void>): Promise<void> {
    await client.query('BEGIN');
    try {
      await work();
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /**
   * A batch's statements, in the open transaction. `copy-new`: one indexed query finds which of
   * the batch's ids `events` has; the others are copied straight into `events` (a unique violation
   * there, from a loader racing on an id, fails the batch), and only the known ones go through the
   * stage and the upsert (earliest collector time wins). `check-each`: every id through the upsert.
   */
  async function write(client: pg.Client, source: string, batch: LoadBatch, positions: readonly SourcePosition[], mode: 'copy-new' | 'check-each'): Promise<void> {
    const stage = async (name: string, columns: readonly SqlColumn[], rows: readonly (readonly (string | number | null)[])[]): Promise<void> => {
      await client.query(createStagePgSql(name, columns));
      await copyRows(client, name, 'stage', columns, rows);
    };
    // Loaders of one source take turns: the manifest advances in order.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`tracklane-warehouse:${source}`]);
    const fresh = new Set<string>();
    let upsert = batch.events;
    if (mode === 'copy-new' && batch.events.length > 0) {
      const { rows } = await client.query<{ event_id: string }>('SELECT event_id FROM events WHERE event_id = ANY($1::text[])', [batch.events.map((e) => e.eventId)]);
      const known = new Set(rows.map((r) => r.event_id));
      const added = batch.events.filter((e) => !known.has(e.eventId));
      upsert = batch.events.filter((e) => known.has(e.eventId));
      if (added.length > 0) await copyRows(client, 'events', 'table', EVENTS_SQL_COLUMNS, added.map((e) => e.values));
      for (const event of added) fresh.add(event.eventId);
    }
    if (upsert.length > 0) {
      await stage('stage_events', EVENTS_SQL_COLUMNS, upsert.map((e) => e.values));
      // Inserted (xmax = 0) or replaced by an earlier landing; rows of ids already there and not earlier are left alone.
      const { rows } = await client.query<{ event_id: string; inserted: boolean }>(`${insertFromStagePgSql('events', 'stage_events', EVENTS_SQL_COLUMNS, 'earliest-collector-time', ['event_id'])} RETURNING event_id, (xmax = 0) AS inserted`);
      for (const row of rows) if (row.inserted) fresh.add(row.event_id);
    }
    // Data rows of the events new to `events` only (those of the others are there already):
    // no conflict is possible, so they are copied into their tables directly, no stage.
    for (const family of familyStages(batch.events.filter((e) => fresh.has(e.eventId)))) await copyRows(client, family.shape.table, 'table', family.columns, family.rows);
    if (batch.quarantine.length > 0) {
      await stage('stage_quarantine', QUARANTINE_COLUMNS, quarantineRows(source, batch));
      await client.query(insertFromStagePgSql(QUARANTINE_TABLE, 'stage_quarantine', QUARANTINE_COLUMNS, 'nothing', QUARANTINE_KEY));
    }
    if (positions.length > 0) {
      const rows = manifestRows(source, positions, batch.loadedAt);
      await client.query(insertFromArraysPgSql(MANIFEST_TABLE, MANIFEST_COLUMNS, 'update', MANIFEST_KEY), MANIFEST_COLUMNS.map((_c, i) => rows.map((row) => row[i])));
    }
    // Inside transaction() the stages are dropped here (ON COMMIT DROP waits for the outer commit).
    if (state === 'in-transaction') for (const name of ['stage_events', 'stage_quarantine']) await client.query(`DROP TABLE IF EXISTS ${quoteIdent(name)}`);
  }

  await use('cannot create the tables in', async (client) => {
    for (const [table, columns, key] of [
      ['events', EVENTS_SQL_COLUMNS, ['event_id']],
      [QUARANTINE_TABLE, QUARANTINE_COLUMNS, QUARANTINE_KEY],
      [MANIFEST_TABLE, MANIFEST_COLUMNS, MANIFEST_KEY],
    ] as const) {
      await client.query(createTablePgSql(table, columns, key));
      await comment(client, table, columns, await columnsOf(client, table));
    }
  });

  return {
    name: shown,
    sources: () => use('cannot read the manifest of', async (client) => (await client.query<{ source: string }>(`SELECT DISTINCT source FROM ${MANIFEST_TABLE} ORDER BY source`)).rows.map((r) => r.source)),
    positions: (source) =>
      use('cannot read the manifest of', async (client) => {
        const { rows } = await client.query<{ key: string; kind: 'good' | 'bad'; position: string; fingerprint: string }>(`SELECT key, kind, position, fingerprint FROM ${MANIFEST_TABLE} WHERE source = $1`, [source]);
        return new Map(rows.map((r): [string, SourcePosition] => [r.key, { key: r.key, kind: r.kind, offset: Number(r.position), fingerprint: r.fingerprint }]));
      }),
    ensureTable: (spec: FamilyTableSpec) =>
      use(`cannot create or migrate ${spec.table} in`, async (client): Promise<TableShape> => {
        const keys: SqlColumn[] = [
          { name: 'event_id', type: 'VARCHAR', notNull: true, comment: 'The event (events.event_id).' },
          ...(spec.role === 'entity' ? [{ name: 'position', type: 'INTEGER' as const, notNull: true, comment: "The entity's index in the envelope's entities." }] : []),
          { name: 'schema_version', type: 'VARCHAR', notNull: true, comment: 'The schema version (M-R-A) that wrote the row.' },
        ];
        const model: SqlColumn[] = spec.family.columns.map((c) => ({ name: c.name, type: c.type, comment: c.comment }));
        // No key: a data row is written only with its event's first row in `events`, whose key keeps it once.
        await client.query(createTablePgSql(spec.table, [...keys, ...model], []));
        let existing = await columnsOf(client, spec.table);
        // An ADDITION: a nullable column, no rewrite (IF NOT EXISTS: another loader may have just added it).
        const missing = model.filter((c) => !existing.has(c.name));
        for (const column of missing) await client.query(`ALTER TABLE ${quoteIdent(spec.table)} ADD COLUMN IF NOT EXISTS ${quoteIdent(column.name)} ${postgresType(column.type)}`);
        if (missing.length > 0) existing = await columnsOf(client, spec.table);
        await comment(client, spec.table, [...keys, ...model], existing);
        return {
          table: spec.table,
          role: spec.role,
          // The database's type wins: rows whose values do not fit it go to quarantine, not into a failed cast.
          columns: spec.family.columns.map((c) => {
            const found = existing.get(c.name);
            return { name: c.name, property: c.property, type: (found ? columnTypeFromPostgres(found.type) : undefined) ?? c.type, lenient: c.lenient };
          }),
        };
      }),
    apply: (source: string, batch: LoadBatch, positions: readonly SourcePosition[]) =>
      use('cannot write to', async (client) => {
        // Inside transaction(): joins it, checking each id (a failed write cannot be redone alone there).
        if (state === 'in-transaction') return write(client, source, batch, positions, 'check-each');
        try {
          return await ownTransaction(client, () => write(client, source, batch, positions, 'copy-new'));
        } catch (error) {
          // Another loader committed one of the ids between the check and the COPY: the batch is
          // written again, each id through the upsert (which that loader's row cannot fail).
          if (sqlState(error) !== UNIQUE_VIOLATION) throw error;
        }
        await ownTransaction(client, () => write(client, source, batch, positions, 'check-each'));
      }),
    transaction: <T>(work: (sql: SqlSession) => Promise<T>): Promise<T> =>
      use('cannot write to', async (client) => {
        const session: SqlSession = {
          dialect: 'postgres',
          run: async (sql, values) => void (await client.query(sql, values as unknown[] | undefined)),
          rows: async (sql, values) => (await client.query<Record<string, unknown>>(sql, values as unknown[] | undefined)).rows,
        };
        if (state === 'in-transaction') return work(session);
        await client.query('BEGIN');
        state = 'in-transaction';
        try {
          const result = await work(session);
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        } finally {
          state = 'idle';
        }
      }),
    close: async () => {
      const client = current;
      current = undefined;
      await client?.end().catch(() => undefined);
    },
  };
}

/** SQLSTATE of a duplicate key. */
const UNIQUE_VIOLATION = '23505';

/** The SQLSTATE of a driver error, if it is PostgreSQL's. */
function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A driver error as one line: PostgreSQL's message with its SQLSTATE, or the socket's. */
function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.map(describe).join('; ');
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? `${error.message} (SQLSTATE ${code})` : error.message || error.name;
}
