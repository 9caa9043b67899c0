import { setImmediate as yieldToLoader } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../src/internal/load/clock.js';
import { loadWarehouse, type LoadSummary } from '../src/internal/load/load-warehouse.js';
import { deriveModel } from '../src/internal/model/derive-model.js';
import { loadSchemas } from '../src/internal/model/load-schemas.js';
import { rawStoreSource } from '../src/internal/source/raw-store-source.js';
import { openDuckDbTarget } from '../src/internal/target/duckdb-target.js';
import type { Target } from '../src/internal/target/target.js';
import { eventId, goodLine, query, Scratch } from './store-fixture.js';

/** A clock whose sleeps end when the test says so. */
class FakeClock implements Clock {
  time = Date.UTC(2026, 11, 7, 12);
  readonly sleeps: number[] = [];
  private waiters: (() => void)[] = [];

  now = (): number => this.time;

  sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      this.sleeps.push(ms);
      this.waiters.push(resolve);
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });

  /** Resolves once the loader is asleep (it read everything there was). */
  async asleep(): Promise<void> {
    while (this.waiters.length === 0) await yieldToLoader();
  }

  advance(ms: number): void {
    this.time += ms;
    for (const wake of this.waiters.splice(0)) wake();
  }
}

let scratch: Scratch;
beforeEach(() => {
  scratch = new Scratch();
  scratch.schema('com.acme', 'signup', '1-0-0', { plan: { type: 'string' } });
});
afterEach(() => scratch.remove());

const SIGNUP = 'iglu:com.acme/signup/jsonschema/1-0-0';
const line = (n: number): string => goodLine({ id: eventId(n), schema: SIGNUP, data: { plan: `p${n}` } });

describe('loadWarehouse with follow', { timeout: 30_000 }, () => {
  it('loads what lands as it lands, a torn last line once it is whole, and stops when aborted', async () => {
    const clock = new FakeClock();
    const stop = new AbortController();
    const target = await openDuckDbTarget({ file: scratch.db });
    const seen: LoadSummary[] = [];
    scratch.append('good/p/part-a.jsonl', [line(1), line(2), line(3)]);
    const loading = loadWarehouse({ source: rawStoreSource({ dir: scratch.store }), target, model: deriveModel(loadSchemas(scratch.schemas)), follow: true, flushIntervalMs: 250, batchSize: 2, clock, signal: stop.signal, onBatch: (s) => seen.push({ ...s }) });

    await clock.asleep();
    // Two batches (a full one goes on at once), then a sleep of the flush interval.
    expect(seen.map((s) => s.lines)).toEqual([2, 3]);
    expect(clock.sleeps).toEqual([250]);

    const torn = line(6);
    scratch.append('good/p/part-a.jsonl', [line(4)], torn.slice(0, 20));
    scratch.append('good/q/part-a.jsonl', [line(5)]);
    clock.advance(250);
    await clock.asleep();
    expect(seen.at(-1)!.lines).toBe(5);

    scratch.append('good/p/part-a.jsonl', [torn.slice(20)]);
    clock.advance(250);
    await clock.asleep();
    expect(seen.at(-1)!.lines).toBe(6);
    // Nothing new: no batch, another sleep.
    clock.advance(250);
    await clock.asleep();
    expect(seen.at(-1)!.batches).toBe(seen.length);
    expect(clock.sleeps).toEqual([250, 250, 250, 250]);

    stop.abort();
    expect(await loading).toMatchObject({ lines: 6, events: 6, quarantined: 0 });
    await target.close();
    expect(await query(scratch.db, 'select plan, load_tstamp::varchar as t from com_acme_signup_1 join events using (event_id) order by plan')).toEqual(
      ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'].map((plan, i) => ({ plan, t: i < 3 ? '2026-12-07 12:00:00+00' : i < 5 ? '2026-12-07 12:00:00.25+00' : '2026-12-07 12:00:00.5+00' })),
    );
  });

  it('retries a batch the database refused, from the last commit, after a backoff on the clock', async () => {
    const clock = new FakeClock();
    const stop = new AbortController();
    const real = await openDuckDbTarget({ file: scratch.db });
    let refusals = 1;
    const target: Target = {
      ...real,
      apply: (source, batch, positions) => (refusals-- > 0 ? Promise.reject(new Error('disk full')) : real.apply(source, batch, positions)),
    };
    const errors: [string, number, number][] = [];
    scratch.append('good/p/part-a.jsonl', [line(1), line(2)]);
    const loading = loadWarehouse({ source: rawStoreSource({ dir: scratch.store }), target, model: deriveModel(loadSchemas(scratch.schemas)), follow: true, clock, signal: stop.signal, onError: (e, attempt, ms) => errors.push([(e as Error).message, attempt, ms]) });
    await clock.asleep();
    expect(errors).toEqual([['disk full', 1, 1000]]);
    clock.advance(1000);
    await clock.asleep();
    stop.abort();
    expect(await loading).toMatchObject({ lines: 2, events: 2, batches: 1 });
    await real.close();
    expect(await query(scratch.db, 'select count(*)::int as n from events')).toEqual([{ n: 2 }]);
  });

  it('without follow, a refused batch is thrown', async () => {
    const real = await openDuckDbTarget({ file: scratch.db });
    scratch.append('good/p/part-a.jsonl', [line(1)]);
    const target: Target = { ...real, apply: () => Promise.reject(new Error('disk full')) };
    await expect(loadWarehouse({ source: rawStoreSource({ dir: scratch.store }), target, model: deriveModel(loadSchemas(scratch.schemas)) })).rejects.toThrow('disk full');
    await real.close();
  });
});
