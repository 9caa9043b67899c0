/** One queued event, as an `EventStore` keeps it: the envelope serialized once, and what queues need to know. */
export interface StoredEvent {
  /** The envelope's id. */
  id: string;
  /** Consent purpose that gates this event, so denial can purge it. */
  purpose: string;
  /** `ts.created` as epoch ms, for the retry deadline. */
  createdAt: number;
  /** The envelope as JSON (see `storedEventOf`: `ts` comes last). */
  json: string;
  /** Size of `json` in bytes (UTF-8). */
  bytes: number;
}

export interface PeekOptions {
  /** Most events to return. */
  limit: number;
  /** Most bytes (sum of `bytes`) to return, unless a single event alone is larger. */
  maxBytes: number;
  /** Ids to skip (already in flight). */
  exclude: ReadonlySet<string>;
}

/** The result of `EventStore.add`: events refused because the store is full. */
export interface AddResult {
  refused: StoredEvent[];
}

/**
 * Durable (or not) FIFO queue of events for one destination. Implementations: the bounded memory
 * store here, the IndexedDB store in `@tracklane/browser`, the disk spool in `@tracklane/node`.
 * All methods may be async; the delivery queue never calls them from `track()`.
 */
export interface EventStore {
  /** Appends events in order. A full store refuses the newest events (declared eviction: drop-newest). */
  add(events: readonly StoredEvent[]): AddResult | Promise<AddResult>;
  /** The oldest events, in order, up to the limits, skipping `exclude`. Always returns at least one event if any fits none of the limits alone. */
  peek(options: PeekOptions): readonly StoredEvent[] | Promise<readonly StoredEvent[]>;
  /** Removes events by id; unknown ids are ignored. Returns how many were removed. */
  remove(ids: readonly string[]): number | Promise<number>;
  /** Removes every event of a consent purpose except those in `keep` (in flight); returns the removed events. */
  purgePurpose(purpose: string, keep: ReadonlySet<string>): StoredEvent[] | Promise<StoredEvent[]>;
  /**
   * How many events the store held when it was opened; called once, when the tracker starts. An async
   * store must not count events added through `add` or reported through `subscribe` meanwhile.
   */
  count(): number | Promise<number>;
  /**
   * How many events the store holds now, in flight included; for a store others write too, every
   * writer's events as far as it knows. The queue's count of queued events is this, so it cannot
   * drift from the store.
   */
  size(): number;
  /** Releases resources (file handles, connections). */
  close?(): void | Promise<void>;
  /**
   * True when the events do not outlive the process (memory): what is left at shutdown is dropped
   * and counted (`shutdown`). Absent or false: the store keeps them for the next run.
   */
  readonly volatile?: boolean;
  /**
   * For a store that others write too (browser tabs sharing one IndexedDB queue): the queue calls it
   * once, and the store calls `changed` when events were added (`delta` > 0) or removed (< 0) by
   * someone else, or with 0 when it may have events to send now (e.g. this tab became the sender).
   */
  subscribe?(changed: (delta: number) => void): void;
}

/** Makes the store of one destination; durable stores use `destination` as a namespace. */
export type EventStoreFactory = (destination: string) => EventStore;

/**
 * The first events (oldest first: pass them in id order) that fit the peek limits, skipping excluded
 * ids; always at least one event when any is available, even if it alone is over `maxBytes`. Shared
 * by the stores: memory, Node disk spool, browser IndexedDB queue.
 */
export function selectBatch(events: Iterable<StoredEvent>, { limit, maxBytes, exclude }: PeekOptions): StoredEvent[] {
  const batch: StoredEvent[] = [];
  let bytes = 0;
  for (const event of events) {
    if (batch.length >= limit) break;
    if (exclude.has(event.id)) continue;
    if (batch.length > 0 && bytes + event.bytes > maxBytes) break;
    batch.push(event);
    bytes += event.bytes;
  }
  return batch;
}
