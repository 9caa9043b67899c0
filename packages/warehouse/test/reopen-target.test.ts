// load --follow on DuckDB reopens the database after a failed call. What it guards against is
// real: a checkpoint that hits a full disk makes DuckDB refuse every later statement of that
// instance ("database has been invalidated because of a previous fatal error. The database must be
// restarted"), even once space is freed. A checkpoint only runs on 256 MB of log, more than a test
// fills, so here the instance that was open is made to answer like that from a point on.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reopenAfterFailure } from '../src/internal/cli/reopen-target.js';
import { loadWarehouse } from '../src/internal/load/load-warehouse.js';
import { deriveModel } from '../src/internal/model/derive-model.js';
import { loadSchemas } from '../src/internal/model/load-schemas.js';
import { rawStoreSource } from '../src/internal/source/raw-store-source.js';
import { openDuckDbTarget } from '../src/internal/target/duckdb-target.js';
import type { Target } from '../src/internal/target/target.js';
import { killScratch, query, type Scratch, writeKillStore } from './store-fixture.js';

let scratch: Scratch;
beforeEach(() => {
  scratch = killScratch();
});
afterEach(() => scratch.remove());

const INVALIDATED = 'FATAL Error: Failed: database has been invalidated because of a previous fatal error. The database must be restarted prior to being used again.';

describe('load --follow on DuckDB, after the database instance was invalidated', () => {
  it('opens the database again and goes on from the last commit: every event once', { timeout: 60_000 }, async () => {
    const ids = writeKillStore(scratch, 2, 300);
    const opened: { invalidated: boolean }[] = [];
    /** A real DuckDB target, whose every call fails once `invalidated` is set (that instance only). */
    const open = async (): Promise<Target> => {
      const target = await openDuckDbTarget({ file: scratch.db });
      const state = { invalidated: false };
      opened.push(state);
      return new Proxy(target, {
        get(t, property, receiver) {
          const value: unknown = Reflect.get(t, property, receiver);
          if (typeof value !== 'function') return value;
          const method = (value as (...args: unknown[]) => unknown).bind(t);
          return property === 'close' ? method : (...args: unknown[]) => (state.invalidated ? Promise.reject(new Error(INVALIDATED)) : method(...args));
        },
      });
    };
    const target = reopenAfterFailure(await open(), open);
    const stop = new AbortController();
    const errors: string[] = [];
    const giveUp = setTimeout(() => stop.abort(), 30_000);
    try {
      await loadWarehouse({
        source: rawStoreSource({ dir: scratch.store }),
        target,
        model: deriveModel(loadSchemas(scratch.schemas)),
        batchSize: 100,
        follow: true,
        signal: stop.signal,
        // No waiting between reads or before the retry.
        clock: { now: () => Date.now(), sleep: () => Promise.resolve() },
        onError: (error) => errors.push((error as Error).message),
        onBatch: (summary) => {
          // After the second commit, the instance is invalidated (as by a checkpoint on a full disk).
          if (summary.batches === 2) opened[0]!.invalidated = true;
          if (summary.events >= ids.length) stop.abort();
        },
      });
    } finally {
      clearTimeout(giveUp);
      await target.close();
    }
    expect(errors).toEqual([expect.stringContaining('database has been invalidated')]);
    expect(opened).toHaveLength(2);
    expect((await query(scratch.db, 'select event_id from events order by event_id')).map((r) => r.event_id)).toEqual([...ids].sort());
    expect(await query(scratch.db, 'select count(*)::int as n from com_acme_user_1')).toEqual([{ n: ids.length }]);
  });
});
