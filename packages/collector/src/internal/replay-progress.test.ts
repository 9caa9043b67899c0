import { describe, expect, it } from 'vitest';
import type { ReplaySummary } from './replay.js';
import { replayProgress } from './replay-progress.js';

const summary = (replayed: number, hour = '2026-02-01T10'): ReplaySummary => ({
  replayed,
  accepted: replayed,
  duplicates: 0,
  rejected: 0,
  skippedLines: { unreadable: 2, notRecords: 1 },
  refused: [],
  hour,
});

function terminal(isTTY: boolean): { isTTY: boolean; written: string[]; write(text: string): void } {
  const written: string[] = [];
  return { isTTY, written, write: (text) => void written.push(text) };
}

describe('replayProgress', () => {
  it('rewrites one line on a terminal, at most every 250 ms, and ends it when done', () => {
    const stream = terminal(true);
    let now = 0;
    const progress = replayProgress(stream, () => now);
    progress.update(summary(500)); // too soon after the start
    now = 300;
    progress.update(summary(1000));
    now = 400;
    progress.update(summary(1500)); // too soon after the last
    now = 600;
    progress.update(summary(12_000, '2026-02-01T11'));
    progress.done();
    expect(stream.written).toEqual([
      '\rreplay: 1,000 events sent, 3 lines skipped, hour 2026-02-01T10\u001b[K',
      '\rreplay: 12,000 events sent, 3 lines skipped, hour 2026-02-01T11\u001b[K',
      '\n',
    ]);
  });

  it('writes nothing for a replay shorter than the interval', () => {
    const stream = terminal(true);
    const progress = replayProgress(stream, () => 0);
    progress.update(summary(10));
    progress.done();
    expect(stream.written).toEqual([]);
  });

  it('writes nothing when the stream is not a terminal (a pipe, a log file)', () => {
    const stream = terminal(false);
    let now = 0;
    const progress = replayProgress(stream, () => (now += 1000));
    progress.update(summary(1000));
    progress.done();
    expect(stream.written).toEqual([]);
  });
});
