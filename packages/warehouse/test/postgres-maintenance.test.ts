// reprocess and sessions on a real PostgreSQL server (test/postgres/start.sh), through the same
// Target.transaction as DuckDB; backfill says it needs DuckDB.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SchemaRegistry } from '@tracklane/collector';
import { backfillWindow } from '../src/internal/backfill/backfill.js';
import { refreshSessions } from '../src/internal/derived/sessions.js';
import { withSessions } from '../src/internal/derived/with-sessions.js';
import { loadWarehouse } from '../src/internal/load/load-warehouse.js';
import { deriveModel } from '../src/internal/model/derive-model.js';
import { loadSchemas } from '../src/internal/model/load-schemas.js';
import { reprocessQuarantine } from '../src/internal/reprocess/reprocess.js';
import { rawStoreSource } from '../src/internal/source/raw-store-source.js';
import { openPostgresTarget } from '../src/internal/target/postgres-target.js';
import type { Target } from '../src/internal/target/target.js';
import { pgQuery, postgresForThisFile } from './postgres-server.js';
import { eventId, goodLine, Scratch } from './store-fixture.js';

const server = postgresForThisFile();

let scratch: Scratch;
let url: string;
beforeEach(async () => {
  scratch = new Scratch();
  url = await server().createDatabase(server().freshName('maint'));
  scratch.schema('com.acme', 'signup', '1-0-0', { plan: { type: 'string' } });
});
afterEach(() => scratch.remove());

const q = (sql: string): Promise<Record<string, unknown>[]> => pgQuery(url, sql);
const SIGNUP = 'iglu:com.acme/signup/jsonschema/1-0-0';
const TRIAL = 'iglu:com.acme/trial/jsonschema/1-0-0';

async function withTarget<T>(work: (target: Target) => Promise<T>): Promise<T> {
  const target = await openPostgresTarget({ url });
  try {
    return await work(target);
  } finally {
    await target.close();
  }
}

describe('reprocess and sessions on PostgreSQL', { timeout: 60_000 }, () => {
  it('sessions follow the loads (a late event included), equal a rebuild; reprocess loads what a published schema clears, once; backfill is refused', async () => {
    const line = (n: number, schema: string, created: string, data: Record<string, unknown> = { plan: 'p' }) => goodLine({ id: eventId(n), schema, data, created, receivedAt: '2026-12-07T12:00:00.000Z' });
    scratch.append('good/p/part-a.jsonl', [line(1, SIGNUP, '2026-12-07T10:00:00.000Z'), line(2, SIGNUP, '2026-12-07T10:05:00.000Z'), line(3, TRIAL, '2026-12-07T10:10:00.000Z', { days: 3 })]);
    const load = () => withTarget((target) => loadWarehouse({ source: rawStoreSource({ dir: scratch.store }), target: withSessions(target), model: deriveModel(loadSchemas(scratch.schemas)), batchSize: 1 }));
    await load();
    const sessions = () => q(`select session_id, session_start::text as start, session_end::text as "end", event_count::int as n from sessions`);
    expect(await sessions()).toEqual([{ session_id: 's-1', start: '2026-12-07 10:00:00+00', end: '2026-12-07 10:05:00+00', n: 2 }]);
    scratch.append('good/p/part-b.jsonl', [line(4, SIGNUP, '2026-12-06T09:00:00.000Z')]);
    await load();
    expect(await sessions()).toEqual([{ session_id: 's-1', start: '2026-12-06 09:00:00+00', end: '2026-12-07 10:05:00+00', n: 3 }]);

    scratch.schema('com.acme', 'trial', '1-0-0', { days: { type: 'integer' } });
    const reprocess = () => withTarget((target) => reprocessQuarantine({ target, model: deriveModel(loadSchemas(scratch.schemas)), registry: new SchemaRegistry().load(scratch.schemas) }));
    expect(await reprocess()).toEqual({ candidates: 1, loaded: 1, failing: 0 });
    expect(await q(`select days::int as days from com_acme_trial_1`)).toEqual([{ days: 3 }]);
    expect(await q(`select count(*)::int as n from events`)).toEqual([{ n: 4 }]);
    expect(await q(`select reason, reprocessed_at is not null as reprocessed from quarantine`)).toEqual([{ reason: 'UNKNOWN_SCHEMA', reprocessed: true }]);
    expect(await sessions()).toEqual([{ session_id: 's-1', start: '2026-12-06 09:00:00+00', end: '2026-12-07 10:10:00+00', n: 4 }]);
    expect(await reprocess()).toEqual({ candidates: 0, loaded: 0, failing: 0 });

    const incremental = await sessions();
    await withTarget((target) => target.transaction!((sql) => refreshSessions(sql, { mode: 'rebuild' })));
    expect(await sessions()).toEqual(incremental);

    await expect(withTarget((target) => backfillWindow({ source: rawStoreSource({ dir: scratch.store }), target, model: deriveModel(loadSchemas(scratch.schemas)), since: '2026-12-06', until: '2026-12-07' }))).rejects.toMatchObject({ code: 'INVALID_CONFIG', message: expect.stringContaining('backfill needs a DuckDB target for now') });
  });
});
