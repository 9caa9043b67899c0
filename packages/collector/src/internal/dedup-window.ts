export interface DedupWindowOptions {
  /** Most ids remembered; the oldest are forgotten first. @default 1_000_000 */
  maxIds?: number;
  /** Ids older than this are forgotten. @default 86_400_000 (24 h) */
  ttlMs?: number;
}

/**
 * Remembers the ids of events already landed, within a bounded window (count and age), so that
 * retries of at-least-once delivery land once. Ids are reserved while their write is in progress:
 * a retry racing its own first attempt is a duplicate too.
 */
export class DedupWindow {
  /** id -> time first seen (ms); Map keeps insertion order, so the oldest come first. */
  private readonly seen = new Map<string, number>();
  private readonly pending = new Set<string>();
  private readonly maxIds: number;
  private readonly ttlMs: number;

  constructor(options: DedupWindowOptions = {}) {
    this.maxIds = options.maxIds ?? 1_000_000;
    this.ttlMs = options.ttlMs ?? 86_400_000;
  }

  get size(): number {
    return this.seen.size;
  }

  /** True when `id` was landed (or is being landed) within the window; otherwise reserves it. */
  isDuplicate(id: string, now = Date.now()): boolean {
    if (this.pending.has(id)) return true;
    const at = this.seen.get(id);
    if (at !== undefined && now - at <= this.ttlMs) return true;
    this.pending.add(id);
    return false;
  }

  /** The write of reserved ids succeeded: remember them. */
  commit(ids: readonly string[], now = Date.now()): void {
    for (const id of ids) {
      this.pending.delete(id);
      this.seen.delete(id);
      this.seen.set(id, now);
    }
    this.evict(now);
  }

  /** The write failed: release the reservations so a retry can land them. */
  release(ids: readonly string[]): void {
    for (const id of ids) this.pending.delete(id);
  }

  private evict(now: number): void {
    for (const [id, at] of this.seen) {
      if (this.seen.size <= this.maxIds && now - at <= this.ttlMs) break;
      this.seen.delete(id);
    }
  }
}
