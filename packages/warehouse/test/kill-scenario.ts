// The kill tests' one scenario, for each target and source: `kill -9` of the loader twice in the
// middle of a load, each time checking what it had committed, then a restart that completes.
import { openSync, readSync, closeSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { killLoadAfter, runWarehouseCli, type WarehouseProcess } from './warehouse-cli.js';

/** What the target holds after a kill: its `events` rows, and how many source lines its manifest's positions say it committed. */
export interface Committed {
  events: number;
  lines: number;
}

export interface KillScenario {
  /** `tracklane-warehouse load ...` with the target, the source and a batch size. */
  args: readonly string[];
  /** Events the source holds. */
  total: number;
  /** Committed batches of each run before its kill. */
  batchesBeforeKill: number;
  /** Reads what the target committed (the loader is dead: nothing moves). */
  committed: () => Promise<Committed>;
  /** Told of each loader started, to kill it should the test fail. @default nothing */
  started?: (run: WarehouseProcess) => void;
}

/**
 * Killed right after a commit, then a few milliseconds into a later batch (reading, staging or
 * committing it). After each kill the load is in its middle (more committed than before, not
 * everything) and the rows are exactly those of the lines before the manifest's positions: a batch
 * and its manifest advance committed together or not at all. The last run then completes.
 */
export async function killTwiceThenRestart(scenario: KillScenario): Promise<{ durations: number[] }> {
  const durations: number[] = [];
  let before = 0;
  for (const delayMs of [0, 40]) {
    const started = performance.now();
    await killLoadAfter(scenario.args, scenario.batchesBeforeKill, delayMs, scenario.started);
    durations.push(performance.now() - started);
    const committed = await scenario.committed();
    expect(committed.events).toBeGreaterThan(before);
    expect(committed.events).toBeLessThan(scenario.total);
    expect(committed.lines).toBe(committed.events);
    before = committed.events;
  }
  const started = performance.now();
  const { code, output } = await runWarehouseCli(scenario.args);
  durations.push(performance.now() - started);
  expect(code, output).toBe(0);
  return { durations };
}

/** Lines (newlines) of each part file before its manifest position, summed: what the manifest says was committed. */
export function linesBefore(store: string, manifest: readonly { key: string; position: number }[]): number {
  let lines = 0;
  const buffer = Buffer.alloc(1 << 20);
  for (const { key, position } of manifest) {
    const fd = openSync(path.join(store, key), 'r');
    try {
      for (let at = 0; at < position; ) {
        const n = readSync(fd, buffer, 0, Math.min(buffer.length, position - at), at);
        if (n === 0) throw new Error(`${key} ends before its manifest position ${position}`);
        for (let i = 0; i < n; i++) if (buffer[i] === 0x0a) lines++;
        at += n;
      }
    } finally {
      closeSync(fd);
    }
  }
  return lines;
}
