import { describe, expect, it } from 'vitest';
import type { Envelope } from './envelope.js';
import { isTracklaneError } from './errors.js';
import { MemoryStore } from './memory-store.js';
import { SCHEMA, scriptedDestination, storeOver, testTracker } from './test-support.js';
import type { TrackOptions } from './tracker-types.js';

const ok = { type: 'ok' } as const;
const GOOD_AFTER = 1000;
const UNSTORABLE_WARNING = 'Tracklane: dropped an invalid event (it threw; see onError).';

const cyclic = (): Record<string, unknown> => {
  const data: Record<string, unknown> = { name: 'loop' };
  data.self = data;
  return data;
};
const throwingGetter = (): Record<string, unknown> =>
  Object.defineProperty({}, 'boom', {
    enumerable: true,
    get: () => {
      throw new Error('getter boom');
    },
  });
const throwingProxy = (): Record<string, unknown> =>
  new Proxy(
    {},
    {
      ownKeys: () => {
        throw new Error('proxy boom');
      },
      get: () => {
        throw new Error('proxy boom');
      },
    },
  );

/** Event data that `JSON.stringify` throws on, or gives no JSON for. */
const hostileData: [string, () => unknown][] = [
  ['a cyclic object', cyclic],
  ['a BigInt', () => ({ amount: 10n })],
  ['a throwing getter', throwingGetter],
  ['a throwing toJSON', () => ({ toJSON: () => { throw new Error('toJSON boom'); } })],
  ['a toJSON that returns undefined', () => ({ toJSON: () => undefined })],
  ['a toJSON that returns a Symbol', () => ({ toJSON: () => Symbol('s') })],
  ['a Proxy that throws', throwingProxy],
  ['a nested cycle in an array', () => { const list: unknown[] = []; list.push({ list }); return { list }; }],
];

/** Per-call options that poison the event elsewhere than in its data. */
const hostileOptions: [string, () => TrackOptions][] = [
  ['an entity with a BigInt', () => ({ entities: [{ schema: SCHEMA, data: { n: 1n } }] })],
  ['an entity that is null', () => ({ entities: [null as never] })],
  ['a user with a throwing getter', () => ({ user: throwingGetter() })],
  ['a Symbol purpose', () => ({ purpose: Symbol('p') as never })],
  ['PII marks over a getter that throws once', () => ({ pii: { '/boom': 'hash' } })],
];

/** Throws on its first read only: PII rules read it first, so only they see the throw. */
const throwsOnce = (): Record<string, unknown> => {
  let reads = 0;
  return Object.defineProperty({}, 'boom', {
    enumerable: true,
    get: () => {
      if (reads++ === 0) throw new Error('getter boom');
      return 'fine';
    },
  });
};

interface Run {
  delivered: string[];
  dropped: [string, string][];
  warnings: string[];
}

/** Tracks one hostile event, then GOOD_AFTER good ones, flushes, and reports what happened to each. */
async function poisonThenTrack(hostile: { data: unknown; options?: TrackOptions }, store?: MemoryStore): Promise<Run & { goodIds: string[]; stats: ReturnType<ReturnType<typeof testTracker>['getStats']> }> {
  const run: Run = { delivered: [], dropped: [], warnings: [] };
  const tracker = testTracker(
    {
      destinations: [scriptedDestination(() => ok)],
      ...(store ? { store: () => storeOver(store) } : {}),
      hooks: {
        onDelivered: (events) => events.forEach((e) => run.delivered.push(e.id)),
        onDropped: (events, reason) => events.forEach((e) => run.dropped.push([e.id, reason])),
      },
    },
    run.warnings,
  );
  let poisonId: string | undefined;
  expect(() => {
    poisonId = tracker.track({ schema: SCHEMA, data: hostile.data as never }, hostile.options);
  }).not.toThrow();
  const goodIds: string[] = [];
  for (let n = 0; n < GOOD_AFTER; n++) goodIds.push(tracker.track({ schema: SCHEMA, data: { n } })!);
  await tracker.flush();
  const stats = tracker.getStats();
  await tracker.shutdown();
  if (poisonId !== undefined) expect(run.dropped).toEqual([[poisonId, 'invalid']]);
  return { ...run, goodIds, stats };
}

