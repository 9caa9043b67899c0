import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Envelope } from './envelope.js';
import type { EventStore, StoredEvent } from './store.js';
import type { TransportResult } from './transport.js';
import { sha256Hex } from './sha256.js';
import { SCHEMA, scriptedDestination, storeOver, testTracker } from './test-support.js';
import { MemoryStore } from './memory-store.js';
import { eventually } from '../../../../test/helpers/eventually.js';

const ok = { type: 'ok' } as const;
afterEach(() => {
  vi.useRealTimers(); // for the tests that wait for time on a fake clock
});
const click = (n: number) => ({ schema: SCHEMA, data: { n } });
/** The store, telling `onAdd` what it is given. */
const spyOnAdds = (store: MemoryStore, onAdd: (events: readonly StoredEvent[]) => void): EventStore =>
  storeOver(store, {
    add: (events) => {
      onAdd(events);
      return store.add(events);
    },
  });

describe('track() builds one canonical envelope per event', () => {
  it('with a UUID v7 id, timestamps, app, tracker, user and the consent snapshot', async () => {
    const destination = scriptedDestination(() => ok);
    const tracker = testTracker({ destinations: [destination], appVersion: '1.2.3', user: { userId: 'u1' }, namespace: 'ns' });
    const before = Date.now();
    const id = tracker.track(click(1), { trueTimestamp: 0, entities: [{ schema: SCHEMA, data: { e: 1 } }] });
    await tracker.flush();
    const [envelope] = destination.batches[0]!;
    expect(envelope!.id).toBe(id);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Date.parse(envelope!.ts.created)).toBeGreaterThanOrEqual(before);
    expect(envelope!.ts.true).toBe('1970-01-01T00:00:00.000Z');
    expect(envelope).toMatchObject({
      event: click(1),
      entities: [{ schema: SCHEMA, data: { e: 1 } }],
      app: { id: 'test-app', platform: 'srv', version: '1.2.3' },
      tracker: { name: 'tracklane-test', version: '0.0.0', namespace: 'ns' },
      user: { userId: 'u1' },
      consent: { purposes: {}, source: 'default' },
    });
  });

  it("leaves the app's event object and the other events' timestamps as they were", async () => {
    const destination = scriptedDestination(() => ok);
    const tracker = testTracker({ destinations: [destination] });
    const signup = { schema: SCHEMA, data: { email: 'ann@example.com' } };
    // Tracked in the same millisecond (as a burst is), one with its own true timestamp.
    tracker.track(signup, { pii: { '/email': 'redact' }, trueTimestamp: 0 });
    tracker.track(click(2));
    await tracker.flush();
    const [first, second] = destination.batches[0]!;
    expect(signup).toEqual({ schema: SCHEMA, data: { email: 'ann@example.com' } });
    expect(first!.event.data).toEqual({ email: '[redacted]' });
    expect(first!.ts.true).toBe('1970-01-01T00:00:00.000Z');
    expect(second!.ts).not.toHaveProperty('true');
  });

  it('mints ids that sort in tracking order', async () => {
    const destination = scriptedDestination(() => ok);
    const tracker = testTracker({ destinations: [destination] });
    const ids = Array.from({ length: 1000 }, (_, n) => tracker.track(click(n))!);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(1000);
  });

  it('uses the identity at the time of the call', async () => {
    const destination = scriptedDestination(() => ok);
    const tracker = testTracker({ destinations: [destination] });
    tracker.track(click(1));
    tracker.identify('alice');
    tracker.track(click(2));
    tracker.track(click(3), { user: { userId: 'bob' } });
    tracker.identify(undefined);
    tracker.track(click(4));
    await tracker.flush();
    expect(destination.batches.flat().map((e) => e.user.userId)).toEqual([undefined, 'alice', 'bob', undefined]);
  });
});

