import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SelfDescribing } from './envelope.js';
import { MemoryStore } from './memory-store.js';
import type { EventStore } from './store.js';
import { SCHEMA, scriptedDestination, storeOver, testTracker } from './test-support.js';
import type { TrackOptions } from './tracker-types.js';

const MAX_EVENTS = 5000;
const MAX_BYTES = 128 * 1024;
const encoder = new TextEncoder();

/** A JSON object as an app might pass it (any string, lone surrogates included). */
const jsonObject = fc.dictionary(fc.string({ unit: 'binary', maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });

/** Puts `value` at a random depth (1 to 3) of a good object: hostile data is not only at the top. */
const nested = (value: () => unknown): fc.Arbitrary<() => Record<string, unknown>> =>
  fc.tuple(jsonObject, fc.array(fc.constantFrom('a', 'b', 'list'), { minLength: 1, maxLength: 3 })).map(([base, path]) => () => {
    const root: Record<string, unknown> = { ...base };
    let node = root;
    for (const key of path.slice(0, -1)) {
      const child: Record<string, unknown> = {};
      node[key] = key === 'list' ? [child] : child;
      node = child;
    }
    node[path[path.length - 1]!] = value();
    return root;
  });

const throwing = (message: string) => () => {
  throw new Error(message);
};

/** What a hostile call passes, and what must become of it. */
interface Hostile {
  kind: string;
  event: () => SelfDescribing;
  options?: () => TrackOptions;
  /** `invalid`: dropped at intake (or refused by `track()`); `store_full`: larger than the store's bound. */
  expected: 'invalid' | 'store_full';
}

const withData = (kind: string, data: fc.Arbitrary<() => unknown>, expected: Hostile['expected'] = 'invalid'): fc.Arbitrary<Hostile> =>
  data.map((make) => ({ kind, event: () => ({ schema: SCHEMA, data: make() as Record<string, unknown> }), expected }));

const hostile: fc.Arbitrary<Hostile> = fc.oneof(
  withData('cycle', nested(() => {
    const loop: Record<string, unknown> = { x: 1 };
    loop.again = { loop };
    return loop;
  })),
  withData('BigInt', fc.bigInt().chain((n) => nested(() => n))),
  withData('getter that throws', nested(() => Object.defineProperty({}, 'g', { enumerable: true, get: throwing('getter') }))),
  withData('toJSON that throws', nested(() => ({ toJSON: throwing('toJSON') }))),
  withData(
    'data whose toJSON gives no JSON',
    fc.constantFrom(undefined, Symbol('s'), () => 1).map((result) => () => ({ toJSON: () => result })),
  ),
  withData(
    'Proxy that throws',
    fc.constantFrom<keyof ProxyHandler<object>>('ownKeys', 'get', 'getOwnPropertyDescriptor').chain((trap) =>
      nested(() => new Proxy({ p: 1 }, { [trap]: throwing(`proxy ${trap}`) })),
    ),
  ),
  withData('a string beyond the store bound', fc.integer({ min: MAX_BYTES, max: 2 * MAX_BYTES }).map((length) => () => ({ s: 'x'.repeat(length) })), 'store_full'),
  fc.constant<Hostile>({
    kind: 'event that is a throwing Proxy',
    event: () => new Proxy({} as SelfDescribing, { get: throwing('event proxy') }),
    expected: 'invalid',
  }),
  fc.constant<Hostile>({ kind: 'Symbol purpose', event: () => ({ schema: SCHEMA, data: { ok: 1 } }), options: () => ({ purpose: Symbol('p') as never }), expected: 'invalid' }),
  fc.constant<Hostile>({
    kind: 'entity with a BigInt',
    event: () => ({ schema: SCHEMA, data: { ok: 1 } }),
    options: () => ({ entities: [{ schema: SCHEMA, data: { n: 1n } }] }),
    expected: 'invalid',
  }),
);

const step = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('good' as const), data: jsonObject, symbol: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('hostile' as const), hostile }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('flush' as const) }) },
);

