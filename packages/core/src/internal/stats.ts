import type { DeliveryQueue } from './delivery-queue.js';
import type { DestinationStats, DropReason, TrackerStats } from './tracker-types.js';

type DropCounts = Partial<Record<DropReason, number>>;

/** Counters behind `getStats()`; queue depths are read live from the queues. */
export class StatsCollector {
  tracked = 0;
  lastError: string | undefined;
  readonly #dropped: DropCounts = {};
  readonly #droppedByDestination = new Map<string, DropCounts>();

  countDrop(reason: DropReason, count: number, destination?: string): void {
    this.#dropped[reason] = (this.#dropped[reason] ?? 0) + count;
    if (destination === undefined) return;
    let counts = this.#droppedByDestination.get(destination);
    if (!counts) this.#droppedByDestination.set(destination, (counts = {}));
    counts[reason] = (counts[reason] ?? 0) + count;
  }

  snapshot(queues: readonly DeliveryQueue[], heldForConsent: number): TrackerStats {
    const destinations: Record<string, DestinationStats> = {};
    let queued = 0;
    let inFlight = 0;
    let delivered = 0;
    let retried = 0;
    for (const queue of queues) {
      const live = queue.stats();
      destinations[queue.name] = {
        ...live,
        delivered: queue.delivered,
        retried: queue.retried,
        dropped: { ...this.#droppedByDestination.get(queue.name) },
        ...(queue.lastError !== undefined ? { lastError: queue.lastError } : {}),
      };
      queued += live.queued;
      inFlight += live.inFlight;
      delivered += queue.delivered;
      retried += queue.retried;
    }
    return {
      tracked: this.tracked,
      queued,
      inFlight,
      heldForConsent,
      delivered,
      retried,
      dropped: { ...this.#dropped },
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
      destinations,
    };
  }
}
