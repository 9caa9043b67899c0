import { MemoryStore } from '@tracklane/core';
import type { AddResult, EventStore, PeekOptions, StoredEvent } from '@tracklane/core';
import { createStore, promisifyRequest, type UseStore } from 'idb-keyval';
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

type Message = { a: [string, number][] } | { r: string[] };

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
      const events = await idb('readonly', (store) => promisifyRequest(store.getAll() as IDBRequest<StoredEvent[]>));
      for (const event of events) this.#found += this.#learn(event.id, event.bytes);
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
    // Uncommitted from this moment, even while IndexedDB is still opening.
    for (const event of events) this.#uncommitted.set(event.id, event);
    await this.ready;
    for (const event of events) {
      this.#own.set(event.id, event);
      if (this.#own.size > OWN_MAX) this.#own.delete(this.#own.keys().next().value!);
    }
    if (!this.#idb) {
      for (const event of events) this.#uncommitted.delete(event.id);
      return this.#memory.add(events);
    }
    const accepted: StoredEvent[] = [];
    const refused: StoredEvent[] = [];
    for (const event of events) {
      if (this.#known.has(event.id)) continue;
      if (this.#known.size >= this.#maxEvents || this.#knownBytes + event.bytes > this.#maxBytes) refused.push(event);
      else {
        this.#learn(event.id, event.bytes);
        accepted.push(event);
      }
    }
    for (const event of refused) {
      this.#own.delete(event.id);
      this.#uncommitted.delete(event.id);
    }
    if (accepted.length === 0) return { refused };
    try {
      await this.#write(accepted);
    } catch (error) {
      for (const event of accepted) {
        this.#uncommitted.delete(event.id);
        this.#forget(event.id);
      }
      this.#fallBack(error);
      return { refused: [...refused, ...this.#memory.add(accepted).refused] };
    }
    return { refused };
  }

  /** Adds events to the next transaction: a burst of adds costs one transaction. */
  #write(events: readonly StoredEvent[]): Promise<void> {
    this.#pending.push(...events);
    if (!this.#nextCommit) {
      this.#nextCommit = this.#writing.then(async () => {
        const batch = this.#pending;
        this.#pending = [];
        this.#nextCommit = undefined;
        for (let from = 0; from < batch.length; from += MAX_TX_EVENTS) {
          const slice = batch.slice(from, from + MAX_TX_EVENTS);
          await this.#transact(slice, true);
          for (const event of slice) this.#uncommitted.delete(event.id);
          if (this.#spill.active) this.spillUncommitted(); // the page lived on: the spill shrinks as writes commit
        }
      });
      this.#writing = this.#nextCommit.catch(() => undefined);
    }
    return this.#nextCommit;
  }

  async #transact(events: readonly StoredEvent[] | readonly string[], put: boolean): Promise<void> {
    await this.#idb!('readwrite', (store) => {
      if (put) for (const event of events as StoredEvent[]) store.put(event, event.id);
      else deleteKeys(store, events as string[]);
      return promisifyRequest(store.transaction);
    });
    this.#channel?.postMessage(put ? { a: (events as StoredEvent[]).map((e) => [e.id, e.bytes]) } : { r: events });
  }

  async peek(options: PeekOptions): Promise<readonly StoredEvent[]> {
    await this.ready;
    this.#inFlight = options.exclude;
    const skip = (id: string): boolean => options.exclude.has(id) || this.#claimed.has(id) || this.#removedIds.has(id);
    if (!this.#idb) return this.#memory.peek({ ...options, exclude: new Set([...options.exclude, ...this.#claimed]) });
    if (!this.#sender.held) return [];
    await this.#writing;
    const want = options.limit + options.exclude.size + this.#claimed.size;
    let records: StoredEvent[];
    try {
      records = await this.#idb('readonly', (store) => promisifyRequest(store.getAll(null, want) as IDBRequest<StoredEvent[]>));
    } catch (error) {
      this.#fallBack(error);
      return [];
    }
    this.#reconcile(records, records.length < want);
    const batch: StoredEvent[] = [];
    let bytes = 0;
    for (const event of records) {
      if (batch.length >= options.limit) break;
      if (skip(event.id)) continue;
      if (batch.length > 0 && bytes + event.bytes > options.maxBytes) break;
      batch.push(event);
      bytes += event.bytes;
    }
    return batch;
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
    if (!this.#idb) {
      for (const id of ids) this.#forget(id);
      return this.#memory.remove(ids);
    }
    let removed = 0;
    for (const id of ids) removed += this.#forget(id, true);
    await this.#writing;
    await this.#transact(ids, false).catch((error: unknown) => this.#fallBack(error));
    return removed;
  }

  async purgePurpose(purpose: string, keep: ReadonlySet<string>): Promise<StoredEvent[]> {
    await this.ready;
    const removed = this.#memory.purgePurpose(purpose, keep);
    for (const [id, event] of this.#own) if (event.purpose === purpose && !keep.has(id)) this.#own.delete(id);
    if (!this.#idb) return removed;
    await this.#writing;
    const all = await this.#idb('readonly', (store) => promisifyRequest(store.getAll() as IDBRequest<StoredEvent[]>));
    // Every event deleted here is reported, including one this tab had not learned of yet.
    const gone = all.filter((event) => event.purpose === purpose && !keep.has(event.id) && !this.#removedIds.has(event.id));
    for (const event of gone) {
      this.#forget(event.id, true);
      removed.push(event);
    }
    if (gone.length > 0) await this.#transact(gone.map((e) => e.id), false);
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
      await idb('readwrite', (store) => {
        for (const event of recovered) store.put(event, event.id);
        return promisifyRequest(store.transaction);
      });
      for (const event of recovered) this.#found += this.#learn(event.id, event.bytes);
    }
    spills.remove();
  }

  async count(): Promise<number> {
    await this.ready;
    return this.#found;
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
   * nor already claimed, oldest first, up to `maxBytes`. They are claimed until `settle`.
   */
  claimForUnload(maxBytes: number): StoredEvent[] {
    const batch: StoredEvent[] = [];
    let bytes = 0;
    for (const [id, event] of this.#own) {
      if (this.#inFlight.has(id) || this.#claimed.has(id)) continue;
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

/**
 * Deletes keys. A sent batch is usually a run of consecutive keys (ids sort by time): then one range
 * delete does it, after checking in the same transaction that the range holds nothing else.
 */
function deleteKeys(store: IDBObjectStore, ids: readonly string[]): void {
  if (ids.length < 8) {
    for (const id of ids) store.delete(id);
    return;
  }
  const sorted = [...ids].sort();
  const range = IDBKeyRange.bound(sorted[0], sorted[sorted.length - 1]);
  const wanted = new Set(ids);
  const request = store.getAllKeys(range);
  request.onsuccess = () => {
    if (request.result.every((key) => wanted.has(key as string))) store.delete(range);
    else for (const id of ids) store.delete(id);
  };
}
