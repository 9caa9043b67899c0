import 'fake-indexeddb/auto';
import type { StoredEvent } from '@tracklane/core';
import { createStore, entries, keys } from 'idb-keyval';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IdbQueue } from './idb-queue.js';
import { eventually } from '../../../../test/helpers/eventually.js';

let n = 0;
const event = (purpose = 'analytics', bytes = 100): StoredEvent => {
  const id = `0190-${String(++n).padStart(6, '0')}`;
  return { id, purpose, createdAt: Date.now(), json: `{"id":"${id}"}`, bytes };
};
const all = { limit: 1000, maxBytes: 1e9, exclude: new Set<string>() };
let db = 0;
const freshName = () => `test-queue-${++db}`;
const open: IdbQueue[] = [];
const queue = (name: string, sender = { held: true }, limits = {}) => {
  const q = new IdbQueue(name, limits, sender);
  open.push(q);
  return q;
};
/**
 * Waits until a BroadcastChannel message has arrived: they come in a later task, which a busy
 * machine can run after any fixed wait.
 */
const heard = (changes: number[], what: string) =>
  eventually(() => expect(changes).not.toHaveLength(0), { timeoutMs: 4000, intervalMs: 5, what: `${what} to arrive` });
afterEach(() => open.splice(0).forEach((q) => q.close()));

