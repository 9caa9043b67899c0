import type { ColumnType } from './column-type.js';
import { canonicalDateTime, stageValue } from './stage-value.js';

/**
 * Whether DuckDB, converting the stored JSON value itself (`read_json` / `json_transform` into a
 * column of `type`), gives exactly what `stageValue` stages for it. Only then may the line skip
 * staging: a date-time in another spelling than the canonical one, a number past 2^53, a lenient
 * column's non-string, anything that does not fit, is staged by the loader instead (and refused
 * there when it does not fit). No allocation: this runs for every value of every event.
 */
export function convertsDirectly(type: ColumnType, value: unknown, lenient = false): boolean {
  if (value === null || value === undefined) return true;
  switch (type) {
    case 'VARCHAR':
      return typeof value === 'string';
    case 'JSON':
      return true;
    case 'BIGINT':
      return Number.isSafeInteger(value);
    case 'DOUBLE':
      return typeof value === 'number' && Number.isFinite(value);
    case 'BOOLEAN':
      return typeof value === 'boolean';
    case 'TIMESTAMPTZ':
      return typeof value === 'string' && canonicalDateTime(value) === value;
    case 'DATE':
      return typeof value === 'string' && stageValue('DATE', value).ok;
    default:
      return !lenient && Array.isArray(value) && value.every((item) => item !== null && convertsDirectly(type.slice(0, -2) as ColumnType, item));
  }
}
