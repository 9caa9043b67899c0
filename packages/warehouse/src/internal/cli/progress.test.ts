import { describe, expect, it } from 'vitest';
import type { LoadSummary } from '../load/load-warehouse.js';
import { formatBytes, loadProgress } from './progress.js';

const summary = (bytes: number, lines: number): LoadSummary => ({ lines, bytes, events: lines, quarantined: 0, batches: 1, rewritten: [] });

describe('loadProgress', () => {
  it('a terminal gets one line redrawn in place, with a bar of the bytes pending at the start', () => {
    const written: string[] = [];
    const progress = loadProgress({ isTTY: true, write: (t: string) => written.push(t) }, 2048);
    progress.update(summary(1024, 10));
    progress.update(summary(2048, 20));
    progress.done(summary(2048, 20));
    expect(written).toEqual([
      `\r\x1b[K[${'#'.repeat(15)}${'.'.repeat(15)}] 50% 10 lines, 10 events, 0 quarantined, 1.0 KiB in 1 batches`,
      `\r\x1b[K[${'#'.repeat(30)}] 100% 20 lines, 20 events, 0 quarantined, 2.0 KiB in 1 batches`,
      '\n',
      'done: 20 lines, 20 events, 0 quarantined, 2.0 KiB in 1 batches\n',
    ]);
  });

  it('anything else gets a plain line per batch', () => {
    const written: string[] = [];
    const progress = loadProgress({ write: (t: string) => written.push(t) }, undefined);
    progress.update(summary(10, 1));
    progress.done(summary(10, 1));
    expect(written).toEqual(['loaded 1 lines, 1 events, 0 quarantined, 10 B in 1 batches\n', 'done: 1 lines, 1 events, 0 quarantined, 10 B in 1 batches\n']);
  });

  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.5 KiB'],
    [5 * 1024 ** 2, '5.0 MiB'],
    [3 * 1024 ** 3, '3.00 GiB'],
  ])('formatBytes(%d) = %s', (bytes, want) => expect(formatBytes(bytes)).toBe(want));
});
