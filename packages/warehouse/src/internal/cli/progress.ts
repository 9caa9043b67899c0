import type { LoadSummary } from '../load/load-warehouse.js';

/** Where progress goes: a terminal gets one line redrawn in place with a bar; anything else, a line per batch. */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

const BAR_WIDTH = 30;

/**
 * Reports a load's progress. `totalBytes`: what was pending when the load started (the bar's
 * 100%); in `--follow` more arrives, so the bar is left out there.
 */
export function loadProgress(stream: ProgressStream, totalBytes: number | undefined): { update: (summary: Readonly<LoadSummary>) => void; done: (summary: Readonly<LoadSummary>) => void } {
  const line = (s: Readonly<LoadSummary>): string => `${s.lines} lines, ${s.events} events, ${s.quarantined} quarantined, ${formatBytes(s.bytes)} in ${s.batches} batches`;
  let drawn = false;
  return {
    update: (summary) => {
      if (!stream.isTTY) {
        stream.write(`loaded ${line(summary)}\n`);
        return;
      }
      const share = totalBytes ? Math.min(1, summary.bytes / totalBytes) : undefined;
      const bar = share === undefined ? '' : `[${'#'.repeat(Math.round(share * BAR_WIDTH)).padEnd(BAR_WIDTH, '.')}] ${Math.floor(share * 100)}% `;
      stream.write(`\r\x1b[K${bar}${line(summary)}`);
      drawn = true;
    },
    done: (summary) => {
      if (drawn) stream.write('\n');
      stream.write(`done: ${line(summary)}\n`);
    },
  };
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}
