import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backfillWindow } from '../src/internal/backfill/backfill.js';
import { withSessions } from '../src/internal/derived/with-sessions.js';
import { loadWarehouse } from '../src/internal/load/load-warehouse.js';
import { deriveModel } from '../src/internal/model/derive-model.js';
import { loadSchemas } from '../src/internal/model/load-schemas.js';
import { rawStoreSource } from '../src/internal/source/raw-store-source.js';
import type { Source } from '../src/internal/source/source.js';
import { openDuckDbTarget } from '../src/internal/target/duckdb-target.js';
import { eventId, goodLine, query, Scratch } from './store-fixture.js';
import { runWarehouseCli } from './warehouse-cli.js';

const SIGNUP = 'iglu:com.acme/signup/jsonschema/1-0-0';
const USER = 'iglu:com.acme/user/jsonschema/1-0-0';
const id = eventId;

let scratch: Scratch;
beforeEach(() => {
  scratch = new Scratch();
  scratch.schema('com.acme', 'signup', '1-0-0', { plan: { type: 'string' } }, { 'x-tracklane': { kind: 'event' } });
  scratch.schema('com.acme', 'user', '1-0-0', { userId: { type: 'string' } }, { 'x-tracklane': { kind: 'entity' } });
  // Three days of events; day 2 (the window) has a duplicate landed by two collectors, an entity,
  // a late event that landed on day 4 and an unknown schema (quarantine).
  scratch.append('good/date=2026-12-05/part-a.jsonl', [goodLine({ id: id(1), schema: SIGNUP, data: { plan: 'a' }, created: '2026-12-05T10:00:00.000Z', receivedAt: '2026-12-05T10:00:01.000Z' })]);
  scratch.append('good/date=2026-12-06/part-a.jsonl', [
    goodLine({ id: id(2), schema: SIGNUP, data: { plan: 'b' }, created: '2026-12-06T08:00:00.000Z', receivedAt: '2026-12-06T08:00:02.000Z', entities: [{ schema: USER, data: { userId: 'u2' } }] }),
    goodLine({ id: id(3), schema: SIGNUP, data: { plan: 'c' }, created: '2026-12-06T09:00:00.000Z', receivedAt: '2026-12-06T09:00:05.000Z' }),
    goodLine({ id: id(5), schema: 'iglu:com.acme/nope/jsonschema/1-0-0', data: {}, created: '2026-12-06T09:30:00.000Z', receivedAt: '2026-12-06T09:30:00.000Z' }),
  ]);
  scratch.append('good/date=2026-12-06/part-b.jsonl', [goodLine({ id: id(3), schema: SIGNUP, data: { plan: 'c' }, created: '2026-12-06T09:00:00.000Z', receivedAt: '2026-12-06T09:00:01.000Z' })]);
  scratch.append('good/date=2026-12-07/part-a.jsonl', [goodLine({ id: id(6), schema: SIGNUP, data: { plan: 'e' }, created: '2026-12-07T10:00:00.000Z', receivedAt: '2026-12-07T10:00:01.000Z' })]);
  scratch.append('good/date=2026-12-08/part-a.jsonl', [goodLine({ id: id(4), schema: SIGNUP, data: { plan: 'late' }, created: '2026-12-06T23:59:00.000Z', receivedAt: '2026-12-08T12:00:00.000Z' })]);
});
afterEach(() => scratch.remove());

/** A load as the CLI runs it (sessions maintained), of the scratch store into `db`. */
async function load(db = scratch.db): Promise<void> {
  const target = await openDuckDbTarget({ file: db });
  try {
    await loadWarehouse({ source: rawStoreSource({ dir: scratch.store }), target: withSessions(target), model: deriveModel(loadSchemas(scratch.schemas)) });
  } finally {
    await target.close();
  }
}

/** Every table of a database that a load writes, each sorted, without the load time (it is when, not what). */
async function contents(file: string): Promise<Record<string, unknown>> {
  return {
    events: await query(file, 'select * exclude (load_tstamp) from events order by event_id'),
    signup: await query(file, 'select * from com_acme_signup_1 order by event_id'),
    user: await query(file, 'select * from com_acme_user_1 order by event_id, position'),
    quarantine: await query(file, 'select * exclude (load_tstamp) from quarantine order by source_key, source_offset'),
    sessions: await query(file, 'select * from sessions order by session_id'),
  };
}

