/**
 * Timers for core without naming a platform global beyond the ECMAScript-host basics. Node's timers
 * are `unref()`ed so a queued retry never keeps a process alive on its own.
 */
export type CancelTimer = () => void;

export function startTimer(callback: () => void, delayMs: number): CancelTimer {
  // Typed so that this file also compiles in a DOM program (packages/browser), where it is a number.
  const handle = setTimeout(callback, delayMs) as ReturnType<typeof setTimeout> & { unref?: () => unknown };
  handle.unref?.();
  return () => clearTimeout(handle);
}

/** Resolves after `delayMs`; used to bound waits (flush, shutdown). */
export function delay(delayMs: number): Promise<void> {
  return new Promise((resolve) => startTimer(resolve, delayMs));
}
