import { MemoryStore, selectBatch } from '@tracklane/core';
import type { AddResult, EventStore, PeekOptions, StoredEvent } from '@tracklane/core';
import { createStore, type UseStore } from 'idb-keyval';
import { deleteKeys, putAll, readAll } from './idb-records.js';
import { UnloadSpill, readSpills } from './unload-spill.js';

/** Bounds of the queue, over every tab of the origin. */
export interface QueueLimits {
  /** Most events queued; beyond it the newest are refused (`store_full`). @default 10_000 */
  maxEvents?: number;
  /** Most bytes of queued envelopes (JSON, UTF-8). @default 5_242_880 (5 MiB) */
  maxBytes?: number;
}

/** Where a queue keeps events: IndexedDB, or memory when IndexedDB is unavailable or failed. */
export type StorageKind = 'indexeddb' | 'memory';

/** This tab's newest events kept in memory too, for the synchronous send when the page goes away. */
const OWN_MAX = 1000;
/**
 * Most events written by one transaction. Each `put` costs the main thread ~20 µs (structured
 * clone): a larger burst is written in several transactions, one after the other, so no single task
 * runs long.
 */
const MAX_TX_EVENTS = 200;

type Message = { a: [string, number][] } | { r: readonly string[] };

/** Removed ids remembered, so a stale read cannot bring them back. */
const MAX_REMOVED_IDS = 20_000;

/**
 * The durable queue of one destination, shared by every tab of the origin: one IndexedDB record
 * per event (key: the event id, a UUID v7, so key order is tracking order), written in coalesced
 * transactions. Every tab writes; only the sender (`sender.held`) reads batches to send. Tabs tell
 * each other what they added and removed over a BroadcastChannel, so each knows the queue's size
 * (for the bounds, and so that `flush()` waits for what another tab sends). Events whose write has
 * not committed when the page goes away are spilled to localStorage and recovered by the next page.
 * When IndexedDB is unavailable or a write fails, the queue continues in memory (`storage: 'memory'`).
 */
export class IdbQueue implements EventStore {
  storage: StorageKind = 'indexeddb';
  storageError: string | undefined;
  #idb: UseStore | undefined;
  readonly #memory: MemoryStore;
  /** id -> bytes of every event known to be in IndexedDB, whichever tab added it. */
  readonly #known = new Map<string, number>();
  #knownBytes = 0;
  readonly #own = new Map<string, StoredEvent>();
  readonly #claimed = new Set<string>();
  #inFlight: ReadonlySet<string> = new Set();
  #pending: StoredEvent[] = [];
  /**
   * Events handed to `add` whose transaction has not committed yet: a read cannot see them, and a
   * page that goes away now would lose them (navigation aborts open transactions) but for the spill.
   */
  readonly #uncommitted = new Map<string, StoredEvent>();
  readonly #spill: UnloadSpill;
  #nextCommit: Promise<void> | undefined;
  #writing: Promise<void> = Promise.resolve();
  #found = 0;
  #changed: (delta: number) => void = () => undefined;
  #channel: BroadcastChannel | undefined;
  /** Ids this tab saw removed (delivered, purged, or removed by another tab), most recent last. */
  readonly #removedIds = new Set<string>();
  readonly #maxEvents: number;
  readonly #maxBytes: number;
  readonly ready: Promise<void>;

  readonly #sender: { readonly held: boolean };

  constructor(name: string, limits: QueueLimits, sender: { readonly held: boolean }, useIndexedDb = true) {
    this.#sender = sender;
    this.#maxEvents = limits.maxEvents ?? 10_000;
    this.#maxBytes = limits.maxBytes ?? 5_242_880;
    this.#memory = new MemoryStore({ maxEvents: this.#maxEvents, maxBytes: this.#maxBytes });
    this.#spill = new UnloadSpill(name);
    this.ready = this.#open(name, useIndexedDb);
  }

