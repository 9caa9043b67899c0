// The whole path with real parts: the node tracker -> the collector process (file raw store) ->
// the tracklane-warehouse process -> queries on the DuckDB file.
import { appendFileSync, cpSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectorDestination, createNodeTracker } from '@tracklane/node';
import { spawnCollectorCli, runCollectorCli, type CollectorProcess } from '../../../test/helpers/collector-process.js';
import { query, Scratch } from './store-fixture.js';
import { runWarehouseCli } from './warehouse-cli.js';

const KEY = 'warehouse-e2e-key';
const DAY_MS = 86_400_000;

let scratch: Scratch;
let collectorSchemas: string;
const collectors: CollectorProcess[] = [];

beforeEach(() => {
  scratch = new Scratch();
  const event = { 'x-tracklane': { kind: 'event' }, additionalProperties: false };
  scratch.schema('com.acme', 'signup', '1-0-0', { plan: { type: 'string', description: 'Plan chosen at signup.' } }, event);
  scratch.schema('com.acme', 'signup', '1-0-1', { plan: { type: 'string' }, referrer: { type: 'string' } }, event);
  scratch.schema('com.acme', 'signup', '1-1-0', { plan: { type: 'string' }, referrer: { type: 'string' }, seats: { type: 'integer' } }, event);
  scratch.schema('com.acme', 'signup', '2-0-0', { plan: { type: 'integer' } }, event);
  scratch.schema('com.acme', 'user', '1-0-0', { userId: { type: 'string' }, email: { type: 'string', 'x-pii': 'hash' } }, { 'x-tracklane': { kind: 'entity' } });
  // The collector knows one schema more than the loader is given.
  collectorSchemas = path.join(scratch.dir, 'collector-schemas');
  cpSync(scratch.schemas, collectorSchemas, { recursive: true });
  scratch.schema('com.acme', 'checkout', '1-0-0', { total: { type: 'number' } }, event, collectorSchemas);
});
afterEach(async () => {
  for (const collector of collectors.splice(0)) {
    collector.child.kill('SIGKILL');
    await collector.exited;
  }
  scratch.remove();
});

async function startCollector(instanceId: string, extra: string[] = []): Promise<CollectorProcess> {
  const collector = await spawnCollectorCli(['--schemas', collectorSchemas, '--data', scratch.store, '--write-key', KEY, '--port', '0', '--instance-id', instanceId, '--validation-threads', '0', ...extra]);
  collectors.push(collector);
  return collector;
}

function tracker(url: string) {
  return createNodeTracker({ appId: 'shop', destinations: [collectorDestination({ url, writeKey: KEY })], warn: () => undefined });
}

async function load(): Promise<string> {
  const { code, output } = await runWarehouseCli(['load', '--from', scratch.store, '--schemas', scratch.schemas, '--duckdb', scratch.db]);
  expect(code, output).toBe(0);
  return output;
}

const count = async (sql: string): Promise<number> => Number((await query(scratch.db, sql))[0]!.n);