describe('an event that cannot be serialized is dropped alone', () => {
  it.each(hostileData)('data with %s: dropped as `invalid`, warned once, every later event delivered', async (_label, make) => {
    const result = await poisonThenTrack({ data: make() });
    expect(result.delivered).toEqual(result.goodIds);
    expect(result.stats).toMatchObject({ tracked: GOOD_AFTER + 1, delivered: GOOD_AFTER, queued: 0, inFlight: 0, dropped: { invalid: 1 } });
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings).toEqual([UNSTORABLE_WARNING]);
  });

  it.each(hostileOptions)('%s: dropped as `invalid`, every later event delivered', async (_label, make) => {
    const options = make();
    const result = await poisonThenTrack({ data: options.pii ? throwsOnce() : { ok: true }, options });
    expect(result.delivered).toEqual(result.goodIds);
    expect(result.stats).toMatchObject({ delivered: GOOD_AFTER, queued: 0, dropped: { invalid: 1 } });
    expect(result.warnings).toHaveLength(1);
  });

  it('warns once however many events cannot be serialized, and reports each cause through onError', async () => {
    const warnings: string[] = [];
    const errors: Error[] = [];
    const tracker = testTracker({ destinations: [scriptedDestination(() => ok)], hooks: { onError: (error) => errors.push(error) } }, warnings);
    for (let n = 0; n < 50; n++) tracker.track({ schema: SCHEMA, data: cyclic() });
    for (let n = 0; n < 50; n++) tracker.track({ schema: SCHEMA, data: { amount: BigInt(n) } });
    await tracker.flush();
    expect(tracker.getStats().dropped).toEqual({ invalid: 100 });
    // One warning, which names no cause: a cause's text is the app's (a getter's error may hold data).
    expect(warnings).toEqual([UNSTORABLE_WARNING]);
    expect(errors).toHaveLength(100);
    expect(errors.every((error) => isTracklaneError(error) && error.code === 'INVALID_EVENT')).toBe(true);
    expect(errors.map((error) => (error.cause as Error).name)).toEqual(Array(100).fill('TypeError'));
  });

  it('drops an event whose page a plugin made unserializable, keeps the others', async () => {
    const delivered: Envelope[] = [];
    let n = 0;
    const tracker = testTracker({
      destinations: [scriptedDestination(() => ok)],
      plugins: [{ name: 'page', enrich: (envelope) => { envelope.page = n++ === 1 ? ({ url: 1n } as never) : { url: 'https://a.test/' }; } }],
      hooks: { onDelivered: (events) => delivered.push(...events) },
    });
    for (let i = 0; i < 3; i++) tracker.track({ schema: SCHEMA, data: { i } });
    await tracker.flush();
    expect(delivered.map((e) => e.event.data)).toEqual([{ i: 0 }, { i: 2 }]);
    expect(tracker.getStats().dropped).toEqual({ invalid: 1 });
  });

  it('drops a poisoned event held for consent alone when consent is granted', async () => {
    const delivered: string[] = [];
    const dropped: [string, string][] = [];
    const tracker = testTracker({
      destinations: [scriptedDestination(() => ok)],
      consent: { default: 'pending' },
      hooks: {
        onDelivered: (events) => delivered.push(...events.map((e) => e.id)),
        onDropped: (events, reason) => dropped.push(...events.map((e): [string, string] => [e.id, reason])),
      },
    });
    const first = tracker.track({ schema: SCHEMA, data: { n: 1 } })!;
    const poisoned = tracker.track({ schema: SCHEMA, data: cyclic() })!;
    const last = tracker.track({ schema: SCHEMA, data: { n: 3 } })!;
    expect(tracker.getStats().heldForConsent).toBe(3);
    tracker.setConsent({ analytics: 'granted' });
    await tracker.flush();
    expect(delivered).toEqual([first, last]);
    expect(dropped).toEqual([[poisoned, 'invalid']]);
  });

  it('counts a poisoned event once when a hook flushes (unloading) or tracks from within its drop', async () => {
    const delivered: string[] = [];
    let reentered = 0;
    const tracker = testTracker({
      destinations: [scriptedDestination(() => ok)],
      hooks: {
        onDelivered: (events) => delivered.push(...events.map((e) => e.id)),
        onDropped: () => {
          reentered++;
          void tracker.flush({ unloading: true });
          void tracker.flush({ unloading: true });
          good.push(tracker.track({ schema: SCHEMA, data: { from: 'hook' } })!);
        },
        onError: () => void tracker.flush({ unloading: true }),
      },
    });
    const good: string[] = [tracker.track({ schema: SCHEMA, data: { n: 1 } })!];
    tracker.track({ schema: SCHEMA, data: cyclic() });
    for (let n = 2; n < 5; n++) good.push(tracker.track({ schema: SCHEMA, data: { n } })!);
    await tracker.flush();
    expect(reentered).toBe(1);
    expect(tracker.getStats()).toMatchObject({ dropped: { invalid: 1 }, queued: 0 });
    expect([...delivered].sort()).toEqual([...good].sort());
  });

  it('drops the poisoned event of an unloading flush alone, synchronously', async () => {
    const store = new MemoryStore();
    const tracker = testTracker({ destinations: [scriptedDestination(() => ok)], store: () => storeOver(store) });
    tracker.track({ schema: SCHEMA, data: { n: 1 } });
    tracker.track({ schema: SCHEMA, data: cyclic() });
    tracker.track({ schema: SCHEMA, data: { n: 3 } });
    void tracker.flush({ unloading: true });
    // Stored within the call: the page may be gone before any other task runs.
    expect(store.size()).toBe(2);
    expect(tracker.getStats().dropped).toEqual({ invalid: 1 });
    await tracker.flush();
  });
});

describe('the memory store keeps its bounds', () => {
  it('refuses an event larger than the whole store without holding it', async () => {
    const store = new MemoryStore({ maxBytes: 10_000 });
    const tracker = testTracker({ destinations: [scriptedDestination(() => ok)], store: () => storeOver(store) });
    tracker.track({ schema: SCHEMA, data: { huge: 'x'.repeat(20_000) } });
    tracker.track({ schema: SCHEMA, data: { n: 1 } });
    await tracker.flush();
    expect(tracker.getStats()).toMatchObject({ delivered: 1, dropped: { store_full: 1 } });
  });
});
