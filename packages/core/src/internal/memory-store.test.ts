import { describe, expect, it } from 'vitest';
import { MemoryStore } from './memory-store.js';
import type { StoredEvent } from './store.js';

const stored = (id: string, bytes = 100, purpose = 'analytics'): StoredEvent => ({ id, purpose, createdAt: 0, json: '{}', bytes });
const ids = (events: readonly StoredEvent[]) => events.map((e) => e.id);
const none = new Set<string>();

describe('MemoryStore', () => {
  it('refuses the newest events beyond maxEvents and reports each refusal', () => {
    const store = new MemoryStore({ maxEvents: 3 });
    const { refused } = store.add(['a', 'b', 'c', 'd', 'e'].map((id) => stored(id)));
    expect(ids(refused)).toEqual(['d', 'e']);
    expect(store.count()).toBe(3);
  });

  it('refuses events that would exceed maxBytes', () => {
    const store = new MemoryStore({ maxBytes: 250 });
    const { refused } = store.add([stored('a'), stored('b'), stored('c')]);
    expect(ids(refused)).toEqual(['c']);
  });

  it('peeks the oldest events up to the count and byte limits, skipping excluded ids', () => {
    const store = new MemoryStore();
    store.add(['a', 'b', 'c', 'd', 'e'].map((id) => stored(id)));
    expect(ids(store.peek({ limit: 2, maxBytes: 1e9, exclude: none }))).toEqual(['a', 'b']);
    expect(ids(store.peek({ limit: 10, maxBytes: 250, exclude: none }))).toEqual(['a', 'b']);
    expect(ids(store.peek({ limit: 2, maxBytes: 1e9, exclude: new Set(['a', 'b']) }))).toEqual(['c', 'd']);
  });

  it('returns one event even when it alone is over the byte limit', () => {
    const store = new MemoryStore();
    store.add([stored('big', 10_000), stored('small', 1)]);
    expect(ids(store.peek({ limit: 10, maxBytes: 100, exclude: none }))).toEqual(['big']);
  });

  it('removes by id, ignoring unknown ids, and frees the bytes', () => {
    const store = new MemoryStore({ maxBytes: 200 });
    store.add([stored('a'), stored('b')]);
    expect(store.remove(['a', 'zzz'])).toBe(1);
    expect(store.add([stored('c')]).refused).toEqual([]);
  });

  it('purges a purpose except the kept (in-flight) events', () => {
    const store = new MemoryStore();
    store.add([stored('a', 1, 'ads'), stored('b', 1, 'analytics'), stored('c', 1, 'ads')]);
    expect(ids(store.purgePurpose('ads', new Set(['c'])))).toEqual(['a']);
    expect(ids(store.peek({ limit: 10, maxBytes: 1e9, exclude: none }))).toEqual(['b', 'c']);
  });
});
