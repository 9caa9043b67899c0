import { setImmediate } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Envelope } from './envelope.js';
import { MemoryStore } from './memory-store.js';
import type { StoredEvent } from './store.js';
import { SCHEMA, scriptedDestination, storeOver, testTracker } from './test-support.js';
import { eventually } from '../../../../test/helpers/eventually.js';

const ok = { type: 'ok' } as const;
const click = (n: number) => ({ schema: SCHEMA, data: { n } });
const numbers = (batches: Envelope[][]) => batches.flat().map((e) => e.event.data.n);

describe('consent', () => {
  it('holds events of a pending purpose in memory, then releases them in order on grant', async () => {
    const destination = scriptedDestination(() => ok);
    const tracker = testTracker({ destinations: [destination], consent: { default: 'pending' } });
    for (let n = 0; n < 5; n++) tracker.track(click(n));
    await tracker.flush();
    expect(destination.batches).toEqual([]);
    expect(tracker.getStats()).toMatchObject({ heldForConsent: 5, queued: 0 });

    tracker.setConsent({ analytics: 'granted' }, { policyVersion: 'v2', source: 'banner' });
    tracker.track(click(5));
    await tracker.flush();
    expect(numbers(destination.batches)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(destination.batches.flat()[0]!.consent).toEqual({ purposes: { analytics: 'granted' }, policyVersion: 'v2', source: 'banner' });
    expect(tracker.getStats().heldForConsent).toBe(0);
  });

  it('drops held events on denial with reason `consent_denied`', async () => {
    const destination = scriptedDestination(() => ok);
    const tracker = testTracker({ destinations: [destination], consent: { default: 'pending' } });
    tracker.track(click(1));
    tracker.setConsent({ analytics: 'denied' });
    tracker.track(click(2));
    await tracker.flush();
    expect(destination.batches).toEqual([]);
    expect(tracker.getStats().dropped).toEqual({ consent_denied: 2 });
  });

  it('purges, at start, stored events of a purpose denied since they were stored (the earlier run ended before its purge)', async () => {
    const destination = scriptedDestination(() => ok);
    // A durable store as an earlier run left it: one event of a purpose denied now, one necessary.
    const stored = (id: string, purpose: string, n: number): StoredEvent => {
      const json = JSON.stringify({ id, event: { schema: SCHEMA, data: { n } }, ts: { created: new Date().toISOString() } });
      return { id, purpose, createdAt: Date.now(), json, bytes: json.length };
    };
    const store = new MemoryStore();
    store.add([stored('0190a000-0000-7000-8000-000000000001', 'marketing', 1), stored('0190a000-0000-7000-8000-000000000002', 'necessary', 2)]);
    const tracker = testTracker({ destinations: [destination], store: () => store, consent: { purposes: { marketing: 'denied' } } });
    await tracker.flush();
    expect(numbers(destination.batches)).toEqual([2]);
    expect(tracker.getStats().dropped).toEqual({ consent_denied: 1 });
  });

  it('purges queued and retrying events of a denied purpose from the store', async () => {
    let failing = true;
    const destination = scriptedDestination(() => (failing ? { type: 'retryable', reason: 'HTTP 503', retryAfterMs: 30 } : ok));
    const tracker = testTracker({ destinations: [destination] });
    tracker.track(click(1), { purpose: 'marketing' });
    tracker.track(click(2), { purpose: 'analytics' });
    tracker.track(click(3), { purpose: 'marketing' });
    await tracker.flush({ timeoutMs: 10 });
    expect(tracker.getStats().queued).toBe(3);

    tracker.setConsent({ marketing: 'denied' });
    failing = false;
    await tracker.flush();
    const afterDenial = destination.batches.slice(1);
    expect(numbers(afterDenial)).toEqual([2]);
    expect(tracker.getStats()).toMatchObject({ queued: 0, delivered: 1, dropped: { consent_denied: 2 } });
  });

  it('never sends an event whose purpose was denied while its purge is still on its way (a slow durable store)', async () => {
    let failing = true;
    const destination = scriptedDestination(() => (failing ? { type: 'retryable', reason: 'HTTP 503', retryAfterMs: 30 } : ok));
    const memory = new MemoryStore();
    let releasePurge = (): void => undefined;
    const purgeReleased = new Promise<void>((resolve) => (releasePurge = resolve));
    const slowPurge = storeOver(memory, {
      purgePurpose: async (purpose, keep) => {
        await purgeReleased;
        return memory.purgePurpose(purpose, keep);
      },
    });
    const tracker = testTracker({ destinations: [destination], store: () => slowPurge });
    tracker.track(click(1), { purpose: 'marketing' });
    tracker.track(click(2), { purpose: 'analytics' });
    await tracker.flush({ timeoutMs: 10 });
    expect(tracker.getStats().queued).toBe(2);

    tracker.setConsent({ marketing: 'denied' });
    failing = false;
    await eventually(() => expect(tracker.getStats().delivered).toBe(1), { intervalMs: 5, what: 'the retry to deliver' });
    expect(numbers(destination.batches.slice(1))).toEqual([2]);
    releasePurge();
    await tracker.flush();
    // Dropped once, by the send that found it, not a second time by the purge.
    expect(tracker.getStats()).toMatchObject({ queued: 0, delivered: 1, dropped: { consent_denied: 1 } });
  });

  it('does not retry an in-flight event whose purpose was denied meanwhile', async () => {
    let release: (value: { type: 'retryable'; reason: string }) => void = () => {};
    const destination = scriptedDestination((_b, attempt) =>
      attempt === 1 ? new Promise((resolve) => (release = resolve)) : ok,
    );
    const tracker = testTracker({ destinations: [destination] });
    tracker.track(click(1), { purpose: 'marketing' });
    const flushed = tracker.flush();
    await eventually(() => destination.batches.length === 1, { what: 'the first attempt in flight' });
    tracker.setConsent({ marketing: 'denied' });
    await setImmediate(); // the purge, promises on a memory store, has run before the next task
    release({ type: 'retryable', reason: 'HTTP 500' });
    await flushed;
    expect(destination.batches).toHaveLength(1);
    expect(tracker.getStats().dropped).toEqual({ consent_denied: 1 });
  });

  it('never gates the `necessary` purpose', async () => {
    const destination = scriptedDestination(() => ok);
    const tracker = testTracker({ destinations: [destination], consent: { default: 'denied' } });
    tracker.track(click(1), { purpose: 'necessary' });
    tracker.track(click(2));
    tracker.setConsent({ necessary: 'denied' });
    tracker.track(click(3), { purpose: 'necessary' });
    await tracker.flush();
    expect(numbers(destination.batches)).toEqual([1, 3]);
  });

  it('uses the configured default purpose for events whose schema names none', async () => {
    const destination = scriptedDestination(() => ok);
    const tracker = testTracker({ destinations: [destination], defaultPurpose: 'product', consent: { purposes: { product: 'denied' } } });
    tracker.track(click(1));
    tracker.track(click(2), { purpose: 'analytics' });
    await tracker.flush();
    expect(numbers(destination.batches)).toEqual([2]);
  });

  it('bounds the events held while pending, dropping the oldest', async () => {
    const tracker = testTracker({ destinations: [scriptedDestination(() => ok)], consent: { default: 'pending' }, maxPendingConsent: 3 });
    for (let n = 0; n < 5; n++) tracker.track(click(n));
    expect(tracker.getStats()).toMatchObject({ heldForConsent: 3, dropped: { consent_pending_overflow: 2 } });
  });

  it('stamps every envelope with the snapshot at capture time', async () => {
    const destination = scriptedDestination(() => ok);
    const tracker = testTracker({ destinations: [destination], consent: { purposes: { analytics: 'granted', ads: 'denied' } } });
    tracker.track(click(1));
    tracker.setConsent({ ads: 'granted' });
    tracker.track(click(2));
    await tracker.flush();
    expect(destination.batches.flat().map((e) => e.consent.purposes.ads)).toEqual(['denied', 'granted']);
  });
});
