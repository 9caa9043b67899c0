// What platform packages rely on: flush for an unloading page, resume after a backoff, shared stores.
import { describe, expect, it } from 'vitest';
import { MemoryStore } from './memory-store.js';
import type { EventStore, StoredEvent } from './store.js';
import { SCHEMA, testTracker } from './test-support.js';
import type { Destination, SendOptions, TransportResult } from './transport.js';

const click = (n: number) => ({ schema: SCHEMA, data: { n } });

function recordingDestination(respond: () => TransportResult = () => ({ type: 'ok' })) {
  const sends: { ids: string[]; options: SendOptions }[] = [];
  const destination: Destination = {
    name: 'recording',
    createTransport: () => ({
      send: async (batch, options) => {
        sends.push({ ids: batch.map((e) => e.id), options });
        return respond();
      },
    }),
  };
  return { destination, sends };
}

describe('flush options', () => {
  it('marks the sends of flush({unloading: true}) and only those', async () => {
    const { destination, sends } = recordingDestination();
    const tracker = testTracker({ destinations: [destination], flushIntervalMs: 60_000 });
    tracker.track(click(1));
    await tracker.flush({ unloading: true });
    tracker.track(click(2));
    await tracker.flush();
    expect(sends.map((s) => s.options.unloading)).toEqual([true, undefined]);
  });

  it('flush({resume: true}) ends a retry backoff at once', async () => {
    let fail = true;
    const { destination, sends } = recordingDestination(() => (fail ? { type: 'retryable', reason: 'offline' } : { type: 'ok' }));
    const tracker = testTracker({ destinations: [destination], retry: { initialBackoffMs: 60_000, maxBackoffMs: 60_000, jitter: 0 } });
    tracker.track(click(1));
    await tracker.flush({ timeoutMs: 50 });
    expect(sends).toHaveLength(1);
    expect(tracker.getStats().destinations.recording!.backoffUntil).toBeGreaterThan(Date.now() + 50_000);
    fail = false;
    await tracker.flush({ resume: true, timeoutMs: 1000 });
    expect(sends).toHaveLength(2);
    expect(tracker.getStats()).toMatchObject({ delivered: 1, queued: 0 });
  });
});

describe('a store shared with other writers', () => {
  /** A memory store another tab also writes: `foreign` adds events behind the queue's back. */
  function sharedStore() {
    const inner = new MemoryStore();
    let changed: ((delta: number) => void) | undefined;
    let sending = true;
    const store: EventStore = {
      add: (events) => inner.add(events),
      peek: (options) => (sending ? inner.peek(options) : []),
      remove: (ids) => inner.remove(ids),
      purgePurpose: (purpose, keep) => inner.purgePurpose(purpose, keep),
      count: () => inner.count(),
      size: () => inner.size(),
      subscribe: (listener) => {
        changed = listener;
      },
    };
    const foreign = (events: StoredEvent[]) => {
      inner.add(events);
      changed?.(events.length);
    };
    const setSending = (value: boolean) => {
      sending = value;
      changed?.(0);
    };
    return { store, foreign, setSending, removeForeign: (ids: string[]) => changed?.(-inner.remove(ids)) };
  }
  const stored = (id: string): StoredEvent => {
    const json = `{"id":"${id}","ts":{"created":"2026-01-01T00:00:00.000Z"}}`;
    return { id, purpose: 'analytics', createdAt: Date.now(), json, bytes: json.length };
  };

  it('sends events other writers added, and flush waits for them', async () => {
    const { destination, sends } = recordingDestination();
    const shared = sharedStore();
    const tracker = testTracker({ destinations: [destination], store: () => shared.store });
    shared.foreign([stored('a'), stored('b')]);
    await tracker.flush({ timeoutMs: 1000 });
    expect(sends.flatMap((s) => s.ids)).toEqual(['a', 'b']);
    expect(tracker.getStats()).toMatchObject({ delivered: 2, queued: 0 });
  });

  it('holds while the store offers nothing to send, and sends when told it may', async () => {
    const { destination, sends } = recordingDestination();
    const shared = sharedStore();
    shared.setSending(false);
    const tracker = testTracker({ destinations: [destination], store: () => shared.store });
    tracker.track(click(1));
    await tracker.flush({ timeoutMs: 50 });
    expect(sends).toHaveLength(0);
    expect(tracker.getStats().queued).toBe(1);
    shared.setSending(true);
    await tracker.flush({ timeoutMs: 1000 });
    expect(sends).toHaveLength(1);
    expect(tracker.getStats().queued).toBe(0);
  });

  it('counts events another writer removed (delivered by another tab): flush resolves', async () => {
    const { destination, sends } = recordingDestination();
    const shared = sharedStore();
    shared.setSending(false);
    const tracker = testTracker({ destinations: [destination], store: () => shared.store });
    const id = tracker.track(click(1))!;
    await tracker.flush({ timeoutMs: 20 });
    const flushed = tracker.flush();
    shared.removeForeign([id]);
    await flushed;
    expect(sends).toHaveLength(0);
    expect(tracker.getStats().queued).toBe(0);
  });
});
