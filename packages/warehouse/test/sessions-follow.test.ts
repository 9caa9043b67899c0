import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventId, goodLine, query, Scratch } from './store-fixture.js';
import { runWarehouseCli, spawnWarehouseCli } from './warehouse-cli.js';

const SIGNUP = 'iglu:com.acme/signup/jsonschema/1-0-0';

let scratch: Scratch;
beforeEach(() => {
  scratch = new Scratch();
  scratch.schema('com.acme', 'signup', '1-0-0', { plan: { type: 'string' } });
});
afterEach(() => scratch.remove());

/** Resolves once `output()` matches `pattern`. */
async function until(output: () => string, pattern: RegExp): Promise<void> {
  while (!pattern.test(output())) await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('sessions under load --follow', { timeout: 60_000 }, () => {
  it('is refreshed in the transaction of each batch: what lands while the loader runs is in its session when it stops', async () => {
    const line = (n: number, created: string) => goodLine({ id: eventId(n), schema: SIGNUP, data: { plan: 'p' }, created, receivedAt: '2026-12-07T12:00:00.000Z' });
    scratch.append('good/p/part-a.jsonl', [line(1, '2026-12-07T10:00:00.000Z'), line(2, '2026-12-07T10:01:00.000Z')]);
    const follow = spawnWarehouseCli(['load', '--from', scratch.store, '--schemas', scratch.schemas, '--duckdb', scratch.db, '--follow', '--flush-interval-ms', '100', '--batch-size', '1']);
    await until(follow.output, /loaded 2 lines/);
    // A late event of the session (it happened before the others), in a new part file.
    scratch.append('good/p/part-b.jsonl', [line(3, '2026-12-07T09:30:00.000Z')]);
    await until(follow.output, /loaded 3 lines/);
    follow.child.kill('SIGTERM');
    expect(await follow.exited).toBe(0);
    const incremental = await query(scratch.db, `select session_id, session_start::varchar as start, session_end::varchar as "end", event_count::int as n from sessions`);
    expect(incremental).toEqual([{ session_id: 's-1', start: '2026-12-07 09:30:00+00', end: '2026-12-07 10:01:00+00', n: 3 }]);
    expect((await runWarehouseCli(['sessions', '--rebuild', '--duckdb', scratch.db])).code).toBe(0);
    expect(await query(scratch.db, `select session_id, session_start::varchar as start, session_end::varchar as "end", event_count::int as n from sessions`)).toEqual(incremental);
  });
});
