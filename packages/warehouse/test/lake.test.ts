import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportLake } from '../src/internal/lake/export-lake.js';
import { eventId, goodLine, loadScratch, query, Scratch } from './store-fixture.js';

let scratch: Scratch;
beforeEach(() => {
  scratch = new Scratch();
  scratch.schema('com.acme', 'signup', '1-0-0', { plan: { type: 'string' } }, { 'x-tracklane': { kind: 'event' } });
  scratch.schema('com.acme', 'user', '1-0-0', { userId: { type: 'string' } }, { 'x-tracklane': { kind: 'entity' } });
});
afterEach(() => scratch.remove());

const load = (options: { batchSize?: number } = {}) => loadScratch(scratch, options);

const SIGNUP = 'iglu:com.acme/signup/jsonschema/1-0-0';
const USER = 'iglu:com.acme/user/jsonschema/1-0-0';
const id = eventId;

describe('exportLake', { timeout: 30_000 }, () => {
  it('writes events and family tables as Parquet partitioned by event date (Hive style); a late event lands in its day', async () => {
    scratch.append('good/p/part-a.jsonl', [
      goodLine({ id: id(1), schema: SIGNUP, data: { plan: 'pro' }, created: '2026-12-07T08:00:00.000Z', entities: [{ schema: USER, data: { userId: 'u1' } }] }),
      goodLine({ id: id(2), schema: SIGNUP, data: { plan: 'free' }, created: '2026-12-07T09:00:00.000Z' }),
      // Sent two days after it happened.
      goodLine({ id: id(3), schema: SIGNUP, data: { plan: 'team' }, created: '2026-12-05T23:30:00.000Z', receivedAt: '2026-12-07T10:00:00.000Z', entities: [{ schema: USER, data: { userId: 'u3' } }] }),
    ]);
    scratch.append('bad/p/part-a.jsonl', [JSON.stringify({ receivedAt: '2026-12-07T10:00:00.000Z', errors: ['x'], payload: {} })]);
    await load();
    const lake = path.join(scratch.dir, 'lake');
    expect(await exportLake({ duckdb: scratch.db, dir: lake })).toEqual([
      { table: 'com_acme_signup_1', rows: 3 },
      { table: 'com_acme_user_1', rows: 2 },
      { table: 'events', rows: 3 },
    ]);
    expect(readdirSync(lake).sort()).toEqual(['com_acme_signup_1', 'com_acme_user_1', 'events']);
    expect(readdirSync(path.join(lake, 'events')).sort()).toEqual(['event_date=2026-12-05', 'event_date=2026-12-07']);
    // Read back as any Hive-aware engine would: the partition is a column.
    const glob = (table: string) => `read_parquet('${path.join(lake, table)}/*/*.parquet', hive_partitioning = true)`;
    expect(await query(':memory:', `select event_date::varchar as d, count(*)::int as n from ${glob('events')} group by 1 order by 1`)).toEqual([
      { d: '2026-12-05', n: 1 },
      { d: '2026-12-07', n: 2 },
    ]);
    expect(await query(':memory:', `select event_date::varchar as d, user_id from ${glob('com_acme_user_1')} order by 1`)).toEqual([
      { d: '2026-12-05', user_id: 'u3' },
      { d: '2026-12-07', user_id: 'u1' },
    ]);

    // Exporting again after more events replaces each table whole.
    scratch.append('good/p/part-a.jsonl', [goodLine({ id: id(4), schema: SIGNUP, data: { plan: 'pro' }, created: '2026-12-08T00:00:01.000Z' })]);
    await load();
    expect((await exportLake({ duckdb: scratch.db, dir: lake })).find((t) => t.table === 'events')).toEqual({ table: 'events', rows: 4 });
    expect(await query(':memory:', `select count(*)::int as n from ${glob('events')}`)).toEqual([{ n: 4 }]);
    expect(existsSync(path.join(lake, '.events.old')) || existsSync(path.join(lake, '.events.new'))).toBe(false);
  });
});
