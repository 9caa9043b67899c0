import { TracklaneError } from '@tracklane/core';

/**
 * The loader's errors: a `TracklaneError` whose codes are the warehouse's. Code branches on the
 * code, never on the message. Bad input inside a source is not an error: it becomes a quarantine
 * row with a reason code (QuarantineReason), and the load goes on.
 */
export const WarehouseErrorCode = {
  /** An option or flag that cannot be used: a missing path, a batch size that is not a positive integer. */
  INVALID_CONFIG: 'INVALID_CONFIG',
  /** The source cannot be read: `--from` is missing, not a directory, or not a raw store. */
  SOURCE_UNREADABLE: 'SOURCE_UNREADABLE',
  /** The target database cannot be opened or written (locked by another process, disk full, not a DuckDB file). */
  TARGET_UNAVAILABLE: 'TARGET_UNAVAILABLE',
} as const;

export type WarehouseErrorCode = (typeof WarehouseErrorCode)[keyof typeof WarehouseErrorCode];

export class WarehouseError extends TracklaneError<WarehouseErrorCode> {
  constructor(code: WarehouseErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'WarehouseError';
  }
}

/** Why a stored line went to the `quarantine` table instead of the curated tables. */
export const QuarantineReason = {
  /** The collector refused the event: a line of its bad store, loaded as it is. */
  COLLECTOR_REJECTED: 'COLLECTOR_REJECTED',
  /** The line is not JSON: damaged, or a torn line an older collector ended with a newline. */
  UNREADABLE_LINE: 'UNREADABLE_LINE',
  /** The line is JSON but not a good record: no receive time, no envelope with an id, a schema and a device time. */
  NOT_A_RECORD: 'NOT_A_RECORD',
  /** The event or one of its entities names a schema the loader was not given. */
  UNKNOWN_SCHEMA: 'UNKNOWN_SCHEMA',
  /** The schema version changes the type of a column of its MODEL's table (a change the contracts refuse). */
  TYPE_CHANGE: 'TYPE_CHANGE',
  /** A value does not fit its column's type (the data or the table drifted from the schema). */
  VALUE_MISMATCH: 'VALUE_MISMATCH',
  /** A line longer than the loader holds in memory (`MAX_LINE_BYTES`): its first bytes are kept. */
  LINE_TOO_LONG: 'LINE_TOO_LONG',
} as const;

export type QuarantineReason = (typeof QuarantineReason)[keyof typeof QuarantineReason];
