import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TransportResult } from './transport.js';
import { SCHEMA, scriptedDestination, testTracker } from './test-support.js';

/** What the fake receiver does with one attempt. */
const outcome = fc.constantFrom<TransportResult | 'throw' | 'reject-first'>(
  { type: 'ok' },
  { type: 'ok' },
  { type: 'retryable', reason: 'HTTP 503', retryAfterMs: 1 },
  { type: 'retryable', reason: 'network error' },
  { type: 'fatal', reason: 'HTTP 400', status: 400 },
  { type: 'fatal', reason: 'HTTP 413', status: 413 },
  'throw',
  'reject-first',
);

const step = fc.oneof(
  fc.record({ kind: fc.constant('track' as const), count: fc.integer({ min: 1, max: 30 }), valid: fc.boolean() }),
  fc.record({ kind: fc.constant('flush' as const) }),
  fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 5 }) }),
);

describe('at-least-once delivery (property)', () => {
  it('for any interleaving of track, flush and transport failures, every tracked event is delivered or dropped with a reason', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 25 }), fc.array(outcome, { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 40 }), async (steps, script, maxEvents) => {
        const delivered = new Set<string>();
        const dropped = new Map<string, string>();
        const destination = scriptedDestination(
          (batch, attempt) => {
            const result = script[(attempt - 1) % script.length]!;
            if (result === 'throw') throw new Error('transport bug');
            if (result === 'reject-first') return { type: 'ok', rejected: [{ id: batch[0]!.id, errors: ['bad'] }] };
            return result;
          },
          'scripted',
          { maxEvents },
        );
        const tracker = testTracker({
          destinations: [destination],
          retry: { maxAttempts: 6, initialBackoffMs: 1, maxBackoffMs: 2, jitter: 0.5 },
          hooks: {
            onDelivered: (events) => events.forEach((e) => delivered.add(e.id)),
            onDropped: (events, reason) => events.forEach((e) => dropped.set(e.id, reason)),
          },
        });
        const tracked: string[] = [];
        let invalid = 0;
        for (const s of steps) {
          if (s.kind === 'track') {
            for (let i = 0; i < s.count; i++) {
              const id = tracker.track(s.valid ? { schema: SCHEMA, data: { i } } : { schema: 'nope', data: { i } });
              if (id) tracked.push(id);
              else invalid++;
            }
          } else if (s.kind === 'flush') await tracker.flush();
          else await new Promise((r) => setTimeout(r, s.ms));
        }
        await tracker.flush();

        for (const id of tracked) {
          const wasDelivered = delivered.has(id);
          const reason = dropped.get(id);
          expect(wasDelivered || reason !== undefined, `event ${id} neither delivered nor dropped`).toBe(true);
          expect(wasDelivered && reason !== undefined, `event ${id} both delivered and dropped (${reason})`).toBe(false);
        }
        const stats = tracker.getStats();
        const droppedTotal = Object.values(stats.dropped).reduce((a, b) => a + b, 0);
        expect(stats.delivered + droppedTotal).toBe(tracked.length + invalid);
        expect(stats.queued).toBe(0);
        expect(stats.inFlight).toBe(0);
        await tracker.shutdown();
      }),
      { numRuns: 150, timeout: 3000 },
    );
  }, 60_000);
});
