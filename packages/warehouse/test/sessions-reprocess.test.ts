// sessions and reprocess with real parts: the node tracker -> the collector process (file raw
// store) -> the tracklane-warehouse process -> queries on the DuckDB file.
import { cpSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectorDestination, createNodeTracker } from '@tracklane/node';
import type { Envelope } from '@tracklane/core';
import { spawnCollectorCli, type CollectorProcess } from '../../../test/helpers/collector-process.js';
import { query, Scratch } from './store-fixture.js';
import { runWarehouseCli } from './warehouse-cli.js';

const KEY = 'warehouse-sessions-key';
const DAY_MS = 86_400_000;
const SIGNUP = 'iglu:com.acme/signup/jsonschema/1-0-0';

let scratch: Scratch;
let collectorSchemas: string;
let collector: CollectorProcess | undefined;

beforeEach(() => {
  scratch = new Scratch();
  scratch.schema('com.acme', 'signup', '1-0-0', { plan: { type: 'string' } }, { 'x-tracklane': { kind: 'event' }, additionalProperties: false });
  collectorSchemas = path.join(scratch.dir, 'collector-schemas');
  cpSync(scratch.schemas, collectorSchemas, { recursive: true });
});
afterEach(async () => {
  collector?.child.kill('SIGKILL');
  await collector?.exited;
  collector = undefined;
  scratch.remove();
});

async function startCollector(): Promise<string> {
  collector = await spawnCollectorCli(['--schemas', collectorSchemas, '--data', scratch.store, '--write-key', KEY, '--port', '0', '--instance-id', 'one', '--validation-threads', '0']);
  return collector.url;
}

/** A tracker whose events carry the page `page` says at track time. */
function tracker(url: string, page: { url: string }) {
  const pagePlugin = { name: 'page', enrich: (envelope: Envelope) => void (envelope.page = { url: page.url }) };
  return createNodeTracker({ appId: 'shop', destinations: [collectorDestination({ url, writeKey: KEY })], plugins: [pagePlugin], warn: () => undefined });
}

async function cli(args: string[]): Promise<string> {
  const { code, output } = await runWarehouseCli([...args, '--duckdb', scratch.db]);
  expect(code, output).toBe(0);
  return output;
}

const load = () => cli(['load', '--from', scratch.store, '--schemas', scratch.schemas]);
const sessions = () => query(scratch.db, `select session_id, anonymous_id, user_id, user_ids, session_start::varchar as start, session_end::varchar as "end", event_count::int as n, first_page_url, last_page_url from sessions order by session_id`);

describe('sessions, maintained by load', { timeout: 120_000 }, () => {
  it('a late event sent two days later lands in its event-time partition and in its session (end and count updated); the incremental table equals a full rebuild', async () => {
    const page = { url: 'https://shop.example/' };
    const t = tracker(await startCollector(), page);
    const at = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('.000Z', '+00');
    const s1 = { anonymousId: 'anon-1', sessionId: 'sess-1' };
    // Session 1, two days ago: the landing page, then pricing (signed in as u1). Session 2, now.
    const start = Math.floor(Date.now() / 1000) * 1000 - 2 * DAY_MS - 3_600_000;
    t.track({ schema: SIGNUP, data: { plan: 'x' } }, { user: { anonymousId: 'anon-2', sessionId: 'sess-2' } });
    t.track({ schema: SIGNUP, data: { plan: 'a' } }, { trueTimestamp: start, user: s1 });
    page.url = 'https://shop.example/pricing';
    t.track({ schema: SIGNUP, data: { plan: 'b' } }, { trueTimestamp: start + 300_000, user: { ...s1, userId: 'u1' } });
    await t.flush();
    await load();
    expect(await sessions()).toEqual([
      { session_id: 'sess-1', anonymous_id: 'anon-1', user_id: 'u1', user_ids: ['u1'], start: at(start), end: at(start + 300_000), n: 2, first_page_url: 'https://shop.example/', last_page_url: 'https://shop.example/pricing' },
      { session_id: 'sess-2', anonymous_id: 'anon-2', user_id: null, user_ids: [], start: expect.any(String), end: expect.any(String), n: 1, first_page_url: 'https://shop.example/', last_page_url: 'https://shop.example/' },
    ]);

    // The late event: it happened in session 1, 20 minutes after its start, and is sent only now,
    // two days later, by a device that was offline: it lands in the current receive hour.
    page.url = 'https://shop.example/checkout';
    const late = t.track({ schema: SIGNUP, data: { plan: 'c' } }, { trueTimestamp: start + 1_200_000, user: { ...s1, userId: 'u2' } })!;
    await t.shutdown();
    expect(await load()).toMatch(/done: 1 lines, 1 events, 0 quarantined/);
    expect(await query(scratch.db, `select event_date::varchar as d, (collector_tstamp - event_tstamp) > interval 47 hours as late from events where event_id = '${late}'`)).toEqual([{ d: new Date(start + 1_200_000).toISOString().slice(0, 10), late: true }]);
    const incremental = await sessions();
    expect(incremental[0]).toEqual({ session_id: 'sess-1', anonymous_id: 'anon-1', user_id: 'u2', user_ids: ['u1', 'u2'], start: at(start), end: at(start + 1_200_000), n: 3, first_page_url: 'https://shop.example/', last_page_url: 'https://shop.example/checkout' });
    // Loading again adds nothing; a full rebuild gives the same rows.
    expect(await load()).toMatch(/done: 0 lines/);
    expect(await cli(['sessions', '--rebuild'])).toContain('sessions: 2 sessions rebuilt (lookback 3 days)');
    expect(await sessions()).toEqual(incremental);
    // A lookback shorter than the events were late (all of session 1 was stamped two days back):
    // they leave sessions (they stay in events), session 1 with them; the setting is kept.
    expect(await cli(['sessions', '--lookback-days', '1'])).toContain('sessions: 2 sessions refreshed (lookback 1 days)');
    expect((await sessions()).map((r) => r.session_id)).toEqual(['sess-2']);
    expect(await query(scratch.db, `select count(*)::int as n from events where session_id = 'sess-1'`)).toEqual([{ n: 3 }]);
    expect(await cli(['sessions'])).toContain('(lookback 1 days)');
  });
});

