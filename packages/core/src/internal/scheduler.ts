/**
 * Timers for core without naming a platform global beyond the ECMAScript-host basics. Node's timers
 * are `unref()`ed so a queued retry never keeps a process alive on its own.
 */
export type CancelTimer = () => void;

interface TimerHandle {
  unref?: () => void;
}

export function startTimer(callback: () => void, delayMs: number): CancelTimer {
  const handle = setTimeout(callback, delayMs) as unknown as TimerHandle;
  if (typeof handle === 'object' && typeof handle.unref === 'function') handle.unref();
  return () => clearTimeout(handle as unknown as Parameters<typeof clearTimeout>[0]);
}

/** Resolves after `delayMs`; used to bound waits (flush, shutdown). */
export function delay(delayMs: number): Promise<void> {
  return new Promise((resolve) => startTimer(resolve, delayMs));
}