/** The scratch database, damaged inside the window (what a bug, a manual fix or an old loader leaves). */
async function damageWindow(): Promise<void> {
  const target = await openDuckDbTarget({ file: scratch.db });
  await target.transaction!(async (sql) => {
    await sql.run(`delete from com_acme_signup_1 where event_id = '${id(2)}'`);
    await sql.run(`delete from com_acme_user_1 where event_id = '${id(2)}'`);
    await sql.run(`update events set page_url = 'https://wrong.example' where event_id = '${id(3)}'`);
    await sql.run(`delete from events where event_id = '${id(4)}'`);
  });
  await target.close();
}

async function backfill(source: Source = rawStoreSource({ dir: scratch.store }), since = '2026-12-06', until = '2026-12-07') {
  const target = await openDuckDbTarget({ file: scratch.db });
  try {
    return await backfillWindow({ source, target, model: deriveModel(loadSchemas(scratch.schemas)), since, until, batchSize: 2 });
  } finally {
    await target.close();
  }
}

describe('backfill --since --until', { timeout: 60_000 }, () => {
  it('rebuilds the window so that every table equals a clean load into a fresh database, row by row; outside the window nothing is rewritten', async () => {
    await load();
    const outside = await query(scratch.db, `select load_tstamp::varchar as t from events where event_id in ('${id(1)}', '${id(6)}') order by event_id`);
    await damageWindow();
    expect(await query(scratch.db, `select count(*)::int as n from events where event_date = '2026-12-06'`)).toEqual([{ n: 2 }]);

    // Batches of 2: the window's duplicate (id 3) is read in two batches, the earliest landing still wins.
    expect(await backfill()).toMatchObject({ deleted: 2, events: 4, lines: 7, quarantined: 1 });

    const clean = new Scratch();
    try {
      await load(clean.db);
      const [rebuilt, fresh] = [await contents(scratch.db), await contents(clean.db)];
      // source is the raw store's path in both, so the quarantine rows compare too.
      expect(rebuilt).toEqual(fresh);
      expect((rebuilt.events as unknown[]).length).toBe(5);
    } finally {
      clean.remove();
    }
    expect(await query(scratch.db, `select collector_tstamp::varchar as t, event_date::varchar as d from events where event_id = '${id(3)}'`)).toEqual([{ t: '2026-12-06 09:00:01+00', d: '2026-12-06' }]);
    expect(await query(scratch.db, `select event_date::varchar as d from events where event_id = '${id(4)}'`)).toEqual([{ d: '2026-12-06' }]);
    expect(await query(scratch.db, `select load_tstamp::varchar as t from events where event_id in ('${id(1)}', '${id(6)}') order by event_id`)).toEqual(outside);
  });

  it('is one transaction: a store that fails mid-backfill leaves the window as it was', async () => {
    await load();
    await damageWindow();
    const before = await contents(scratch.db);
    const store = rawStoreSource({ dir: scratch.store });
    let reads = 0;
    const failing: Source = {
      ...store,
      read: async (positions, max) => {
        if (++reads === 3) throw new Error('EIO: the disk went away');
        return store.read(positions, max);
      },
    };
    await expect(backfill(failing)).rejects.toThrow(/EIO/);
    expect(reads).toBe(3);
    expect(await contents(scratch.db)).toEqual(before);
  });

  it('the CLI: backfill --from --schemas --duckdb --since --until says what it rebuilt; a window that ends before it starts is INVALID_CONFIG', async () => {
    await load();
    await damageWindow();
    const args = ['backfill', '--from', scratch.store, '--schemas', scratch.schemas, '--duckdb', scratch.db];
    const done = await runWarehouseCli([...args, '--since', '2026-12-06T00:00:00Z', '--until', '2026-12-07']);
    expect(done.output).toContain(`backfill ${path.resolve(scratch.store)} [2026-12-06T00:00:00.000Z, 2026-12-07T00:00:00.000Z): 2 events deleted, 3 written from 7 lines, 1 quarantined`);
    expect(done.code).toBe(0);
    // Not a terminal: a plain line per batch, then the totals.
    expect(done.output).toMatch(/^loaded 7 lines, 3 events, 1 quarantined, [\d.]+ KiB in 1 batches\ndone: 7 lines/m);
    expect(await query(scratch.db, `select count(*)::int as n from com_acme_signup_1 where event_id = '${id(2)}'`)).toEqual([{ n: 1 }]);
    const refused = await runWarehouseCli([...args, '--since', '2026-12-07', '--until', '2026-12-06']);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('INVALID_CONFIG: backfill: --since (2026-12-07) must be before --until (2026-12-06)');
  });
});
