import { selectBatch, type AddResult, type EventStore, type PeekOptions, type StoredEvent } from './store.js';

/** Bounds of a {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Most events held; beyond it new events are refused. @default 100_000 */
  maxEvents?: number;
  /** Most bytes (serialized, UTF-8) held; beyond it new events are refused. @default 67_108_864 (64 MiB) */
  maxBytes?: number;
}

/**
 * A bounded FIFO in memory. When full it refuses the newest events (drop-newest, as OpenTelemetry's
 * batch processor does): events already queued, possibly in flight, are never evicted.
 */
export class MemoryStore implements EventStore {
  readonly volatile = true;
  readonly #events = new Map<string, StoredEvent>();
  #bytes = 0;
  readonly #maxEvents: number;
  readonly #maxBytes: number;

  constructor(options: MemoryStoreOptions = {}) {
    this.#maxEvents = options.maxEvents ?? 100_000;
    this.#maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  }

  add(events: readonly StoredEvent[]): AddResult {
    const refused: StoredEvent[] = [];
    for (const event of events) {
      if (this.#events.size >= this.#maxEvents || this.#bytes + event.bytes > this.#maxBytes) {
        refused.push(event);
        continue;
      }
      if (this.#events.has(event.id)) continue;
      this.#events.set(event.id, event);
      this.#bytes += event.bytes;
    }
    return { refused };
  }

  peek(options: PeekOptions): StoredEvent[] {
    return selectBatch(this.#events.values(), options);
  }

  remove(ids: readonly string[]): number {
    let removed = 0;
    for (const id of ids) {
      const event = this.#events.get(id);
      if (!event) continue;
      this.#events.delete(id);
      this.#bytes -= event.bytes;
      removed++;
    }
    return removed;
  }

  purgePurpose(purpose: string, keep: ReadonlySet<string>): StoredEvent[] {
    const removed: StoredEvent[] = [];
    for (const [id, event] of this.#events) if (event.purpose === purpose && !keep.has(id)) removed.push(event);
    this.remove(removed.map((e) => e.id));
    return removed;
  }

  count(): number {
    return this.#events.size;
  }

  size(): number {
    return this.#events.size;
  }
}
