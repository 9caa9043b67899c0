import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventId, goodLine, loadScratch, query, Scratch } from './store-fixture.js';

let scratch: Scratch;
beforeEach(() => {
  scratch = new Scratch();
  scratch.schema('com.acme', 'signup', '1-0-0', { plan: { type: 'string', description: 'The plan.' }, email: { type: 'string', 'x-pii': 'hash', description: 'Email.' } }, { 'x-tracklane': { kind: 'event' } });
  scratch.schema('com.acme', 'user', '1-0-0', { userId: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } }, address: { type: 'object' } }, { 'x-tracklane': { kind: 'entity' } });
});
afterEach(() => scratch.remove());

const load = (options: { batchSize?: number } = {}) => loadScratch(scratch, options);

const SIGNUP = 'iglu:com.acme/signup/jsonschema/1-0-0';
const USER = 'iglu:com.acme/user/jsonschema/1-0-0';
const id = eventId;

describe('loading the raw store into DuckDB', { timeout: 30_000 }, () => {
  it('events, event data and entities land in their tables, joined on event_id', async () => {
    scratch.append('good/date=2026-12-07/hour=10/part-a.jsonl', [
      goodLine({ id: id(1), schema: SIGNUP, data: { plan: 'pro', email: 'a'.repeat(64) }, entities: [{ schema: USER, data: { userId: 'u1', tags: ['x', 'y'], address: { city: 'Lyon' } } }, { schema: USER, data: { userId: 'u2' } }] }),
      goodLine({ id: id(2), schema: SIGNUP, data: { plan: 'free' } }),
    ]);
    expect(await load()).toMatchObject({ lines: 2, events: 2, quarantined: 0 });
    expect(await query(scratch.db, `select event_id, app_id, platform, event_vendor, event_name, event_version, session_id, consent_purposes->>'analytics' as analytics, collector_tstamp::varchar as ct, event_date::varchar as d from events order by event_id`)).toEqual([
      { event_id: id(1), app_id: 'shop', platform: 'web', event_vendor: 'com.acme', event_name: 'signup', event_version: '1-0-0', session_id: 's-1', analytics: 'granted', ct: '2026-12-07 10:00:00+00', d: '2026-12-07' },
      { event_id: id(2), app_id: 'shop', platform: 'web', event_vendor: 'com.acme', event_name: 'signup', event_version: '1-0-0', session_id: 's-1', analytics: 'granted', ct: '2026-12-07 10:00:00+00', d: '2026-12-07' },
    ]);
    expect(await query(scratch.db, 'select event_id, schema_version, plan, email from com_acme_signup_1 order by event_id')).toEqual([
      { event_id: id(1), schema_version: '1-0-0', plan: 'pro', email: 'a'.repeat(64) },
      { event_id: id(2), schema_version: '1-0-0', plan: 'free', email: null },
    ]);
    expect(await query(scratch.db, `select event_id, position, user_id, tags, address->>'city' as city from com_acme_user_1 order by position`)).toEqual([
      { event_id: id(1), position: 0, user_id: 'u1', tags: ['x', 'y'], city: 'Lyon' },
      { event_id: id(1), position: 1, user_id: 'u2', tags: null, city: null },
    ]);
    expect(await query(scratch.db, `select column_name, comment from duckdb_columns() where table_name = 'com_acme_signup_1' and column_name in ('plan', 'email') order by column_name`)).toEqual([
      { column_name: 'email', comment: 'Email. [x-pii: hash]' },
      { column_name: 'plan', comment: 'The plan.' },
    ]);
  });

  it('times in every spelling the collector accepts (lower-case t and z, +HH, +HHMM) load, beside the other events of the batch', async () => {
    scratch.append('good/date=2026-12-07/hour=10/part-a.jsonl', [
      goodLine({ id: id(1), schema: SIGNUP, data: { plan: 'pro' }, created: '2026-12-07t09:59:59.5z' }),
      goodLine({ id: id(2), schema: SIGNUP, data: { plan: 'pro' }, created: '2026-12-07T11:59:59+02' }),
      goodLine({ id: id(3), schema: SIGNUP, data: { plan: 'pro' }, created: '2026-12-07 08:29:59-0130' }),
    ]);
    expect(await load()).toMatchObject({ lines: 3, events: 3, quarantined: 0 });
    expect(await query(scratch.db, 'select event_id, dvce_created_tstamp::varchar as t, event_date::varchar as d from events order by event_id')).toEqual([
      { event_id: id(1), t: '2026-12-07 09:59:59.5+00', d: '2026-12-07' },
      { event_id: id(2), t: '2026-12-07 09:59:59+00', d: '2026-12-07' },
      { event_id: id(3), t: '2026-12-07 09:59:59+00', d: '2026-12-07' },
    ]);
  });

  it('loading twice, a replay and two collectors landing one event give one row; the earliest collector time wins', async () => {
    const line = (receivedAt: string) => goodLine({ id: id(1), schema: SIGNUP, data: { plan: 'pro' }, receivedAt, entities: [{ schema: USER, data: { userId: 'u1' } }] });
    scratch.append('good/date=2026-12-07/hour=10/part-a.jsonl', [line('2026-12-07T10:00:05.000Z')]);
    await load();
    await load();
    // A replay lands the event again later; a second collector landed it earlier; both in one batch and across batches.
    scratch.append('good/date=2026-12-07/hour=11/part-a.jsonl', [line('2026-12-07T11:00:00.000Z')]);
    scratch.append('good/date=2026-12-07/hour=10/part-b.jsonl', [line('2026-12-07T10:00:01.000Z'), line('2026-12-07T10:00:03.000Z')]);
    expect(await load()).toMatchObject({ lines: 3, quarantined: 0 });
    expect(await query(scratch.db, 'select count(*)::int as n, min(collector_tstamp)::varchar as t from events')).toEqual([{ n: 1, t: '2026-12-07 10:00:01+00' }]);
    expect(await query(scratch.db, 'select count(*)::int as n from com_acme_signup_1')).toEqual([{ n: 1 }]);
    expect(await query(scratch.db, 'select count(*)::int as n from com_acme_user_1')).toEqual([{ n: 1 }]);
  });

  it('1-0-0, 1-0-1 and 1-1-0 of one MODEL land in one table; an ADDITION published later adds a column; a new MODEL is a new table', async () => {
    scratch.append('good/p/part-a.jsonl', [goodLine({ id: id(1), schema: SIGNUP, data: { plan: 'pro' } })]);
    await load();
    scratch.schema('com.acme', 'signup', '1-0-1', { plan: { type: 'string' }, email: { type: 'string', 'x-pii': 'hash' }, referrer: { type: 'string' } });
    scratch.schema('com.acme', 'signup', '1-1-0', { plan: { type: 'string' }, email: { type: 'string', 'x-pii': 'hash' }, referrer: { type: 'string' }, seats: { type: 'integer' } });
    scratch.schema('com.acme', 'signup', '2-0-0', { plan: { type: 'integer' } });
    scratch.append('good/p/part-a.jsonl', [
      goodLine({ id: id(2), schema: 'iglu:com.acme/signup/jsonschema/1-0-1', data: { plan: 'free', referrer: 'ad' } }),
      goodLine({ id: id(3), schema: 'iglu:com.acme/signup/jsonschema/1-1-0', data: { plan: 'team', seats: 5 } }),
      goodLine({ id: id(4), schema: 'iglu:com.acme/signup/jsonschema/2-0-0', data: { plan: 3 } }),
    ]);
    expect(await load()).toMatchObject({ lines: 3, events: 3, quarantined: 0 });
    expect(await query(scratch.db, `select column_name, data_type from duckdb_columns() where table_name = 'com_acme_signup_1' order by column_index`)).toEqual([
      { column_name: 'event_id', data_type: 'VARCHAR' },
      { column_name: 'schema_version', data_type: 'VARCHAR' },
      { column_name: 'plan', data_type: 'VARCHAR' },
      { column_name: 'email', data_type: 'VARCHAR' },
      { column_name: 'referrer', data_type: 'VARCHAR' },
      { column_name: 'seats', data_type: 'BIGINT' },
    ]);
    expect(await query(scratch.db, 'select schema_version, plan, referrer, seats::int as seats from com_acme_signup_1 order by event_id')).toEqual([
      { schema_version: '1-0-0', plan: 'pro', referrer: null, seats: null },
      { schema_version: '1-0-1', plan: 'free', referrer: 'ad', seats: null },
      { schema_version: '1-1-0', plan: 'team', referrer: null, seats: 5 },
    ]);
    expect(await query(scratch.db, 'select schema_version, plan::int as plan from com_acme_signup_2')).toEqual([{ schema_version: '2-0-0', plan: 3 }]);
  });

  it('a type change inside a MODEL, an unknown schema, an unreadable line, a value that does not fit and the bad store go to quarantine; the rest loads', async () => {
    scratch.schema('com.acme', 'signup', '1-0-1', { plan: { type: 'integer' } });
    scratch.append('good/p/part-a.jsonl', [
      goodLine({ id: id(1), schema: SIGNUP, data: { plan: 'pro' } }),
      goodLine({ id: id(2), schema: 'iglu:com.acme/signup/jsonschema/1-0-1', data: { plan: 3 } }),
      goodLine({ id: id(3), schema: 'iglu:com.acme/nope/jsonschema/1-0-0', data: {} }),
      '{"receivedAt": "2026-12-07T10:00:00.000Z", "envelope": {"id": "torn',
      goodLine({ id: id(5), schema: SIGNUP, data: { plan: 42 } }),
      goodLine({ id: id(6), schema: SIGNUP, data: { plan: 'ok' }, entities: [{ schema: 'iglu:com.acme/ghost/jsonschema/1-0-0', data: {} }] }),
      goodLine({ id: id(7), schema: SIGNUP, data: { plan: 'team' } }),
    ]);
    scratch.append('bad/p/part-a.jsonl', [JSON.stringify({ receivedAt: '2026-12-07T10:00:00.000Z', errors: ['/event/data/plan: must be string'], payload: { id: id(8), event: { schema: SIGNUP } } })]);
    expect(await load()).toMatchObject({ lines: 8, events: 2, quarantined: 6 });
    expect(await query(scratch.db, 'select event_id from events order by event_id')).toEqual([{ event_id: id(1) }, { event_id: id(7) }]);
    const rows = await query(scratch.db, 'select kind, reason, event_id, errors from quarantine order by source_key, source_offset');
    expect(rows).toEqual([
      { kind: 'bad', reason: 'COLLECTOR_REJECTED', event_id: id(8), errors: ['/event/data/plan: must be string'] },
      { kind: 'good', reason: 'TYPE_CHANGE', event_id: id(2), errors: ['event (iglu:com.acme/signup/jsonschema/1-0-1): /properties/plan is BIGINT in 1-0-1; the column plan is VARCHAR (since 1-0-0): a type change inside MODEL 1'] },
      { kind: 'good', reason: 'UNKNOWN_SCHEMA', event_id: id(3), errors: [`event: unknown schema "iglu:com.acme/nope/jsonschema/1-0-0": the loader's --schemas has no such version`] },
      { kind: 'good', reason: 'UNREADABLE_LINE', event_id: null, errors: [expect.stringMatching(/^not JSON: /)] },
      { kind: 'good', reason: 'VALUE_MISMATCH', event_id: id(5), errors: ['event (iglu:com.acme/signup/jsonschema/1-0-0): com_acme_signup_1.plan: 42 is not a VARCHAR'] },
      { kind: 'good', reason: 'UNKNOWN_SCHEMA', event_id: id(6), errors: [`entities/0: unknown schema "iglu:com.acme/ghost/jsonschema/1-0-0": the loader's --schemas has no such version`] },
    ]);
    // Quarantine is loaded once too.
    expect(await load()).toMatchObject({ lines: 0 });
    expect(await query(scratch.db, 'select count(*)::int as n from quarantine')).toEqual([{ n: 6 }]);
  });

  it('batches of a few lines commit one after another and give the same tables', async () => {
    scratch.append('good/p/part-a.jsonl', Array.from({ length: 25 }, (_, i) => goodLine({ id: id(i), schema: SIGNUP, data: { plan: `p${i}` } })));
    expect(await load({ batchSize: 4 })).toMatchObject({ lines: 25, batches: 7 });
    expect(await query(scratch.db, 'select count(*)::int as n, count(distinct event_id)::int as d from events')).toEqual([{ n: 25, d: 25 }]);
  });
});