describe('bad input never throws into the app', () => {
  it.each([
    ['a non-object event', 42],
    ['null', null],
    ['a malformed schema URI', { schema: 'com.acme/click', data: {} }],
    ['a schema URI without version', { schema: 'iglu:com.acme/click/jsonschema', data: {} }],
    ['non-object data', { schema: SCHEMA, data: 'hello' }],
    ['array data', { schema: SCHEMA, data: [1] }],
  ])('drops %s with reason `invalid` and warns once', (_label, event) => {
    const warnings: string[] = [];
    const tracker = testTracker({ destinations: [scriptedDestination(() => ok)] }, warnings);
    expect(() => tracker.track(event as never)).not.toThrow();
    expect(tracker.track(event as never)).toBeUndefined();
    expect(tracker.getStats().dropped).toEqual({ invalid: 2 });
    expect(warnings).toHaveLength(1);
  });

  it('drops an event with an invalid true timestamp as `invalid`', () => {
    const tracker = testTracker({ destinations: [scriptedDestination(() => ok)] });
    expect(tracker.track(click(1), { trueTimestamp: 'not a date' })).toBeUndefined();
    expect(tracker.getStats().dropped).toEqual({ invalid: 1 });
  });

  it('runs plugins on each envelope with the tracking time it was stamped with', async () => {
    const seen: [string, number][] = [];
    const destination = scriptedDestination(() => ok);
    const tracker = testTracker({
      destinations: [destination],
      plugins: [{ name: 'clock', enrich: (envelope, now) => { seen.push([envelope.ts.created, now]); envelope.page = { url: `at:${now}` }; } }],
    });
    tracker.track(click(1));
    await tracker.flush();
    expect(seen).toHaveLength(1);
    const [created, now] = seen[0]!;
    expect(now).toBe(Date.parse(created));
    expect(destination.batches[0]![0]!.page).toEqual({ url: `at:${now}` });
  });

  it('reports a transport that throws through onError, and retries its batch as after a network error', async () => {
    const errors: string[] = [];
    let calls = 0;
    const destination = scriptedDestination(() => {
      if (++calls === 1) throw new Error('transport bug');
      return ok;
    });
    const tracker = testTracker({ destinations: [destination], hooks: { onError: (error) => errors.push(error.message) } });
    tracker.track(click(1));
    await tracker.flush();
    expect(errors).toEqual(['transport bug']);
    expect(tracker.getStats()).toMatchObject({ delivered: 1, retried: 1, dropped: {} });
  });

  it('survives a plugin and hooks that throw', async () => {
    const errors: Error[] = [];
    const tracker = testTracker({
      destinations: [scriptedDestination(() => ok)],
      plugins: [{ name: 'broken', enrich: () => { throw new Error('boom'); } }],
      hooks: { onDropped: () => { throw new Error('hook boom'); }, onError: (e) => errors.push(e) },
    });
    expect(tracker.track(click(1))).toBeUndefined();
    await tracker.flush();
    expect(tracker.getStats().dropped).toEqual({ invalid: 1 });
    expect(errors.map((e) => e.message)).toEqual(['track() failed']);
  });

  it.each([
    ['no destination', { destinations: [] }, /at least one destination/],
    ['an empty appId', { appId: '', destinations: [scriptedDestination(() => ok)] }, /appId/],
    ['duplicate destination names', { destinations: [scriptedDestination(() => ok), scriptedDestination(() => ok)] }, /two destinations/],
    ['a zero flush interval', { flushIntervalMs: 0, destinations: [scriptedDestination(() => ok)] }, /flushIntervalMs/],
  ])('rejects a configuration with %s', (_label, options, message) => {
    expect(() => testTracker(options as never)).toThrow(message);
  });
});

