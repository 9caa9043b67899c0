/** A write waiting for its commit: told how the commit went. */
export interface CommitWaiter {
  reject(error: Error): void;
}

/**
 * Group commit, the same for every sink: writes from concurrent requests queue, and what is queued
 * when a commit can start goes into that one commit (one append and sync per part file, one produce
 * request). Commits run one at a time, in arrival order, so two never interleave; the first starts
 * on the next turn of the event loop, so the writes of one tick go together.
 */
export interface GroupCommit<W extends CommitWaiter> {
  /** Queues `waiter` for the next commit. */
  add(waiter: W): void;
  /** Takes `waiter` out of the queue (its time is up): false when a commit already has it. */
  withdraw(waiter: W): boolean;
  /** Resolves once nothing is queued, scheduled or being committed. */
  settled(): Promise<void>;
}

/**
 * `commit` settles each waiter of its batch itself; should it throw, every waiter of the batch is
 * rejected with that error, and the next commits still run. `take` says how many of the queued
 * waiters the next commit gets (at least one): all of them unless a sink caps a commit's size.
 */
export function createGroupCommit<W extends CommitWaiter>(commit: (batch: W[]) => Promise<void>, take: (queue: readonly W[]) => number = (queue) => queue.length): GroupCommit<W> {
  const queue: W[] = [];
  let scheduled = false;
  let running = false;
  let idle: (() => void)[] = [];

  const run = (): void => {
    scheduled = false;
    if (running) return;
    if (queue.length === 0) {
      const waiting = idle;
      idle = [];
      for (const resolve of waiting) resolve();
      return;
    }
    const batch = queue.splice(0, Math.max(1, take(queue)));
    running = true;
    void commit(batch)
      .catch((error: unknown) => {
        for (const waiter of batch) waiter.reject(error as Error);
      })
      .finally(() => {
        running = false;
        run();
      });
  };

  return {
    add: (waiter) => {
      queue.push(waiter);
      if (scheduled || running) return;
      scheduled = true;
      setImmediate(run);
    },
    withdraw: (waiter) => {
      const at = queue.indexOf(waiter);
      if (at !== -1) queue.splice(at, 1);
      return at !== -1;
    },
    settled: () => (!running && !scheduled && queue.length === 0 ? Promise.resolve() : new Promise<void>((resolve) => idle.push(resolve))),
  };
}