describe('IdbQueue', () => {
  it('keeps one record per event, keyed by id, and survives a new page', async () => {
    const name = freshName();
    const first = queue(name);
    const events = [event(), event(), event()];
    expect(await first.add(events)).toEqual({ refused: [] });
    const records = await entries(createStore(name, 'events'));
    expect(records.map(([key]) => key)).toEqual(events.map((e) => e.id));
    const reloaded = queue(name);
    expect(await reloaded.count()).toBe(3);
    expect((await reloaded.peek(all)).map((e) => e.id)).toEqual(events.map((e) => e.id));
  });

  it('coalesces a burst of adds into few transactions', async () => {
    const q = queue(freshName());
    await q.ready;
    const transaction = vi.spyOn(IDBDatabase.prototype, 'transaction');
    await Promise.all(Array.from({ length: 50 }, () => q.add([event()])));
    expect(transaction.mock.calls.filter(([, mode]) => mode === 'readwrite').length).toBeLessThanOrEqual(2);
    expect((await q.peek(all)).length).toBe(50);
  });

  it('refuses the newest events beyond its count and byte bounds (drop-newest)', async () => {
    const q = queue(freshName(), { held: true }, { maxEvents: 3, maxBytes: 250 });
    const [a, b, c] = [event(), event(), event()];
    expect((await q.add([a, b, c])).refused.map((e) => e.id)).toEqual([c.id]);
    expect((await q.add([event('analytics', 10), event('analytics', 10)])).refused).toHaveLength(1);
  });

  it.each([true, false])('never sends a refused event on unload (IndexedDB: %s): it was counted as dropped', async (useIndexedDb) => {
    const q = new IdbQueue(freshName(), { maxEvents: 2 }, { held: true }, useIndexedDb);
    open.push(q);
    const [a, b, c] = [event(), event(), event()];
    expect((await q.add([a, b, c])).refused.map((e) => e.id)).toEqual([c.id]);
    expect(q.storage).toBe(useIndexedDb ? 'indexeddb' : 'memory');
    expect(q.claimForUnload(1e6).map((e) => e.id)).toEqual([a.id, b.id]);
  });

  it('peeks in order within the limits, skipping events in flight', async () => {
    const q = queue(freshName());
    const events = Array.from({ length: 6 }, () => event());
    await q.add(events);
    const batch = await q.peek({ limit: 3, maxBytes: 1e9, exclude: new Set([events[0]!.id]) });
    expect(batch.map((e) => e.id)).toEqual(events.slice(1, 4).map((e) => e.id));
    expect((await q.peek({ limit: 10, maxBytes: 250, exclude: new Set() })).length).toBe(2);
    expect(await q.remove([events[0]!.id, 'unknown'])).toBe(1);
  });

  it('removes a run of ids with one range delete, never a key it was not asked to remove', async () => {
    const name = freshName();
    const q = queue(name);
    const events = Array.from({ length: 20 }, () => event());
    await q.add(events);
    const middle = events[10]!;
    expect(await q.remove(events.filter((e) => e !== middle).map((e) => e.id))).toBe(19);
    expect(await keys(createStore(name, 'events'))).toEqual([middle.id]);
    await q.add(Array.from({ length: 12 }, () => event()));
    const rest = (await q.peek(all)).map((e) => e.id);
    expect(await q.remove(rest)).toBe(13);
    expect(await keys(createStore(name, 'events'))).toEqual([]);
  });

  it('shares the queue between tabs: only the sender peeks; each tab counts what the others add and remove', async () => {
    const name = freshName();
    const sender = queue(name, { held: true });
    const other = queue(name, { held: false });
    const senderChanges: number[] = [];
    const otherChanges: number[] = [];
    sender.subscribe((delta) => senderChanges.push(delta));
    other.subscribe((delta) => otherChanges.push(delta));
    await Promise.all([sender.ready, other.ready]);
    const events = [event(), event()];
    await other.add(events);
    await heard(senderChanges, 'the other tab’s add');
    expect(senderChanges).toEqual([2]);
    expect(await other.peek(all)).toEqual([]);
    const batch = await sender.peek(all);
    expect(batch.map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect(await sender.remove(batch.map((e) => e.id))).toBe(2);
    await heard(otherChanges, 'the sender’s removal');
    expect(otherChanges).toEqual([-2]);
  });

  it('counts events a tab wrote but never announced when the sender reads them', async () => {
    const name = freshName();
    const q = queue(name);
    const changes: number[] = [];
    q.subscribe((delta) => changes.push(delta));
    await q.ready;
    const orphan = event();
    const { setMany } = await import('idb-keyval');
    await setMany([[orphan.id, orphan]], createStore(name, 'events'));
    expect((await q.peek(all)).map((e) => e.id)).toEqual([orphan.id]);
    expect(changes).toEqual([1]);
  });

  it('purges the events of a denied purpose, except those in flight', async () => {
    const name = freshName();
    const q = queue(name);
    const [keep, inFlight, purged, other] = [event('marketing'), event('marketing'), event('marketing'), event('analytics')];
    await q.add([keep, inFlight, purged, other]);
    const removed = await q.purgePurpose('marketing', new Set([inFlight.id, keep.id]));
    expect(removed.map((e) => e.id)).toEqual([purged.id]);
    expect((await entries(createStore(name, 'events'))).map(([key]) => key)).toEqual([keep.id, inFlight.id, other.id]);
  });

  it('falls back to memory when IndexedDB is unavailable, and says so', async () => {
    const idb = globalThis.indexedDB;
    vi.stubGlobal('indexedDB', undefined);
    const q = queue(freshName());
    await q.add([event()]);
    vi.stubGlobal('indexedDB', idb);
    expect(q.storage).toBe('memory');
    expect(q.storageError).toBe('IndexedDB is unavailable');
    expect((await q.peek(all)).length).toBe(1);
  });

  it('falls back to memory when a write fails (quota), keeping the event', async () => {
    const q = queue(freshName());
    await q.ready;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('quota exceeded', 'QuotaExceededError');
    });
    const e = event();
    expect(await q.add([e])).toEqual({ refused: [] });
    expect(q.storage).toBe('memory');
    expect((await q.peek(all)).map((x) => x.id)).toEqual([e.id]);
  });

  it('claims this tab’s unsent events for the unload send, and removes them once delivered', async () => {
    const q = queue(freshName());
    const changes: number[] = [];
    q.subscribe((delta) => changes.push(delta));
    const events = [event(), event(), event()];
    await q.add(events);
    await q.peek({ limit: 1, maxBytes: 1e9, exclude: new Set([events[0]!.id]) });
    const claimed = q.claimForUnload(1e6);
    expect(claimed.map((e) => e.id)).toEqual([events[1]!.id, events[2]!.id]);
    expect(q.claimForUnload(1e6)).toEqual([]);
    expect((await q.peek(all)).map((e) => e.id)).toEqual([events[0]!.id]);
    await q.settle(claimed, true);
    expect(changes).toEqual([-2]);
    expect(await q.count()).toBe(0); // what the queue found at open: events added since are not in it
  });

  it('leaves out of the unload send the events of a purpose it is told is not allowed', async () => {
    const q = queue(freshName());
    const [marketing, analytics] = [event('marketing'), event('analytics')];
    await q.add([marketing, analytics]);
    expect(q.claimForUnload(1e6, (purpose) => purpose !== 'marketing').map((e) => e.id)).toEqual([analytics.id]);
  });

  it('lets the unload send claim events added in the same task, before their add has awaited anything', async () => {
    const q = queue(freshName());
    await q.ready;
    const events = [event(), event()];
    const added = q.add(events); // not awaited: the page is going away in this task
    expect(q.claimForUnload(1e6).map((e) => e.id)).toEqual(events.map((e) => e.id));
    await added;
  });

  it('keeps counting events whose write is still committing while the sender reads the whole queue', async () => {
    const q = queue(freshName());
    await q.add([event()]);
    // A peek that starts just before an add may read IndexedDB before the add's transaction commits.
    for (let round = 0; round < 20; round++) {
      const read = q.peek(all);
      const added = q.add([event()]);
      await Promise.all([read, added]);
      expect(q.size()).toBe(round + 2);
    }
    expect((await q.peek(all)).length).toBe(21);
    expect(q.size()).toBe(21);
  });

  it('reports every event a purge deletes, even one another tab wrote without telling', async () => {
    const name = freshName();
    const sender = queue(name);
    await sender.ready;
    const silent = queue(name, { held: false });
    await silent.ready;
    silent.close(); // its BroadcastChannel is gone: this tab's writes are not announced
    const unannounced = event('analytics');
    await silent.add([unannounced]);
    const announced = event('analytics');
    await sender.add([announced]);
    const removed = await sender.purgePurpose('analytics', new Set());
    expect(removed.map((e) => e.id).sort()).toEqual([unannounced.id, announced.id].sort());
    expect(sender.size()).toBe(0);
    expect(await keys(createStore(name, 'events'))).toEqual([]);
  });

  it('spills events whose write has not committed when the page goes away, and drops the spill once they commit', async () => {
    const name = freshName();
    const q = queue(name);
    await q.ready;
    const events = [event(), event(), event()];
    const added = q.add(events);
    q.spillUncommitted(); // pagehide, before the transaction commits
    const spills = Object.keys(localStorage).filter((key) => key.startsWith(`${name}:unsaved:`));
    expect(spills).toHaveLength(1);
    expect((JSON.parse(localStorage.getItem(spills[0]!)!) as StoredEvent[]).map((e) => e.id)).toEqual(events.map((e) => e.id));
    await added;
    // the page lived on (bfcache, a hidden tab): its writes committed, the spill is gone
    expect(localStorage.getItem(spills[0]!)).toBeNull();
  });

  it('recovers the events a page spilled before it died, once, into IndexedDB', async () => {
    const name = freshName();
    // Sized as core sizes them: a spilled event whose `bytes` is not its size is not recovered.
    const spilled = [event(), event(), event()].map((e) => ({ ...e, bytes: e.json.length }));
    await queue(name).add(spilled.slice(0, 1));
    // What a page that died with a write in flight leaves: its events in a spill, not in IndexedDB.
    localStorage.setItem(`${name}:unsaved:deadpage`, JSON.stringify(spilled));
    const next = queue(name);
    expect(await next.count()).toBe(3);
    expect((await next.peek(all)).map((e) => e.id)).toEqual(spilled.map((e) => e.id));
    expect((await keys(createStore(name, 'events'))).length).toBe(3);
    expect(localStorage.getItem(`${name}:unsaved:deadpage`)).toBeNull();
    expect(await queue(name).count()).toBe(3); // recovered once: a later page finds the same three
  });

  it('recovers only well-formed events from a spill, and stays on IndexedDB within its bounds', async () => {
    const name = freshName();
    const good = [event(), event()].map((e) => ({ ...e, bytes: e.json.length }));
    // Another version's or a foreign script's values under the spill key: none may break the queue.
    const malformed = [null, 42, 'text', { id: 'no-json' }, { ...event(), json: 42 }, { ...event(), bytes: Number.NaN }, { ...event(), bytes: 1 }, { ...event(), bytes: '100' }, { ...event(), id: 7 }];
    localStorage.setItem(`${name}:unsaved:foreign`, JSON.stringify([good[0], ...malformed, good[1]]));
    const q = queue(name, { held: true }, { maxBytes: 10_000 });
    expect(await q.count()).toBe(2);
    expect(q.storage).toBe('indexeddb');
    expect((await q.peek(all)).map((e) => e.id)).toEqual(good.map((e) => e.id));
    // The byte count is still a number: the bound still refuses what does not fit.
    expect((await q.add([{ ...event(), json: `{"s":"${'x'.repeat(20_000)}"}`, bytes: 20_008 }])).refused).toHaveLength(1);
    expect(localStorage.getItem(`${name}:unsaved:foreign`)).toBeNull();
  });

  it('recovers nothing from an unreadable spill, and removes it', async () => {
    const name = freshName();
    localStorage.setItem(`${name}:unsaved:torn`, '[{"id":');
    const q = queue(name);
    expect(await q.count()).toBe(0);
    expect(localStorage.getItem(`${name}:unsaved:torn`)).toBeNull();
  });
});
