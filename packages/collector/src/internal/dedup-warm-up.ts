import type { DedupWindow } from './dedup-window.js';
import type { Log } from './logger.js';
import type { Sink } from './sinks/sink.js';

/**
 * Fills a new collector's dedup window with the ids its sink already holds (`Sink.recentIds`), so a
 * client retrying a batch whose `200` was lost in a crash, or a second replay, lands nothing twice.
 * Never rejects: a store that cannot be read is logged, and the window starts with what it has.
 */
export async function warmDedupWindow(window: DedupWindow, sink: Sink, log: Log): Promise<void> {
  if (!sink.recentIds) {
    log('info', 'dedup window starts empty: the sink cannot give back the ids it holds', { sink: sink.name });
    return;
  }
  const started = performance.now();
  try {
    const found = await sink.recentIds(Date.now() - window.ttlMs, window.maxIds);
    window.preload(found.ids, found.receivedAt);
    log('info', 'dedup window filled from the sink', {
      sink: sink.name,
      ids: window.size,
      files: found.files,
      bytesRead: found.bytes,
      skippedLines: found.skipped,
      ms: Math.round(performance.now() - started),
    });
  } catch (error) {
    log('error', 'could not read event ids back from the sink: the dedup window starts empty', { sink: sink.name, error: (error as Error).message });
  }
}
