import path from 'node:path';

/**
 * The raw store's layout, written by the file sink and read by the dedup warm-up and the replay:
 * `<root>/<good|bad>/date=YYYY-MM-DD/hour=HH/part-<instance>.jsonl`, partitioned by the UTC date and
 * hour a record was received. One module writes and parses these names, so a reader never drifts
 * from what the writer spells.
 */

export const HOUR_MS = 3_600_000;

/** Which half of the store a record lands in. */
export type StoreKind = 'good' | 'bad';

/**
 * The part file of `instance` for records of `kind` received in the hour that holds `time` (epoch
 * ms, between years 0000 and 9999: the date is named with four digits).
 */
export function partFilePath(root: string, kind: StoreKind, time: number, instance: string): string {
  const iso = new Date(Math.floor(time / HOUR_MS) * HOUR_MS).toISOString();
  return path.join(root, kind, `date=${iso.slice(0, 10)}`, `hour=${iso.slice(11, 13)}`, partFileName(instance));
}

/** `part-<instance>.jsonl`: the name a collector instance writes its part files under. */
export const partFileName = (instance: string): string => `part-${instance}.jsonl`;

/**
 * Whether a reader takes an entry of an hour partition as a part file: any `*.jsonl`, not only
 * `part-*` ones (a file put there by hand or by another tool is replayed, not silently left out).
 */
export const isPartFileName = (name: string): boolean => name.endsWith('.jsonl');

const DATE_DIR = /^date=(\d{4}-\d{2}-\d{2})$/;
const HOUR_DIR = /^hour=(\d{2})$/;

/** Whether `name` is a date partition's directory name (`date=YYYY-MM-DD`). */
export const isDateDir = (name: string): boolean => DATE_DIR.test(name);

/**
 * The start (epoch ms) of the hour partition `date=YYYY-MM-DD/hour=HH`, or undefined when the two
 * names are not a partition's (another directory in the store). An impossible day or hour rolls
 * over as Date.parse does (`2026-02-30` is March 2nd): such a partition is still read, not lost.
 */
export function partitionStart(dateDir: string, hourDir: string): number | undefined {
  const date = DATE_DIR.exec(dateDir)?.[1];
  const hour = HOUR_DIR.exec(hourDir)?.[1];
  if (date === undefined || hour === undefined) return undefined;
  const start = Date.parse(`${date}T${hour}:00:00Z`);
  return Number.isFinite(start) ? start : undefined;
}
