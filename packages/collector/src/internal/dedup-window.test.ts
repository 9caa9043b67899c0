import { describe, expect, it } from 'vitest';
import { DedupWindow } from './dedup-window.js';

const T0 = 1_700_000_000_000;

/** Reserves and commits `ids` at `now`, as a successful write does. */
function land(window: DedupWindow, ids: string[], now: number): void {
  for (const id of ids) expect(window.reserve(id, now), id).toBe('new');
  window.commit(ids, now);
}

describe('DedupWindow', () => {
  it('lands an id once: the first sighting reserves it, a later one is a duplicate', () => {
    const window = new DedupWindow();
    expect(window.reserve('a', T0)).toBe('new');
    window.commit(['a'], T0);
    expect(window.reserve('a', T0 + 1)).toBe('duplicate');
    expect(window.reserve('b', T0 + 1)).toBe('new');
  });

  describe('an id whose write is in progress (a retry racing its first attempt)', () => {
    it('is neither new nor a duplicate: the caller waits for the write', () => {
      const window = new DedupWindow();
      window.reserve('a', T0);
      expect(window.reserve('a', T0)).toEqual({ pending: expect.any(Promise) });
      expect(window.size).toBe(0); // reserved, not yet remembered
    });

    it('is a duplicate once that write committed', async () => {
      const window = new DedupWindow();
      window.reserve('a', T0);
      const racing = window.reserve('a', T0);
      window.commit(['a'], T0);
      await (racing as { pending: Promise<void> }).pending;
      expect(window.reserve('a', T0)).toBe('duplicate');
    });

    it('is new again once that write failed, so the retry lands it', async () => {
      const window = new DedupWindow();
      window.reserve('a', T0);
      const racing = window.reserve('a', T0);
      window.release(['a']);
      await (racing as { pending: Promise<void> }).pending;
      expect(window.reserve('a', T0)).toBe('new');
    });
  });

  it('forgets reservations whose write failed', () => {
    const window = new DedupWindow();
    window.reserve('a', T0);
    window.reserve('b', T0);
    window.release(['a', 'b']);
    expect(window.reserve('a', T0)).toBe('new');
    expect(window.reserve('b', T0)).toBe('new');
    expect(window.size).toBe(0);
  });

  it('remembers only committed ids', () => {
    const window = new DedupWindow();
    for (const id of ['a', 'b', 'c']) window.reserve(id, T0);
    window.commit(['a', 'c'], T0);
    window.release(['b']);
    expect(window.size).toBe(2);
    expect(window.reserve('b', T0)).toBe('new');
  });

  describe('bounded by age (ttlMs)', () => {
    it.each([
      [0, 'duplicate'],
      [999, 'duplicate'],
      [1000, 'duplicate'],
      [1001, 'new'],
      [86_400_000, 'new'],
    ])('an id committed %i ms ago with ttl 1000 ms → %s', (age, expected) => {
      const window = new DedupWindow({ ttlMs: 1000 });
      land(window, ['a'], T0);
      expect(window.reserve('a', T0 + age)).toBe(expected);
    });

    it('drops expired ids from memory on the next commit', () => {
      const window = new DedupWindow({ ttlMs: 1000 });
      land(window, ['old-1', 'old-2'], T0);
      land(window, ['new'], T0 + 5000);
      expect(window.size).toBe(1);
    });

    it('defaults to 24 hours', () => {
      const window = new DedupWindow();
      land(window, ['a'], T0);
      expect(window.reserve('a', T0 + 86_400_000)).toBe('duplicate');
      expect(window.reserve('a', T0 + 86_400_001)).toBe('new');
    });
  });

  describe('bounded by count (maxIds)', () => {
    it('keeps at most maxIds ids, forgetting the oldest first', () => {
      const window = new DedupWindow({ maxIds: 3 });
      land(window, ['1', '2', '3', '4', '5'], T0);
      expect(window.size).toBe(3);
      for (const id of ['3', '4', '5']) expect(window.reserve(id, T0), id).toBe('duplicate');
      for (const id of ['1', '2']) expect(window.reserve(id, T0), id).toBe('new');
    });

    it('counts age from the latest commit: a re-committed id moves to the young end', () => {
      const window = new DedupWindow({ maxIds: 2, ttlMs: 1 });
      land(window, ['a'], T0);
      land(window, ['b'], T0 + 1);
      land(window, ['a'], T0 + 2); // expired, so new again, and now the youngest
      window.commit(['c'], T0 + 3); // evicts b, the oldest
      expect(window.reserve('b', T0 + 3)).toBe('new');
      expect(window.reserve('a', T0 + 3)).toBe('duplicate');
      expect(window.reserve('c', T0 + 3)).toBe('duplicate');
    });

    it('stays bounded under a long stream of unique ids', () => {
      const window = new DedupWindow({ maxIds: 100 });
      for (let i = 0; i < 10_000; i++) land(window, [`id-${i}`], T0 + i);
      expect(window.size).toBe(100);
      expect(window.reserve('id-9999', T0 + 10_000)).toBe('duplicate');
      expect(window.reserve('id-9899', T0 + 10_000)).toBe('new');
    });
  });

  describe('preload: ids landed before the window existed (read back from the store)', () => {
    it('remembers them as landed at their own time: duplicates until they age out', () => {
      const window = new DedupWindow({ ttlMs: 1000 });
      window.preload(['a', 'b'], [T0 - 900, T0 - 100], T0);
      expect(window.reserve('a', T0)).toBe('duplicate');
      expect(window.reserve('a', T0 + 101)).toBe('new');
      expect(window.reserve('b', T0 + 900)).toBe('duplicate');
    });

    it('leaves out those already too old, and keeps the newest maxIds', () => {
      const window = new DedupWindow({ maxIds: 2, ttlMs: 1000 });
      window.preload(['old', '1', '2', '3'], [T0 - 1001, T0 - 30, T0 - 20, T0 - 10], T0);
      expect(window.size).toBe(2);
      expect(['old', '1', '2', '3'].map((id) => window.reserve(id, T0))).toEqual(['new', 'new', 'duplicate', 'duplicate']);
    });

    it('an id seen twice keeps its latest time', () => {
      const window = new DedupWindow({ ttlMs: 1000 });
      window.preload(['a', 'a'], [T0 - 900, T0 - 100], T0);
      window.preload(['a'], [T0 - 950], T0);
      expect(window.reserve('a', T0 + 800)).toBe('duplicate');
    });
  });
});