describe('reprocess', { timeout: 120_000 }, () => {
  it('loads the quarantined events that pass once their schema is published, once; their quarantine rows are marked, not lost', async () => {
    const event = { 'x-tracklane': { kind: 'event' }, additionalProperties: false };
    // The collector lacks com.acme/trial (its bad store); the loader lacks com.acme/refund (the collector has it).
    scratch.schema('com.acme', 'refund', '1-0-0', { amount: { type: 'number' } }, event, collectorSchemas);
    const t = tracker(await startCollector(), { url: 'https://shop.example/' });
    const trial = t.track({ schema: 'iglu:com.acme/trial/jsonschema/1-0-0', data: { days: 14 } }, { user: { sessionId: 'sess-9' } })!;
    const stillBad = t.track({ schema: 'iglu:com.acme/trial/jsonschema/1-0-0', data: { days: 'many' } })!;
    const refund = t.track({ schema: 'iglu:com.acme/refund/jsonschema/1-0-0', data: { amount: 9.5 } })!;
    await t.shutdown();
    await load();
    expect(await query(scratch.db, 'select reason, event_id from quarantine order by reason, event_id')).toEqual(
      [
        { reason: 'COLLECTOR_REJECTED', event_id: trial },
        { reason: 'COLLECTOR_REJECTED', event_id: stillBad },
        { reason: 'UNKNOWN_SCHEMA', event_id: refund },
      ].sort((a, b) => a.reason.localeCompare(b.reason) || a.event_id.localeCompare(b.event_id)),
    );

    // Published: trial 1-0-0 (days an integer) for everyone, refund 1-0-0 for the loader.
    for (const root of [scratch.schemas, collectorSchemas]) scratch.schema('com.acme', 'trial', '1-0-0', { days: { type: 'integer' } }, event, root);
    scratch.schema('com.acme', 'refund', '1-0-0', { amount: { type: 'number' } }, event);
    expect(await cli(['reprocess', '--schemas', scratch.schemas])).toContain('reprocess: 3 quarantined events re-validated: 2 loaded, 1 still failing');
    expect(await query(scratch.db, `select event_id, count(*)::int as n from events where event_id in ('${trial}', '${refund}', '${stillBad}') group by 1 order by 1`)).toEqual(
      [trial, refund].sort().map((id) => ({ event_id: id, n: 1 })),
    );
    expect(await query(scratch.db, `select days::int as days from com_acme_trial_1 where event_id = '${trial}'`)).toEqual([{ days: 14 }]);
    expect(await query(scratch.db, `select amount from com_acme_refund_1 where event_id = '${refund}'`)).toEqual([{ amount: 9.5 }]);
    expect(await query(scratch.db, `select session_id, event_count::int as n from sessions where session_id = 'sess-9'`)).toEqual([{ session_id: 'sess-9', n: 1 }]);
    // Marked, not lost: the reason and the record stay; the one that still fails is left for the next release.
    expect(await query(scratch.db, `select event_id, reason, reprocessed_at is not null as reprocessed from quarantine order by event_id`)).toEqual(
      [
        { event_id: trial, reason: 'COLLECTOR_REJECTED', reprocessed: true },
        { event_id: stillBad, reason: 'COLLECTOR_REJECTED', reprocessed: false },
        { event_id: refund, reason: 'UNKNOWN_SCHEMA', reprocessed: true },
      ].sort((a, b) => a.event_id.localeCompare(b.event_id)),
    );

    // Again: nothing more.
    const before = await query(scratch.db, 'select count(*)::int as n from events');
    expect(await cli(['reprocess', '--schemas', scratch.schemas])).toContain('reprocess: 1 quarantined events re-validated: 0 loaded, 1 still failing');
    expect(await query(scratch.db, 'select count(*)::int as n from events')).toEqual(before);
    expect(await query(scratch.db, 'select count(*)::int as n from com_acme_trial_1')).toEqual([{ n: 1 }]);
  });
});