describe('tracker -> collector -> tracklane-warehouse -> DuckDB', () => {
  it('lands every event once in tables derived from the schemas; loading again, a replay into a second collector and a late event add no duplicate', { timeout: 120_000 }, async () => {
    const first = await startCollector('one');
    const t = tracker(first.url);
    const ids: Record<string, string[]> = { '1-0-0': [], '1-0-1': [], '1-1-0': [], '2-0-0': [], checkout: [] };
    const user = (n: number) => ({ schema: 'iglu:com.acme/user/jsonschema/1-0-0', data: { userId: `u${n}`, email: `u${n}@example.com` } });
    for (let n = 0; n < 20; n++) {
      ids['1-0-0']!.push(t.track({ schema: 'iglu:com.acme/signup/jsonschema/1-0-0', data: { plan: 'free' } }, { entities: [user(n)] })!);
      ids['1-0-1']!.push(t.track({ schema: 'iglu:com.acme/signup/jsonschema/1-0-1', data: { plan: 'team', referrer: 'ad' } })!);
      ids['1-1-0']!.push(t.track({ schema: 'iglu:com.acme/signup/jsonschema/1-1-0', data: { plan: 'pro', seats: n } }, { entities: [user(n), user(n + 100)] })!);
    }
    for (let n = 0; n < 5; n++) ids['2-0-0']!.push(t.track({ schema: 'iglu:com.acme/signup/jsonschema/2-0-0', data: { plan: n } })!);
    for (let n = 0; n < 3; n++) ids.checkout!.push(t.track({ schema: 'iglu:com.acme/checkout/jsonschema/1-0-0', data: { total: 9.5 } })!);
    // Refused by the collector (a number where 1-0-0 wants a string): its bad store.
    const refused = t.track({ schema: 'iglu:com.acme/signup/jsonschema/1-0-0', data: { plan: 7 } })!;
    await t.flush();

    expect(await load()).toMatch(/done: 69 lines, 65 events, 4 quarantined/);
    expect(await count('select count(*) as n from events')).toBe(65);
    expect(await query(scratch.db, `select column_name, data_type from duckdb_columns() where table_name = 'com_acme_signup_1' order by column_index`)).toEqual([
      { column_name: 'event_id', data_type: 'VARCHAR' },
      { column_name: 'schema_version', data_type: 'VARCHAR' },
      { column_name: 'plan', data_type: 'VARCHAR' },
      { column_name: 'referrer', data_type: 'VARCHAR' },
      { column_name: 'seats', data_type: 'BIGINT' },
    ]);
    expect(await query(scratch.db, 'select schema_version, count(*)::int as n, count(referrer)::int as referrers, sum(seats)::int as seats from com_acme_signup_1 group by 1 order by 1')).toEqual([
      { schema_version: '1-0-0', n: 20, referrers: 0, seats: null },
      { schema_version: '1-0-1', n: 20, referrers: 20, seats: null },
      { schema_version: '1-1-0', n: 20, referrers: 0, seats: 190 },
    ]);
    // A new MODEL, a new table.
    expect(await query(scratch.db, 'select sum(plan)::int as n from com_acme_signup_2')).toEqual([{ n: 10 }]);
    // Entities, keyed by event and position; the event ids are the tracker's.
    expect(await count('select count(*) as n from com_acme_user_1')).toBe(60);
    expect(await count(`select count(*) as n from com_acme_user_1 u join events e using (event_id) where e.event_id in (${ids['1-1-0']!.map((id) => `'${id}'`).join(',')}) and u.position = 1`)).toBe(20);
    expect(await query(scratch.db, `select reason, count(*)::int as n from quarantine group by 1 order by 1`)).toEqual([
      { reason: 'COLLECTOR_REJECTED', n: 1 },
      { reason: 'UNKNOWN_SCHEMA', n: 3 },
    ]);
    expect(await query(scratch.db, `select event_id, errors from quarantine where reason = 'COLLECTOR_REJECTED'`)).toEqual([{ event_id: refused, errors: [expect.stringContaining('/event/data/plan')] }]);
    expect((await query(scratch.db, `select errors from quarantine where reason = 'UNKNOWN_SCHEMA' limit 1`))[0]!.errors).toEqual([`event: unknown schema "iglu:com.acme/checkout/jsonschema/1-0-0": the loader's --schemas has no such version`]);

    // Loading again adds nothing.
    expect(await load()).toMatch(/done: 0 lines/);

    // A second collector instance, with no memory of the ids, lands every event again (a replay);
    // a late event (it happened two days ago) lands in the first one's file, which grows; a damaged line.
    const second = await startCollector('two', ['--dedup-warm-from-store', 'false']);
    const replay = await runCollectorCli(['replay', '--from', scratch.store, '--to', second.url, '--write-key', KEY, '--until', new Date().toISOString()]);
    expect(replay.code, replay.stderr).toBe(0);
    const happened = new Date(Date.now() - 2 * DAY_MS);
    const late = t.track({ schema: 'iglu:com.acme/signup/jsonschema/1-0-0', data: { plan: 'free' } }, { trueTimestamp: happened })!;
    await t.shutdown();
    mkdirSync(path.join(scratch.store, 'good', 'damaged'), { recursive: true });
    appendFileSync(path.join(scratch.store, 'good', 'damaged', 'part-x.jsonl'), '{"receivedAt":"2026-12-07T10:00:00.000Z","envelope":{"id\n');

    expect(await load()).toMatch(/done: 70 lines, 66 events, 4 quarantined/);
    expect(await count('select count(*) as n from events')).toBe(66);
    expect(await count('select count(distinct event_id) as n from events')).toBe(66);
    expect(await count('select count(*) as n from com_acme_signup_1')).toBe(61);
    expect(await count('select count(*) as n from com_acme_user_1')).toBe(60);
    expect(await query(scratch.db, `select event_date::varchar as d from events where event_id = '${late}'`)).toEqual([{ d: happened.toISOString().slice(0, 10) }]);
    // Quarantine keeps every line: the replayed unknown-schema events once more, and the damaged line.
    expect(await query(scratch.db, `select reason, count(*)::int as n, count(distinct event_id)::int as ids from quarantine group by 1 order by 1`)).toEqual([
      { reason: 'COLLECTOR_REJECTED', n: 1, ids: 1 },
      { reason: 'UNKNOWN_SCHEMA', n: 6, ids: 3 },
      { reason: 'UNREADABLE_LINE', n: 1, ids: 0 },
    ]);
    const status = await runWarehouseCli(['status', '--duckdb', scratch.db]);
    expect(status.output).toMatch(/ good: \d+ files loaded \([\d.]+ KiB\), 0 pending \(0 B\)\n/);
    expect(status.output).toMatch(/ bad: 1 files loaded \([\d.]+ B\), 0 pending \(0 B\)\n/);
  });
});
