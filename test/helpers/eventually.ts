// The one way a test waits for something another process, server, browser or event loop turn does:
// check, pause, check again until a deadline. Tests that wait for time to pass use fake timers
// instead; this is for waits that have a condition to look at.

// Captured when the module loads, before a test can install fake timers: a test on a fake clock may
// still wait for a real server, and a faked setTimeout would never fire here.
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
const realNow = Date.now;

export interface EventuallyOptions {
  /** What is awaited, as the failure message names it ("all 500 events at the collector"). */
  what: string;
  /** How long to keep checking before failing (a unit test's own timeout is 5 s). @default 2_000 */
  timeoutMs?: number;
  /** The pause between one check's answer and the next check. @default 10 */
  intervalMs?: number;
}

type Outcome = { value: unknown } | { error: unknown } | { pending: true };

const pause = (ms: number): Promise<void> => new Promise((resolve) => realSetTimeout(resolve, ms));

/** One call of `check`, given up on (not stopped) at `deadline`. */
async function answerOf(check: () => unknown, deadline: number): Promise<Outcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      (async (): Promise<Outcome> => ({ value: await check() }))().catch((error: unknown) => ({ error })),
      new Promise<Outcome>((resolve) => (timer = realSetTimeout(() => resolve({ pending: true }), Math.max(0, deadline - realNow())))),
    ]);
  } finally {
    realClearTimeout(timer);
  }
}

/**
 * Resolves with `check`'s value as soon as a call of it neither throws (or rejects) nor returns
 * `false`, so both a predicate (`() => received.length === 3`) and an assertion
 * (`() => expect(stats().queued).toBe(0)`) work. After `timeoutMs` it rejects, naming `what` and
 * what the last check answered (its error, with it as `cause`); a check still running at the
 * deadline counts as not there yet.
 */
export async function eventually<T>(check: () => T | false | Promise<T | false>, options: EventuallyOptions): Promise<T> {
  const { what, timeoutMs = 2_000, intervalMs = 10 } = options;
  const deadline = realNow() + timeoutMs;
  let checks = 0;
  for (;;) {
    checks++;
    const outcome = await answerOf(check, deadline);
    if ('value' in outcome && outcome.value !== false) return outcome.value as T;
    if (realNow() >= deadline) {
      const last = 'error' in outcome ? `threw ${said(outcome.error)}` : 'pending' in outcome ? 'had not answered' : 'returned false';
      throw new Error(`timed out after ${timeoutMs} ms (${checks} checks) waiting for ${what}; the last check ${last}`, {
        cause: 'error' in outcome ? outcome.error : undefined,
      });
    }
    await pause(Math.min(intervalMs, Math.max(0, deadline - realNow())));
  }
}

function said(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : JSON.stringify(error) ?? String(error);
}