describe('batching', () => {
  it('splits by event count', async () => {
    const destination = scriptedDestination(() => ok, 'd', { maxEvents: 10 });
    const tracker = testTracker({ destinations: [destination] });
    for (let n = 0; n < 25; n++) tracker.track(click(n));
    await tracker.flush();
    expect(destination.batches.map((b) => b.length)).toEqual([10, 10, 5]);
  });

  it('splits by serialized bytes, never exceeding the limit with more than one event', async () => {
    const destination = scriptedDestination(() => ok, 'd', { maxEvents: 1000, maxBytes: 2000 });
    const tracker = testTracker({ destinations: [destination] });
    for (let n = 0; n < 50; n++) tracker.track({ schema: SCHEMA, data: { text: 'x'.repeat(n * 10) } });
    await tracker.flush();
    expect(destination.batches.flat()).toHaveLength(50);
    for (const batch of destination.batches) {
      // the limit applies to the stored envelopes, before ts.sent is stamped on each attempt
      const bytes = batch.reduce((sum, e) => sum + JSON.stringify({ ...e, ts: { created: e.ts.created } }).length, 0);
      if (batch.length > 1) expect(bytes).toBeLessThanOrEqual(2000);
    }
    expect(destination.batches.length).toBeGreaterThan(5);
  });

  it('sends a full batch at once and a partial one on the interval', async () => {
    vi.useFakeTimers();
    const destination = scriptedDestination(() => ok, 'd', { maxEvents: 10 });
    const tracker = testTracker({ destinations: [destination], flushIntervalMs: 60_000 });
    for (let n = 0; n < 13; n++) tracker.track(click(n));
    await vi.advanceTimersByTimeAsync(20);
    expect(destination.batches.map((b) => b.length)).toEqual([10]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(destination.batches.map((b) => b.length)).toEqual([10, 3]);
    await tracker.flush();
    expect(destination.batches.map((b) => b.length)).toEqual([10, 3]);
  });
});

describe('delivery and retry', () => {
  it('retries a 5xx-like failure and delivers', async () => {
    const destination = scriptedDestination((_b, attempt) => (attempt < 3 ? { type: 'retryable', reason: 'HTTP 503' } : ok));
    const tracker = testTracker({ destinations: [destination] });
    const id = tracker.track(click(1));
    await tracker.flush();
    expect(destination.receivedIds()).toEqual([id, id, id]);
    expect(tracker.getStats()).toMatchObject({ delivered: 1, retried: 2, queued: 0, dropped: {} });
  });

  it('waits for Retry-After before the next attempt', async () => {
    const times: number[] = [];
    const destination = scriptedDestination((_b, attempt) => {
      times.push(Date.now());
      return attempt === 1 ? { type: 'retryable', reason: 'HTTP 429', retryAfterMs: 120 } : ok;
    });
    const tracker = testTracker({ destinations: [destination] });
    tracker.track(click(1));
    await tracker.flush();
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(115);
  });

  it('counts batches that fail together as one failure, so concurrency does not inflate the backoff', async () => {
    const times: number[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const destination = scriptedDestination(async (_b, attempt) => {
      times.push(Date.now());
      if (attempt <= 4) {
        if (attempt === 4) release();
        await gate; // the four first batches are in flight at once, then all fail
        return { type: 'retryable', reason: 'HTTP 503' };
      }
      return ok;
    }, 'd', { maxEvents: 1 });
    const tracker = testTracker({ destinations: [destination], retry: { initialBackoffMs: 100, maxBackoffMs: 10_000, jitter: 0 } });
    for (let n = 0; n < 4; n++) tracker.track(click(n));
    await tracker.flush();
    expect(destination.batches).toHaveLength(8);
    const pause = times[4]! - times[3]!;
    expect(pause).toBeGreaterThanOrEqual(95);
    expect(pause).toBeLessThan(400); // 4 failures counted separately would wait 800 ms
  });

  it('drops a batch on a non-retryable status with reason `fatal_status`', async () => {
    const dropped: [number, string][] = [];
    const destination = scriptedDestination(() => ({ type: 'fatal', reason: 'HTTP 401', status: 401 }));
    const tracker = testTracker({ destinations: [destination], hooks: { onDropped: (e, reason) => dropped.push([e.length, reason]) } });
    tracker.track(click(1));
    tracker.track(click(2));
    await tracker.flush();
    expect(destination.batches).toHaveLength(1);
    expect(dropped).toEqual([[2, 'fatal_status']]);
  });

  it('splits a batch the receiver found too large (413), dropping only a single oversized event', async () => {
    const destination = scriptedDestination((batch) =>
      batch.some((e) => e.event.data.big) && batch.length >= 1 ? { type: 'fatal', reason: 'HTTP 413', status: 413 } : ok,
    );
    const tracker = testTracker({ destinations: [destination] });
    tracker.track(click(1));
    tracker.track({ schema: SCHEMA, data: { big: true } });
    tracker.track(click(3));
    tracker.track(click(4));
    await tracker.flush();
    expect(tracker.getStats()).toMatchObject({ delivered: 3, dropped: { too_large: 1 } });
  });

  it('gives up after maxAttempts with reason `retries_exhausted`', async () => {
    const destination = scriptedDestination(() => ({ type: 'retryable', reason: 'network error' }));
    const tracker = testTracker({ destinations: [destination], retry: { maxAttempts: 4, initialBackoffMs: 1, maxBackoffMs: 2 } });
    tracker.track(click(1));
    await tracker.flush();
    expect(destination.batches).toHaveLength(4);
    expect(tracker.getStats()).toMatchObject({ delivered: 0, queued: 0, dropped: { retries_exhausted: 1 }, lastError: 'network error' });
  });

  it('drops events older than maxEventAgeMs with reason `expired` instead of retrying', async () => {
    const destination = scriptedDestination(() => ({ type: 'retryable', reason: 'HTTP 500' }));
    // Only the clock is fake: it moves past the event's age limit while the retry timers stay real.
    vi.useFakeTimers({ toFake: ['Date'] });
    const tracker = testTracker({ destinations: [destination], retry: { maxEventAgeMs: 1 } });
    tracker.track(click(1));
    vi.setSystemTime(Date.now() + 5);
    await tracker.flush();
    expect(tracker.getStats().dropped).toEqual({ expired: 1 });
  });

  it('counts events the receiver rejected as dropped with reason `rejected`', async () => {
    const destination = scriptedDestination((batch) => ({ type: 'ok', rejected: [{ id: batch[0]!.id, errors: ['/data/n: must be string'] }] }));
    const tracker = testTracker({ destinations: [destination] });
    tracker.track(click(1));
    tracker.track(click(2));
    await tracker.flush();
    expect(tracker.getStats()).toMatchObject({ delivered: 1, dropped: { rejected: 1 } });
  });

  it('keeps each destination on its own progress: a failing one never blocks another', async () => {
    const healthy = scriptedDestination(() => ok, 'healthy');
    const down = scriptedDestination(() => ({ type: 'retryable', reason: 'HTTP 503', retryAfterMs: 60_000 }), 'down');
    const tracker = testTracker({ destinations: [healthy, down] });
    for (let n = 0; n < 5; n++) tracker.track(click(n));
    await tracker.flush({ timeoutMs: 100 });
    const stats = tracker.getStats();
    expect(stats.destinations.healthy).toMatchObject({ delivered: 5, queued: 0 });
    expect(stats.destinations.down).toMatchObject({ delivered: 0, queued: 5, retried: 5 });
    expect(stats.destinations.down!.backoffUntil).toBeGreaterThan(Date.now());
  });

  it('refuses events beyond the store bound, counting each as `store_full`', async () => {
    const destination = scriptedDestination(() => ok);
    const tracker = testTracker({ destinations: [destination], store: () => new MemoryStore({ maxEvents: 10 }) });
    for (let n = 0; n < 25; n++) tracker.track(click(n));
    await tracker.flush();
    expect(tracker.getStats()).toMatchObject({ delivered: 10, dropped: { store_full: 15 } });
  });
});

describe('PII', () => {
  it('is transformed before the event is stored, so nothing marked leaves in clear', async () => {
    const stored: Envelope[] = [];
    const store = new MemoryStore();
    const destination = scriptedDestination(() => ok);
    const tracker = testTracker({
      destinations: [destination],
      store: () => spyOnAdds(store, (events) => stored.push(...events.map((e) => JSON.parse(e.json) as Envelope))),
    });
    const data = { email: 'jane@example.com', name: 'Jane', plan: 'pro' };
    tracker.track({ schema: SCHEMA, data }, { pii: { '/email': 'hash', '/name': 'drop' } });
    await tracker.flush();
    expect(stored[0]!.event.data).toEqual({ email: sha256Hex('jane@example.com'), plan: 'pro' });
    expect(JSON.stringify(destination.batches)).not.toContain('jane@example.com');
    expect(data.email).toBe('jane@example.com');
  });

  it('sends in clear only what the app opted in to', async () => {
    const destination = scriptedDestination(() => ok);
    const tracker = testTracker({ destinations: [destination], allowPiiInClear: { 'iglu:com.acme/button_click/jsonschema': ['/email'] } });
    tracker.track({ schema: SCHEMA, data: { email: 'jane@example.com' } }, { pii: { '/email': 'hash' } });
    await tracker.flush();
    expect(destination.batches[0]![0]!.event.data.email).toBe('jane@example.com');
  });
});

describe('shutdown', () => {
  it('flushes, is idempotent, and drops later events with reason `after_shutdown`', async () => {
    const destination = scriptedDestination(() => ok);
    const tracker = testTracker({ destinations: [destination] });
    tracker.track(click(1));
    const first = tracker.shutdown();
    const second = tracker.shutdown();
    expect(second).toBe(first);
    await first;
    await tracker.shutdown();
    expect(destination.batches.flat()).toHaveLength(1);
    expect(tracker.track(click(2))).toBeUndefined();
    expect(tracker.getStats()).toMatchObject({ tracked: 2, delivered: 1, dropped: { after_shutdown: 1 } });
  });

  it('flush({ unloading }) hands every tracked event to the stores before it returns, each once', async () => {
    vi.useFakeTimers();
    const added: string[] = [];
    const store = new MemoryStore({ maxEvents: 10_000 });
    const destination = scriptedDestination(() => new Promise(() => {})); // the page dies before any answer
    const tracker = testTracker({
      destinations: [destination],
      store: () => spyOnAdds(store, (events) => added.push(...events.map((e) => e.id))),
    });
    const ids = Array.from({ length: 2500 }, (_, n) => tracker.track(click(n))!);
    await Promise.resolve(); // the intake's first chunk (1,000) is stored; the rest waits for later tasks
    await Promise.resolve();
    void tracker.flush({ unloading: true });
    expect(added).toEqual(ids); // synchronously: a page's last task may be this one
    await vi.advanceTimersByTimeAsync(50); // the later tasks the intake had planned run, and add nothing again
    expect(added).toEqual(ids);
  });

  it('gives up waiting after its timeout; what memory still holds is dropped and counted (`shutdown`), never lost silently', async () => {
    let fail: (result: TransportResult) => void = () => undefined;
    // The first batch hangs; the rest stay queued behind it (one batch at a time, one event each).
    const destination = scriptedDestination(() => new Promise<TransportResult>((resolve) => (fail = resolve)), 'hanging', { maxEvents: 1 });
    const dropped: [number, string][] = [];
    const tracker = testTracker({
      destinations: [destination],
      concurrency: 1,
      consent: { purposes: { marketing: 'pending' } },
      hooks: { onDropped: (events, reason) => dropped.push([events.length, reason]) },
    });
    for (let n = 0; n < 3; n++) tracker.track(click(n));
    tracker.track(click(3), { purpose: 'marketing' }); // held for consent
    const started = Date.now();
    await tracker.shutdown({ timeoutMs: 50 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(tracker.getStats()).toMatchObject({ queued: 1, inFlight: 1, heldForConsent: 0, dropped: { shutdown: 3 } });
    expect(dropped).toEqual([[1, 'shutdown'], [2, 'shutdown']]);
    // The batch in flight fails after shutdown: dropped too, not retried by a tracker that is gone.
    fail({ type: 'retryable', reason: 'HTTP 503' });
    await eventually(() => expect(tracker.getStats().dropped).toEqual({ shutdown: 4 }), { what: 'the failed batch dropped as shutdown' });
    expect(tracker.getStats()).toMatchObject({ queued: 0, inFlight: 0, tracked: 4, delivered: 0 });
  });

  it('keeps what a durable store holds at shutdown for the next run', async () => {
    const store = new MemoryStore();
    const durable = storeOver(store); // no `volatile`: like the disk spool
    const tracker = testTracker({ destinations: [scriptedDestination(() => new Promise(() => {}), 'hanging', { maxEvents: 1 })], concurrency: 1, store: () => durable });
    for (let n = 0; n < 3; n++) tracker.track(click(n));
    await tracker.shutdown({ timeoutMs: 50 });
    expect(tracker.getStats().dropped).toEqual({});
    expect(store.size()).toBe(3);
  });
});

describe('PII in entities', () => {
  it('applies the PII marks an entity carries and strips the marks from the envelope', async () => {
    const destination = scriptedDestination(() => ok);
    const tracker = testTracker({ destinations: [destination] });
    const entity = { schema: SCHEMA, data: { email: 'jane@example.com', role: 'owner' }, pii: { '/email': 'redact' as const } };
    tracker.track(click(1), { entities: [entity, { schema: SCHEMA, data: { plain: true } }] });
    await tracker.flush();
    expect(destination.batches[0]![0]!.entities).toEqual([
      { schema: SCHEMA, data: { email: '[redacted]', role: 'owner' } },
      { schema: SCHEMA, data: { plain: true } },
    ]);
    expect(entity.data.email).toBe('jane@example.com');
  });
});

describe('tracking plan (the generated TRACKING_PLAN)', () => {
  const SIGNUP = 'iglu:com.acme/signup/jsonschema/1-0-0';
  const USER = 'iglu:com.acme/user/jsonschema/1-0-0';
  const trackingPlan = { [SIGNUP]: { purpose: 'marketing', pii: { '/email': 'redact' as const } }, [USER]: { pii: { '/name': 'drop' as const } } };

  it('gives a raw track() call its schema’s consent purpose and PII marks, and an unmarked entity its marks', async () => {
    const destination = scriptedDestination(() => ok);
    const tracker = testTracker({ destinations: [destination], trackingPlan, consent: { purposes: { marketing: 'pending' } } });
    tracker.track({ schema: SIGNUP, data: { email: 'jane@example.com', plan: 'team' } }, { entities: [{ schema: USER, data: { name: 'Jane', id: 7 } }] });
    await tracker.flush();
    expect(destination.batches).toEqual([]); // held: its purpose, marketing, is pending
    tracker.setConsent({ marketing: 'granted' });
    await tracker.flush();
    const [envelope] = destination.batches.flat();
    expect(envelope!.event.data).toEqual({ email: '[redacted]', plan: 'team' });
    expect(envelope!.entities).toEqual([{ schema: USER, data: { id: 7 } }]);
  });

  it('leaves a call’s own purpose and marks as they are, and schemas outside the plan alone', async () => {
    const destination = scriptedDestination(() => ok);
    const tracker = testTracker({ destinations: [destination], trackingPlan, consent: { purposes: { marketing: 'denied' } } });
    tracker.track({ schema: SIGNUP, data: { email: 'jane@example.com' } }, { purpose: 'necessary', pii: { '/email': 'hash' } });
    tracker.track(click(1));
    await tracker.flush();
    const [signup, other] = destination.batches.flat();
    expect(signup!.event.data.email).toBe(sha256Hex('jane@example.com'));
    expect(other!.event).toEqual(click(1));
    expect(tracker.getStats().dropped).toEqual({});
  });
});
