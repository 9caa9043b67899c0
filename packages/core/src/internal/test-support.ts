// Test helpers shared by core's unit tests (not exported from the package).
import type { Envelope } from './envelope.js';
import { createTracker } from './tracker.js';
import type { Tracker, TrackerOptions } from './tracker-types.js';
import type { Destination, HttpClient, TransportResult } from './transport.js';
import type { MemoryStore } from './memory-store.js';
import type { EventStore } from './store.js';
import { withSentAt } from './wire-format.js';

/** A destination whose transport answers with whatever `respond` returns, recording every batch. */
export function scriptedDestination(
  respond: (batch: readonly Envelope[], attempt: number) => TransportResult | Promise<TransportResult>,
  name = 'scripted',
  batch?: Destination['batch'],
): Destination & { batches: Envelope[][]; receivedIds: () => string[] } {
  const batches: Envelope[][] = [];
  return {
    name,
    ...(batch ? { batch } : {}),
    batches,
    receivedIds: () => batches.flat().map((e) => e.id),
    createTransport: () => ({
      send: async (events) => {
        // What a receiver would see: the envelopes as sent, with ts.sent stamped.
        const sentAt = new Date().toISOString();
        const envelopes = events.map((event) => JSON.parse(withSentAt(event.json, sentAt)) as Envelope);
        batches.push(envelopes);
        return respond(envelopes, batches.length);
      },
    }),
  };
}

/**
 * A store that keeps its events in `memory` but answers as `overrides` says where given (to watch
 * or slow one method). Not `volatile`: to the tracker it is a durable store, like the disk spool.
 */
export function storeOver(memory: MemoryStore, overrides: Partial<EventStore> = {}): EventStore {
  return {
    add: (events) => memory.add(events),
    peek: (options) => memory.peek(options),
    remove: (ids) => memory.remove(ids),
    purgePurpose: (purpose, keep) => memory.purgePurpose(purpose, keep),
    count: () => memory.count(),
    size: () => memory.size(),
    ...overrides,
  };
}

const unusedHttp: HttpClient = {
  post: () => Promise.reject(new Error('no HTTP in this test')),
};

/** A core tracker with test-friendly defaults (fast timers, no real HTTP). */
export function testTracker(options: Partial<TrackerOptions> & Pick<TrackerOptions, 'destinations'>, warnings: string[] = []): Tracker {
  return createTracker(
    { appId: 'test-app', flushIntervalMs: 5, retry: { initialBackoffMs: 1, maxBackoffMs: 5, jitter: 0 }, ...options },
    {
      services: { http: unusedHttp, warn: (m) => warnings.push(m) },
      tracker: { name: 'tracklane-test', version: '0.0.0' },
      defaultPlatform: 'srv',
    },
  );
}

export const SCHEMA = 'iglu:com.acme/button_click/jsonschema/1-0-0';
