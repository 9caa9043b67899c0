import type { Source } from '../source/source.js';
import type { Target } from '../target/target.js';

/** What is loaded from one source and what waits, per kind of data. */
export interface SourceStatus {
  source: string;
  kind: 'good' | 'bad';
  /** Files (keys) read to their end, and the bytes loaded from every file. */
  filesLoaded: number;
  bytesLoaded: number;
  /** Files with bytes not loaded yet (a last line still being written counts), and those bytes. */
  filesPending: number;
  bytesPending: number;
}

/** Per source and kind: files and bytes loaded and pending, from the target's manifest and the source as it is now. */
export async function warehouseStatus(target: Target, sources: readonly Source[]): Promise<SourceStatus[]> {
  const statuses: SourceStatus[] = [];
  for (const source of sources) {
    const backlog = await source.backlog(await target.positions(source.name));
    for (const kind of ['good', 'bad'] as const) {
      const status: SourceStatus = { source: source.name, kind, filesLoaded: 0, bytesLoaded: 0, filesPending: 0, bytesPending: 0 };
      for (const entry of backlog.filter((b) => b.kind === kind)) {
        status.bytesLoaded += entry.loaded;
        if (entry.loaded < entry.total) {
          status.filesPending++;
          status.bytesPending += entry.total - entry.loaded;
        } else {
          status.filesLoaded++;
        }
      }
      statuses.push(status);
    }
  }
  return statuses;
}
