import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadWarehouse, type LoadOptions, type LoadSummary } from '../src/internal/load/load-warehouse.js';
import { deriveModel } from '../src/internal/model/derive-model.js';
import { loadSchemas } from '../src/internal/model/load-schemas.js';
import { rawStoreSource } from '../src/internal/source/raw-store-source.js';
import { openDuckDbTarget } from '../src/internal/target/duckdb-target.js';

/** A scratch directory with a raw store (`store/`), schemas (`schemas/`) and a database path. */
export class Scratch {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'warehouse-'));
  readonly store = path.join(this.dir, 'store');
  readonly schemas = path.join(this.dir, 'schemas');
  readonly db = path.join(this.dir, 'warehouse.duckdb');

  constructor() {
    mkdirSync(path.join(this.store, 'good'), { recursive: true });
  }

  /** Writes a schema in Iglu layout under `root` (default: `schemas/`). */
  schema(vendor: string, name: string, version: string, properties: Record<string, unknown>, extra: Record<string, unknown> = {}, root = this.schemas): void {
    const dir = path.join(root, vendor, name, 'jsonschema');
    mkdirSync(dir, { recursive: true });
    const body = { $schema: 'http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#', self: { vendor, name, format: 'jsonschema', version }, type: 'object', properties, ...extra };
    writeFileSync(path.join(dir, version), JSON.stringify(body, null, 2));
  }

  /** Appends lines (each gets its newline) to a part file of the store. */
  append(key: string, lines: readonly string[], trailing = ''): void {
    mkdirSync(path.dirname(path.join(this.store, key)), { recursive: true });
    appendFileSync(path.join(this.store, key), lines.map((l) => `${l}\n`).join('') + trailing);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A one-shot load of the scratch store into its database, in this process. */
export async function loadScratch(scratch: Scratch, options: Partial<LoadOptions> = {}): Promise<LoadSummary> {
  const target = await openDuckDbTarget({ file: scratch.db });
  try {
    return await loadWarehouse({ source: rawStoreSource({ dir: scratch.store }), target, model: deriveModel(loadSchemas(scratch.schemas)), ...options });
  } finally {
    await target.close();
  }
}

/** A UUID-shaped event id numbered `n`. */
export const eventId = (n: number): string => `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;

export interface RecordParts {
  id: string;
  schema: string;
  data: Record<string, unknown>;
  receivedAt?: string;
  created?: string;
  entities?: { schema: string; data: Record<string, unknown> }[];
}

/** A good record as the collector's file sink writes it. */
export function goodLine(parts: RecordParts): string {
  return JSON.stringify({
    receivedAt: parts.receivedAt ?? '2026-12-07T10:00:00.000Z',
    clientIp: '127.0.0.1',
    envelope: {
      id: parts.id,
      event: { schema: parts.schema, data: parts.data },
      ...(parts.entities ? { entities: parts.entities } : {}),
      ts: { created: parts.created ?? '2026-12-07T09:59:59.000Z', sent: '2026-12-07T10:00:00.000Z' },
      app: { id: 'shop', platform: 'web' },
      tracker: { name: 'tracklane-node', version: '0.1.0' },
      user: { anonymousId: 'anon-1', sessionId: 's-1' },
      consent: { purposes: { analytics: 'granted' } },
    },
  });
}

/** Runs a query on a database file (opened and closed for it: the loader must not hold it); times print in UTC. */
export async function query(file: string, sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    return (await connection.runAndReadAll(sql)).getRowObjectsJson();
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** A scratch directory with the schemas of writeKillStore's events: signup 1-0-0 (`plan`, `n`) and the user entity. */
export function killScratch(): Scratch {
  const scratch = new Scratch();
  scratch.schema('com.acme', 'signup', '1-0-0', { plan: { type: 'string' }, n: { type: 'integer' } }, { 'x-tracklane': { kind: 'event' } });
  scratch.schema('com.acme', 'user', '1-0-0', { userId: { type: 'string' } }, { 'x-tracklane': { kind: 'entity' } });
  return scratch;
}

/**
 * The raw store of the kill tests: `files` part files of `perFile` signup events, each with a user
 * entity, in hours 10, 11, ...; returns the event ids in the order written.
 */
export function writeKillStore(scratch: Scratch, files: number, perFile: number): string[] {
  const ids: string[] = [];
  for (let f = 0; f < files; f++) {
    const lines: string[] = [];
    for (let i = 0; i < perFile; i++) {
      const id = `0190e0e0-0000-7000-8${f}00-${String(i).padStart(12, '0')}`;
      ids.push(id);
      lines.push(goodLine({ id, schema: 'iglu:com.acme/signup/jsonschema/1-0-0', data: { plan: 'pro', n: i }, entities: [{ schema: 'iglu:com.acme/user/jsonschema/1-0-0', data: { userId: `u${i}` } }] }));
    }
    scratch.append(`good/date=2026-12-07/hour=1${f}/part-a.jsonl`, lines);
  }
  return ids;
}