  async #open(name: string, useIndexedDb: boolean): Promise<void> {
    try {
      if (!useIndexedDb) throw new Error('IndexedDB turned off (queue.indexedDB: false)');
      if (typeof indexedDB === 'undefined' || !indexedDB) throw new Error('IndexedDB is unavailable');
      const idb = createStore(name, 'events');
      if (typeof BroadcastChannel === 'function') {
        this.#channel = new BroadcastChannel(name);
        this.#channel.onmessage = ({ data }: MessageEvent<Message>) => {
          let delta = 0;
          if ('a' in data) for (const [id, bytes] of data.a) delta += this.#learn(id, bytes);
          else for (const id of data.r) delta -= this.#forget(id, true);
          if (delta !== 0) this.#changed(delta);
        };
      }
      for (const event of await readAll(idb)) this.#found += this.#learn(event.id, event.bytes);
      await this.#importSpills(idb, name);
      this.#idb = idb;
    } catch (error) {
      this.#fallBack(error);
    }
  }

  /** Continues in memory; events already in IndexedDB stay there for a later page. */
  #fallBack(error: unknown): void {
    this.storage = 'memory';
    this.storageError = error instanceof Error ? error.message : String(error);
    this.#idb = undefined;
    this.#channel?.close();
    const gone = this.#known.size;
    this.#known.clear();
    this.#knownBytes = 0;
    if (gone > 0) this.#changed(-gone);
  }

  #learn(id: string, bytes: number): number {
    if (this.#known.has(id)) return 0;
    this.#known.set(id, bytes);
    this.#knownBytes += bytes;
    return 1;
  }

  /** `removed`: the event is gone for good (delivered, purged), not merely missing from one read. */
  #forget(id: string, removed = false): number {
    const bytes = this.#known.get(id);
    this.#own.delete(id);
    this.#claimed.delete(id);
    if (removed) {
      // A read that started before the delete committed may still see this id: it must not come back.
      this.#removedIds.add(id);
      if (this.#removedIds.size > MAX_REMOVED_IDS) this.#removedIds.delete(this.#removedIds.values().next().value!);
    }
    if (bytes === undefined) return 0;
    this.#known.delete(id);
    this.#knownBytes -= bytes;
    return 1;
  }

  async add(events: readonly StoredEvent[]): Promise<AddResult> {
    const own = this.#own;
    const uncommitted = this.#uncommitted;
    // Uncommitted, and this tab's for the send on unload, from this moment: the page may be going
    // away in this very task (`flush({ unloading: true })`, then `claimForUnload`), before any await.
    for (const event of events) {
      uncommitted.set(event.id, event);
      own.set(event.id, event);
      if (own.size > OWN_MAX) own.delete(own.keys().next().value!);
    }
    await this.ready;
    const refused: StoredEvent[] = [];
    // What the memory store takes: every event without IndexedDB, or those whose write failed.
    let toMemory = events;
    if (this.#idb) {
      const known = this.#known;
      const accepted: StoredEvent[] = [];
      for (const event of events) {
        if (known.has(event.id)) continue;
        if (known.size >= this.#maxEvents || this.#knownBytes + event.bytes > this.#maxBytes) {
          refused.push(event);
          own.delete(event.id);
          uncommitted.delete(event.id);
        } else {
          this.#learn(event.id, event.bytes);
          accepted.push(event);
        }
      }
      try {
        if (accepted.length > 0) await this.#write(accepted);
        return { refused };
      } catch (error) {
        for (const event of accepted) this.#forget(event.id);
        toMemory = accepted;
        this.#fallBack(error);
      }
    }
    for (const event of toMemory) uncommitted.delete(event.id);
    const inMemory = this.#memory.add(toMemory);
    // A refused event is dropped (`store_full`): it must not leave with the send on unload either.
    for (const event of inMemory.refused) own.delete(event.id);
    return { refused: [...refused, ...inMemory.refused] };
  }

  /** Adds events to the next transaction: a burst of adds costs one transaction. */
  #write(events: readonly StoredEvent[]): Promise<void> {
    this.#pending.push(...events);
    if (!this.#nextCommit) {
      this.#nextCommit = this.#writing.then(async () => {
        const batch = this.#pending.splice(0);
        this.#nextCommit = undefined;
        while (batch.length > 0) {
          const slice = batch.splice(0, MAX_TX_EVENTS);
          await putAll(this.#idb!, slice);
          this.#channel?.postMessage({ a: slice.map((e) => [e.id, e.bytes]) } satisfies Message);
          for (const event of slice) this.#uncommitted.delete(event.id);
          if (this.#spill.active) this.spillUncommitted(); // the page lived on: the spill shrinks as writes commit
        }
      });
      this.#writing = this.#nextCommit.catch(() => undefined);
    }
    return this.#nextCommit;
  }

  /** Deletes events from IndexedDB, then tells the other tabs. */
  async #delete(ids: readonly string[]): Promise<void> {
    await deleteKeys(this.#idb!, ids);
    this.#channel?.postMessage({ r: ids } satisfies Message);
  }

  async peek(options: PeekOptions): Promise<readonly StoredEvent[]> {
    await this.ready;
    const { exclude } = options;
    const claimed = this.#claimed;
    this.#inFlight = exclude;
    if (!this.#idb) return this.#memory.peek({ ...options, exclude: new Set([...exclude, ...claimed]) });
    if (!this.#sender.held) return [];
    await this.#writing;
    const want = options.limit + exclude.size + claimed.size;
    let records: StoredEvent[];
    try {
      records = await readAll(this.#idb, want);
    } catch (error) {
      this.#fallBack(error);
      return [];
    }
    this.#reconcile(records, records.length < want);
    // selectBatch skips `exclude` (in flight) itself.
    const candidates = records.filter(({ id }) => !claimed.has(id) && !this.#removedIds.has(id));
    return selectBatch(candidates, options);
  }

  /**
   * IndexedDB is the truth: events found that no tab announced (a tab died between its write and its
   * message) are counted; when the read saw the whole queue, ids no longer there are forgotten.
   */
  #reconcile(records: readonly StoredEvent[], whole: boolean): void {
    let delta = 0;
    for (const event of records) if (!this.#removedIds.has(event.id)) delta += this.#learn(event.id, event.bytes);
    if (whole) {
      // Events still being written are not in the read yet, but they are queued.
      const present = new Set(records.map((e) => e.id));
      for (const id of [...this.#known.keys()]) if (!present.has(id) && !this.#uncommitted.has(id)) delta -= this.#forget(id);
    }
    if (delta !== 0) this.#changed(delta);
  }

  async remove(ids: readonly string[]): Promise<number> {
    await this.ready;
    let removed = 0;
    for (const id of ids) removed += this.#forget(id, true);
    if (!this.#idb) return this.#memory.remove(ids);
    await this.#writing;
    await this.#delete(ids).catch((error: unknown) => this.#fallBack(error));
    return removed;
  }

  async purgePurpose(purpose: string, keep: ReadonlySet<string>): Promise<StoredEvent[]> {
    await this.ready;
    const removed = this.#memory.purgePurpose(purpose, keep);
    for (const [id, event] of this.#own) if (event.purpose === purpose && !keep.has(id)) this.#own.delete(id);
    if (!this.#idb) return removed;
    await this.#writing;
    // Every event deleted here is reported, including one this tab had not learned of yet.
    const gone = (await readAll(this.#idb)).filter(
      (event) => event.purpose === purpose && !keep.has(event.id) && !this.#removedIds.has(event.id),
    );
    const ids = gone.map((e) => e.id);
    for (const id of ids) this.#forget(id, true);
    removed.push(...gone);
    if (ids.length > 0) await this.#delete(ids);
    return removed;
  }

  /**
   * The page may be going away (`pagehide`, hidden): writes still committing would be aborted, so
   * the events in them are copied to localStorage now, synchronously. The next page of the origin
   * moves them into IndexedDB (`importSpills`). If this page lives on, the spill is rewritten as its
   * writes commit, and removed once nothing is uncommitted.
   */
  spillUncommitted(): void {
    this.#spill.write([...this.#uncommitted.values()]);
  }

  /** Moves the events spilled by pages that went away into IndexedDB, then removes the spills. */
  async #importSpills(idb: UseStore, name: string): Promise<void> {
    const spills = readSpills(name);
    const recovered = spills.events.filter((event) => !this.#known.has(event.id));
    if (recovered.length > 0) {
      await putAll(idb, recovered);
      for (const event of recovered) this.#found += this.#learn(event.id, event.bytes);
    }
    spills.remove();
  }

  async count(): Promise<number> {
    await this.ready;
    return this.#found;
  }

  /** In memory (no IndexedDB): what is left at shutdown is lost. */
  get volatile(): boolean {
    return !this.#idb;
  }

  /** Events queued as this tab knows now, every tab's included. */
  size(): number {
    return this.#idb ? this.#known.size : this.#memory.count();
  }

  subscribe(changed: (delta: number) => void): void {
    this.#changed = changed;
  }

  /** This tab became the sender: its queue should look for events to send. */
  senderChanged(): void {
    this.#changed(0);
  }

  /**
   * For the send when the page goes away: this tab's events that are neither delivered, in flight
   * nor already claimed, and whose purpose is `allowed`, oldest first, up to `maxBytes`. They are
   * claimed until `settle`.
   */
  claimForUnload(maxBytes: number, allowed: (purpose: string) => boolean = () => true): StoredEvent[] {
    const batch: StoredEvent[] = [];
    let bytes = 0;
    for (const [id, event] of this.#own) {
      if (this.#inFlight.has(id) || this.#claimed.has(id) || !allowed(event.purpose)) continue;
      // + the batch's per-event overhead on the wire (`ts.sent`, a comma)
      if (bytes + event.bytes + 48 > maxBytes) break;
      batch.push(event);
      bytes += event.bytes + 48;
      this.#claimed.add(id);
    }
    return batch;
  }

  /** The outcome of an unload send, if the page lived to see it: delivered events are removed. */
  async settle(events: readonly StoredEvent[], delivered: boolean): Promise<void> {
    const ids = events.map((e) => e.id);
    if (!delivered) {
      for (const id of ids) this.#claimed.delete(id);
      this.#changed(0);
      return;
    }
    const removed = await this.remove(ids);
    if (removed > 0) this.#changed(-removed);
  }

  close(): void {
    this.#channel?.close();
  }
}
