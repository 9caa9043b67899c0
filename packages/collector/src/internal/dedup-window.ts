export interface DedupWindowOptions {
  /** Most ids remembered; the oldest are forgotten first. @default 1_000_000 */
  maxIds?: number;
  /** Ids older than this are forgotten. @default 86_400_000 (24 h) */
  ttlMs?: number;
  /**
   * When the collector starts, fill the window from its sink (`Sink.recentIds`): the file raw store
   * gives back the ids it received within `ttlMs`, the `maxIds` most recent, before the first request
   * is taken. The Kafka sink gives none: its window starts empty.
   * @default true
   */
  warmFromStore?: boolean;
}

/** What `reserve` finds: a new id (now reserved), a duplicate, or a write of the same id in progress. */
export type Reservation = 'new' | 'duplicate' | { pending: Promise<void> };

/**
 * Remembers the ids of events already landed, within a bounded window (count and age), so that
 * retries of at-least-once delivery land once. Ids are reserved while their write is in progress;
 * a retry racing its own first attempt waits for that write: if it fails, the retry lands the event.
 */
export class DedupWindow {
  /** id -> time first seen (ms); Map keeps insertion order, so the oldest come first. */
  private readonly seen = new Map<string, number>();
  /**
   * Reserved ids, with what wakes those waiting for the write's outcome: made only when a request
   * waits (a retry racing its first attempt), so reserving costs no promise per event.
   */
  private readonly pending = new Map<string, { settled: Promise<void>; settle: () => void } | null>();
  readonly maxIds: number;
  readonly ttlMs: number;

  constructor(options: DedupWindowOptions = {}) {
    this.maxIds = options.maxIds ?? 1_000_000;
    this.ttlMs = options.ttlMs ?? 86_400_000;
  }

  get size(): number {
    return this.seen.size;
  }

  reserve(id: string, now = Date.now()): Reservation {
    const inProgress = this.pending.get(id);
    if (inProgress) return { pending: inProgress.settled };
    if (inProgress === null) {
      let settle: () => void = () => {};
      const settled = new Promise<void>((resolve) => (settle = resolve));
      this.pending.set(id, { settled, settle });
      return { pending: settled };
    }
    const at = this.seen.get(id);
    if (at !== undefined && now - at <= this.ttlMs) return 'duplicate';
    this.pending.set(id, null);
    return 'new';
  }

  /** The write of reserved ids succeeded: remember them. */
  commit(ids: readonly string[], now = Date.now()): void {
    for (const id of ids) {
      this.seen.delete(id);
      this.seen.set(id, now);
      this.settle(id);
    }
    this.evict(now);
  }

  /**
   * Remembers ids landed before this window existed (read back from the store): `ids[i]` first seen
   * at `at[i]` (epoch ms), oldest first. Those already older than the window's age are left out.
   */
  preload(ids: readonly string[], at: readonly number[], now = Date.now()): void {
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const time = at[i]!;
      if (now - time > this.ttlMs) continue;
      const known = this.seen.get(id);
      if (known !== undefined) {
        if (known >= time) continue;
        this.seen.delete(id);
      }
      this.seen.set(id, time);
    }
    this.evict(now);
  }

  /** The write failed: release the reservations so a retry can land them. */
  release(ids: readonly string[]): void {
    for (const id of ids) this.settle(id);
  }

  private settle(id: string): void {
    this.pending.get(id)?.settle();
    this.pending.delete(id);
  }

  private evict(now: number): void {
    for (const [id, at] of this.seen) {
      if (this.seen.size <= this.maxIds && now - at <= this.ttlMs) break;
      this.seen.delete(id);
    }
  }
}
