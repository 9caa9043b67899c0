// reprocess, sessions and backfill on a real PostgreSQL server (test/postgres/start.sh), through
// the same Target.transaction as DuckDB.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
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
import type { Source } from '../src/internal/source/source.js';
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

async function withTarget<T>(work: (target: Target) => Promise<T>, database = url): Promise<T> {
  const target = await openPostgresTarget({ url: database });
  try {
    return await work(target);
  } finally {
    await target.close();
  }
}

describe('reprocess and sessions on PostgreSQL', { timeout: 60_000 }, () => {
  it('sessions follow the loads (a late event included), equal a rebuild; reprocess loads what a published schema clears, once', async () => {
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

  });
});

const USER = 'iglu:com.acme/user/jsonschema/1-0-0';

/** Every table of a database with its rows, each as JSON without its load time (when, not what), sorted; the manifest and the derived watermark left out (load positions and times). */
async function contents(database: string): Promise<Record<string, unknown[]>> {
  const tables = await pgQuery<{ t: string }>(database, `select table_name as t from information_schema.tables where table_schema = current_schema() and table_name not in ('_tracklane_manifest', '_tracklane_derived') order by 1`);
  const all: Record<string, unknown[]> = {};
  for (const { t } of tables) all[t] = (await pgQuery<{ row: unknown }>(database, `select to_jsonb(x) - 'load_tstamp' as row from "${t}" x order by 1`)).map((r) => r.row);
  return all;
}

describe('backfill on PostgreSQL', { timeout: 60_000 }, () => {
  const line = (n: number, created: string, receivedAt: string, plan: string, entities?: { schema: string; data: Record<string, unknown> }[]) => goodLine({ id: eventId(n), schema: SIGNUP, data: { plan }, created, receivedAt, ...(entities ? { entities } : {}) });
  const day6 = (plan2: string) => [line(2, '2026-12-06T08:00:00.000Z', '2026-12-06T08:00:02.000Z', plan2, [{ schema: USER, data: { userId: 'u2' } }]), line(3, '2026-12-06T09:00:00.000Z', '2026-12-06T09:00:05.000Z', 'c'), goodLine({ id: eventId(5), schema: 'iglu:com.acme/nope/jsonschema/1-0-0', data: {}, created: '2026-12-06T09:30:00.000Z', receivedAt: '2026-12-06T09:30:00.000Z' })];
  const source = () => rawStoreSource({ dir: scratch.store });
  const model = () => deriveModel(loadSchemas(scratch.schemas));
  const load = (database = url) => withTarget((target) => loadWarehouse({ source: source(), target: withSessions(target), model: model() }), database);

  beforeEach(() => {
    scratch.schema('com.acme', 'user', '1-0-0', { userId: { type: 'string' } }, { 'x-tracklane': { kind: 'entity' } });
    // Days 5 to 7; day 6 (the window) has an entity, an unknown schema (quarantine), and an event two collectors landed.
    scratch.append('good/date=2026-12-05/part-a.jsonl', [line(1, '2026-12-05T10:00:00.000Z', '2026-12-05T10:00:01.000Z', 'a')]);
    scratch.append('good/date=2026-12-06/part-a.jsonl', day6('b'));
    scratch.append('good/date=2026-12-06/part-b.jsonl', [line(3, '2026-12-06T09:00:00.000Z', '2026-12-06T09:00:03.000Z', 'c')]);
    scratch.append('good/date=2026-12-07/part-a.jsonl', [line(6, '2026-12-07T10:00:00.000Z', '2026-12-07T10:00:01.000Z', 'e')]);
  });

  it('after the store changed in the window, every table equals a clean load of the store into a fresh database, row by row; outside the window nothing is rewritten', async () => {
    await load();
    const outside = await q(`select event_id, load_tstamp::text as t from events where event_id in ('${eventId(1)}', '${eventId(6)}') order by 1`);
    // The store changes in the window: a line corrected in place, its length kept (a load never re-reads
    // a loaded id), a late event landed on day 8, and an earlier landing of event 3.
    writeFileSync(path.join(scratch.store, 'good/date=2026-12-06/part-a.jsonl'), day6('B').map((l) => `${l}\n`).join(''));
    scratch.append('good/date=2026-12-08/part-a.jsonl', [line(4, '2026-12-06T23:59:00.000Z', '2026-12-08T12:00:00.000Z', 'late'), line(3, '2026-12-06T09:00:00.000Z', '2026-12-06T09:00:01.000Z', 'c')]);
    // And the database is damaged in the window: a wrong value, an entity row gone.
    await q(`update events set page_url = 'https://wrong.example' where event_id = '${eventId(3)}'`);
    await q(`delete from com_acme_user_1 where event_id = '${eventId(2)}'`);

    const summary = await withTarget((target) => backfillWindow({ source: source(), target, model: model(), since: '2026-12-06', until: '2026-12-07', batchSize: 2 }));
    expect(summary).toMatchObject({ since: '2026-12-06T00:00:00.000Z', until: '2026-12-07T00:00:00.000Z', deleted: 2, lines: 8, quarantined: 1 });

    const clean = await server().createDatabase(server().freshName('clean'));
    await load(clean);
    const [rebuilt, fresh] = [await contents(url), await contents(clean)];
    expect(Object.keys(rebuilt)).toEqual(['com_acme_signup_1', 'com_acme_user_1', 'events', 'quarantine', 'sessions']);
    // source is the raw store's path in both, so the quarantine rows compare too.
    expect(rebuilt).toEqual(fresh);
    expect(await q(`select event_id, plan from com_acme_signup_1 where event_id in ('${eventId(2)}', '${eventId(4)}') order by 1`)).toEqual([
      { event_id: eventId(2), plan: 'B' },
      { event_id: eventId(4), plan: 'late' },
    ]);
    expect(await q(`select collector_tstamp::text as t from events where event_id = '${eventId(3)}'`)).toEqual([{ t: '2026-12-06 09:00:01+00' }]);
    expect(await q(`select event_id, load_tstamp::text as t from events where event_id in ('${eventId(1)}', '${eventId(6)}') order by 1`)).toEqual(outside);
  });

  it('is one transaction: a store that fails after rows of the window were deleted and rewritten leaves the database as it was', async () => {
    await load();
    await q(`update events set page_url = 'https://wrong.example' where event_id = '${eventId(3)}'`);
    const before = await contents(url);
    let applied = 0;
    const store = source();
    const failing: Source = {
      ...store,
      read: async (positions, max) => {
        if (applied > 0) throw new Error('EIO: the disk went away');
        return store.read(positions, max);
      },
    };
    await expect(
      withTarget((target) => backfillWindow({ source: failing, target: { ...target, apply: (...args) => (applied++, target.apply(...args)) }, model: model(), since: '2026-12-06', until: '2026-12-07', batchSize: 2 })),
    ).rejects.toThrow(/EIO/);
    expect(applied).toBe(1);
    expect(await contents(url)).toEqual(before);
  });
});
