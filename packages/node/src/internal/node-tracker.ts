import { randomFillSync } from 'node:crypto';
import { createTracker, type Tracker, type TrackerOptions } from '@tracklane/core';
import { createNodeHttpClient } from './http-client.js';
import { createDiskSpool, type DiskSpoolOptions } from './disk-spool.js';
import { TRACKER_NAME, TRACKER_VERSION } from './version.js';

export interface NodeTrackerOptions extends Omit<TrackerOptions, 'platform'> {
  /** Platform of the app (`app.platform`). @default 'srv' */
  platform?: TrackerOptions['platform'];
  /**
   * Keep events in an append-only file per destination under `spool.dir`, so events survive a crash
   * (even `kill -9`) and are sent at the next start. Without it, events are kept in memory.
   */
  spool?: DiskSpoolOptions;
  /**
   * Most HTTP connections open at once per host; connections are kept alive and reused.
   * @default 8
   */
  maxSockets?: number;
  /**
   * Where warnings go (invalid events, bad responses). Never receives write keys or event data.
   * @default console.warn
   */
  warn?: (message: string) => void;
}

export type NodeTracker = Tracker;

/**
 * A tracker for Node services, jobs and serverless functions. `track()` returns at once; events are
 * batched and delivered in the background over keep-alive connections, gzipped when large.
 * Call `shutdown()` before the process exits (or use `flushAfter` in serverless handlers).
 */
export function createNodeTracker(options: NodeTrackerOptions): NodeTracker {
  const { spool, maxSockets, warn, ...core } = options;
  const http = createNodeHttpClient(maxSockets !== undefined ? { maxSockets } : {});
  const tracker = createTracker(
    { ...core, ...(spool ? { store: createDiskSpool(spool) } : {}) },
    {
      // eslint-disable-next-line no-console -- the documented default sink of warnings (option `warn`)
      services: { http, warn: warn ?? ((message) => console.warn(message)), fillRandom: (bytes) => void randomFillSync(bytes) },
      tracker: { name: TRACKER_NAME, version: TRACKER_VERSION },
      defaultPlatform: 'srv',
    },
  );
  return {
    ...tracker,
    flush: (flushOptions) => keepingProcessAlive(() => tracker.flush(flushOptions)),
    shutdown: (shutdownOptions) =>
      keepingProcessAlive(async () => {
        await tracker.shutdown(shutdownOptions);
        http.destroy();
      }),
  };
}

/**
 * Core's timers (retry backoff, flush interval, flush timeout) are `unref()`ed so a tracker never
 * keeps a process alive on its own, and idle keep-alive sockets are unref'd by the agent. But whoever
 * awaits `flush()` or `shutdown()` wants delivery to finish: without a ref'd handle, a script ending
 * in `await tracker.flush()` exits during a backoff with its events undelivered (exit code 13 for
 * a top-level await, silently 0 otherwise).
 */
function keepingProcessAlive<T>(work: () => Promise<T>): Promise<T> {
  const handle = setInterval(() => undefined, 2 ** 30);
  return work().finally(() => clearInterval(handle));
}
