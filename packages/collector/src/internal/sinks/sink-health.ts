/** How often a failing sink checks whether it takes writes again. */
export const PROBE_INTERVAL_MS = 1000;

/**
 * A sink's readiness (`Sink.isReady`), the same for every sink: ready until a write fails, then not
 * ready until a write works again or a probe does. Probes run every `intervalMs` with no traffic
 * needed: a load balancer that stopped routing to the collector would never send the write that
 * proves it well. A probe that started before the latest failure proves nothing about it.
 */
export interface SinkHealth {
  isHealthy(): boolean;
  /** A write worked. */
  succeeded(): void;
  /** A write failed: not ready from now on. */
  failed(): void;
  /** Probes until one works (or a write does); call once what the probe looks at is in place. */
  probeUntilHealthy(): void;
  /** No more probes; resolves when the one running, if any, is done. */
  stop(): Promise<void>;
}

/** `probe` resolves true (or without a value) when the sink takes writes again; false or a rejection when not. */
export function createSinkHealth(probe: () => Promise<boolean | void>, intervalMs = PROBE_INTERVAL_MS): SinkHealth {
  let healthy = true;
  let failures = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let probing: Promise<void> = Promise.resolve();

  const probeUntilHealthy = (): void => {
    if (timer || stopped || healthy) return;
    timer = setTimeout(() => {
      const since = failures;
      probing = probe()
        .then(
          (ok) => {
            if (ok !== false && failures === since) healthy = true;
          },
          () => undefined,
        )
        .finally(() => {
          timer = undefined;
          probeUntilHealthy();
        });
    }, intervalMs);
    timer.unref();
  };

  return {
    isHealthy: () => healthy,
    succeeded: () => void (healthy = true),
    failed: () => {
      healthy = false;
      failures++;
    },
    probeUntilHealthy,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      return probing;
    },
  };
}
