import type { SqlSession, Target } from '../target/target.js';

/**
 * `target`, closed after a call of it failed and opened again (`open`) for the next one, as the
 * PostgreSQL target replaces a failed connection. For `load --follow` on DuckDB: a checkpoint that
 * hits a full disk invalidates the database for the rest of the process ("the database must be
 * restarted"), so retrying on the same instance fails forever even once space is freed. The
 * reopened database replays its log: what was committed is there, and the loader reads again from
 * its last commit. A call inside another (`apply` inside `transaction`) leaves the reopening to
 * the outer one.
 */
export function reopenAfterFailure(target: Target, open: () => Promise<Target>): Target {
  let current: Target | undefined = target;
  let depth = 0;
  const use = async <T>(work: (target: Target) => Promise<T>): Promise<T> => {
    current ??= await open();
    const used = current;
    depth++;
    try {
      return await work(used);
    } catch (error) {
      if (depth === 1 && current === used) {
        current = undefined;
        await used.close().catch(() => undefined);
      }
      throw error;
    } finally {
      depth--;
    }
  };
  return {
    // Properties (name, what the target can do) are the first target's: the reopened one is the same database.
    ...target,
    sources: () => use((t) => t.sources()),
    positions: (source) => use((t) => t.positions(source)),
    ensureTable: (spec) => use((t) => t.ensureTable(spec)),
    apply: (source, batch, positions) => use((t) => t.apply(source, batch, positions)),
    ...(target.transaction ? { transaction: <T>(work: (sql: SqlSession) => Promise<T>) => use((t) => t.transaction!(work)) } : {}),
    close: async () => {
      const open = current;
      current = undefined;
      await open?.close();
    },
  };
}