/** A memory store that, after every change, checks its bounds against the real UTF-8 size of what it holds. */
function boundedStore(violations: string[]): EventStore {
  const memory = new MemoryStore({ maxEvents: MAX_EVENTS, maxBytes: MAX_BYTES });
  const check = (): void => {
    const held = memory.peek({ limit: Infinity, maxBytes: Infinity, exclude: new Set() });
    const bytes = held.reduce((sum, event) => sum + encoder.encode(event.json).length, 0);
    if (held.length > MAX_EVENTS || bytes > MAX_BYTES) violations.push(`${held.length} events, ${bytes} bytes`);
    for (const event of held) if (event.bytes !== encoder.encode(event.json).length) violations.push(`event ${event.id}: bytes ${event.bytes}`);
  };
  return storeOver(memory, {
    add: (events) => {
      const result = memory.add(events);
      check();
      return result;
    },
  });
}

describe('hostile values between good events (property)', () => {
  it('every good event is delivered once to each destination, every hostile one is dropped with its reason, stores stay in bounds', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), async (steps) => {
        const violations: string[] = [];
        const destinations = [scriptedDestination(() => ({ type: 'ok' }), 'a'), scriptedDestination(() => ({ type: 'ok' }), 'b')];
        const delivered = new Map<string, string[]>([['a', []], ['b', []]]);
        const dropped = new Map<string, string>();
        const tracker = testTracker(
          {
            destinations,
            store: () => boundedStore(violations),
            hooks: {
              onDelivered: (events, destination) => delivered.get(destination)!.push(...events.map((e) => e.id)),
              onDropped: (events, reason, destination) => events.forEach((e) => dropped.set(`${e.id}@${destination ?? '*'}`, reason)),
            },
          },
          [],
        );
        const good: string[] = [];
        const hostileIds: [string, Hostile][] = [];
        let refused = 0;
        for (const s of steps) {
          // A Symbol-valued property is left out of the JSON, as `undefined` is: the event is good.
          if (s.kind === 'good') good.push(tracker.track({ schema: SCHEMA, data: s.symbol ? { ...s.data, symbol: Symbol('s') } : s.data })!);
          else if (s.kind === 'hostile') {
            let id: string | undefined;
            expect(() => (id = tracker.track(s.hostile.event(), s.hostile.options?.()))).not.toThrow();
            if (id === undefined) refused++;
            else hostileIds.push([id, s.hostile]);
          } else await tracker.flush();
        }
        await tracker.flush();

        expect(good.every((id) => id !== undefined)).toBe(true);
        for (const [name, ids] of delivered) expect(ids, `destination ${name}`).toEqual(good);
        for (const destination of destinations) expect(destination.receivedIds()).toEqual(good);
        for (const [id, { kind, expected }] of hostileIds) {
          // Dropped at intake once for every destination; refused by a store, by each store.
          const reasons = expected === 'invalid' ? [dropped.get(`${id}@*`)] : [dropped.get(`${id}@a`), dropped.get(`${id}@b`)];
          expect(reasons, `${kind} (${id})`).toEqual(reasons.map(() => expected));
        }
        const stats = tracker.getStats();
        const storeFull = hostileIds.filter(([, h]) => h.expected === 'store_full').length;
        expect(stats).toMatchObject({ tracked: steps.filter((s) => s.kind !== 'flush').length, delivered: 2 * good.length, queued: 0, inFlight: 0 });
        expect(stats.dropped).toEqual({
          ...(hostileIds.length - storeFull + refused > 0 ? { invalid: hostileIds.length - storeFull + refused } : {}),
          ...(storeFull > 0 ? { store_full: 2 * storeFull } : {}),
        });
        expect(violations).toEqual([]);
        await tracker.shutdown();
      }),
      { numRuns: 200 },
    );
  }, 120_000);
});
