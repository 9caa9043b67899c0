import type { CollectorMetrics } from './metrics.js';

type Outcome = 'accepted' | 'duplicate' | 'rejected';

/**
 * Counts the events of one batch by outcome, schema and reason, and adds them to the
 * `events_total` counter once per distinct label set: a labelled `inc` per event was measurable.
 */
export class EventTally {
  private readonly counts = new Map<string, { outcome: Outcome; schema: string; reason: string; count: number }>();

  add(outcome: Outcome, schema: string, reason = ''): void {
    const key = `${outcome} ${schema} ${reason}`;
    const entry = this.counts.get(key);
    if (entry) entry.count++;
    else this.counts.set(key, { outcome, schema, reason, count: 1 });
  }

  addTo(counter: CollectorMetrics['events']): void {
    for (const { outcome, schema, reason, count } of this.counts.values()) counter.inc({ outcome, schema, reason }, count);
  }
}
