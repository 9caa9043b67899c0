import type { ReplaySummary } from './replay.js';

/** Least time between two progress lines: often enough to see it move, rarely enough to cost nothing. */
const PROGRESS_INTERVAL_MS = 250;

/** Where progress goes: a terminal's stderr. */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * Progress of a long replay as one line rewritten in place (`\r`), on a terminal only: a stream that
 * is not a TTY (a pipe, a log file, CI) gets nothing, so scripts read stdout's summary alone. The
 * first line comes after PROGRESS_INTERVAL_MS, so a short replay prints none.
 */
export function replayProgress(stream: ProgressStream, now: () => number = Date.now): { update: (summary: Readonly<ReplaySummary>) => void; done: () => void } {
  if (!stream.isTTY) return { update: () => undefined, done: () => undefined };
  let last = now();
  let shown = false;
  return {
    update: (summary) => {
      const at = now();
      if (at - last < PROGRESS_INTERVAL_MS) return;
      last = at;
      shown = true;
      const skipped = summary.skippedLines.unreadable + summary.skippedLines.notRecords;
      stream.write(`\rreplay: ${summary.replayed.toLocaleString('en')} events sent, ${skipped.toLocaleString('en')} lines skipped, hour ${summary.hour ?? '-'}\u001b[K`);
    },
    done: () => {
      if (shown) stream.write('\n');
    },
  };
}
