import { isTracklaneError } from '@tracklane/core';
import { WarehouseErrorCode } from '../errors.js';
import { systemClock, type Clock } from '../load/clock.js';
import { LOAD_DEFAULTS } from '../load/load-warehouse.js';
import { openDuckDbTarget } from '../target/duckdb-target.js';
import { openPostgresTarget } from '../target/postgres-target.js';
import type { Target } from '../target/target.js';
import type { ProgressStream } from './progress.js';
import { reopenAfterFailure } from './reopen-target.js';
import type { TargetFlags } from './target-flags.js';

export interface OpenTargetOptions {
  /**
   * `load --follow`: a PostgreSQL database that cannot be reached is tried again, with the load
   * loop's doubling backoff, until it answers or `signal` aborts, and a DuckDB database is opened
   * again after a failed call (reopenAfterFailure). Otherwise the error is thrown.
   */
  follow: boolean;
  signal: AbortSignal;
  stderr: ProgressStream;
  /** @default the system clock */
  clock?: Clock;
}

/** Opens the target a command names; undefined when `signal` aborted while waiting for the database. */
export async function openCommandTarget(flags: TargetFlags, options: OpenTargetOptions): Promise<Target | undefined> {
  if (flags.kind === 'duckdb') {
    const open = (): Promise<Target> => openDuckDbTarget({ file: flags.file });
    return options.follow ? reopenAfterFailure(await open(), open) : open();
  }
  const clock = options.clock ?? systemClock;
  for (let attempt = 1; ; attempt++) {
    try {
      return await openPostgresTarget({ url: flags.url });
    } catch (error) {
      if (!options.follow || !isTracklaneError(error) || error.code !== WarehouseErrorCode.TARGET_UNAVAILABLE) throw error;
      const retryInMs = Math.min(LOAD_DEFAULTS.retryMaxMs, LOAD_DEFAULTS.retryFirstMs * 2 ** (attempt - 1));
      options.stderr.write(`warning: ${error.message} (attempt ${attempt}); retrying in ${retryInMs / 1000} s\n`);
      await clock.sleep(retryInMs, options.signal);
      if (options.signal.aborted) return undefined;
    }
  }
}
