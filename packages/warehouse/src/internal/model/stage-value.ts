import type { ColumnType } from './column-type.js';

/** A value as the text a staging column holds (`null`: SQL NULL), or why it does not fit the column. */
export type StagedValue = { ok: true; text: string | null } | { ok: false; problem: string };

const NULL: StagedValue = { ok: true, text: null };

/** Largest magnitude a BIGINT holds. */
const BIGINT_LIMIT = 2 ** 63;

/**
 * RFC 3339 date-time as the collector's `date-time` format accepts it (a `t` or `z` in lower case, a
 * zone as `+HH`, `+HHMM` or `+HH:MM`), seconds below 60 (DuckDB has no leap second).
 */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):([0-5]\d)(\.\d+)?(?:([Zz])|([+-]\d{2}):?(\d{2})?)$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Converts a JSON value for a column of `type`, checking it fits: staging columns are text and the
 * final INSERT casts them, so a value that would make the cast fail (and with it the whole batch)
 * must be caught here, where it can send its event to quarantine instead. `lenient` (columns of
 * `x-pii` fields): a non-string scalar is kept as its JSON text.
 */
export function stageValue(type: ColumnType, value: unknown, lenient = false): StagedValue {
  if (value === null || value === undefined) return NULL;
  switch (type) {
    case 'VARCHAR':
      if (typeof value === 'string') return { ok: true, text: value };
      return lenient && typeof value !== 'object' ? { ok: true, text: JSON.stringify(value) } : mismatch(type, value);
    case 'JSON':
      return { ok: true, text: JSON.stringify(value) };
    case 'VARCHAR[]':
    case 'BIGINT[]':
    case 'DOUBLE[]':
    case 'BOOLEAN[]': {
      if (!Array.isArray(value)) return mismatch(type, value);
      const item = type.slice(0, -2) as ColumnType;
      for (const [index, element] of value.entries()) {
        const staged = stageValue(item, element);
        if (!staged.ok) return { ok: false, problem: `item ${index}: ${staged.problem}` };
      }
      return { ok: true, text: JSON.stringify(value) };
    }
    default:
      return stageScalar(type, value);
  }
}

function stageScalar(type: 'BIGINT' | 'DOUBLE' | 'BOOLEAN' | 'TIMESTAMPTZ' | 'DATE', value: unknown): StagedValue {
  switch (type) {
    case 'BIGINT':
      // BigInt, not String: 1e21 prints in exponent form, which a BIGINT cast refuses.
      return Number.isInteger(value) && Math.abs(value as number) < BIGINT_LIMIT ? { ok: true, text: BigInt(value as number).toString() } : mismatch(type, value);
    case 'DOUBLE':
      return typeof value === 'number' && Number.isFinite(value) ? { ok: true, text: String(value) } : mismatch(type, value);
    case 'BOOLEAN':
      return typeof value === 'boolean' ? { ok: true, text: String(value) } : mismatch(type, value);
    case 'TIMESTAMPTZ':
      return typeof value === 'string' ? dateTimeText(value) ?? mismatch(type, value) : mismatch(type, value);
    case 'DATE':
      return typeof value === 'string' && isDate(value) ? { ok: true, text: value } : mismatch(type, value);
  }
}

/**
 * The date-time in the one spelling DuckDB's and PostgreSQL's casts both take
 * (`YYYY-MM-DDTHH:MM:SS[.f](Z|+HH:MM)`), or undefined when it is not one: a spelling the collector
 * accepts and the cast refuses (`...t...z`, `+01`) would fail the whole batch's INSERT.
 */
export function canonicalDateTime(text: string): string | undefined {
  if (isMillisecondUtc(text)) return text;
  const match = DATE_TIME.exec(text);
  if (match === null || !isCalendarDay(match[1]!, match[2]!, match[3]!) || Number(match[4]) >= 24 || Number(match[5]) >= 60) return undefined;
  const [, year, month, day, hour, minute, second, fraction = '', utc, offsetHours, offsetMinutes = '00'] = match;
  if (utc === undefined && Number(offsetHours!.slice(1)) > 23) return undefined;
  const zone = utc !== undefined ? 'Z' : `${offsetHours!}:${offsetMinutes}`;
  return `${year!}-${month!}-${day!}T${hour!}:${minute!}:${second!}${fraction}${zone}`;
}

/**
 * `YYYY-MM-DDTHH:MM:SS.sssZ`, a real time: `toISOString`'s spelling, which trackers and the
 * collector write, is already canonical. Checked without the regular expression (it runs for
 * every time of every event): the same answer as the general path, which takes the rest.
 */
function isMillisecondUtc(text: string): boolean {
  if (text.length !== 24 || text.charCodeAt(23) !== 0x5a || text.charCodeAt(10) !== 0x54 || text.charCodeAt(19) !== 0x2e) return false;
  for (let i = 0; i < 23; i++) {
    const c = text.charCodeAt(i);
    const separator = SEPARATORS[i];
    if (separator === undefined ? c < 0x30 || c > 0x39 : c !== separator) return false;
  }
  const hour = (text.charCodeAt(11) - 0x30) * 10 + text.charCodeAt(12) - 0x30;
  const minute = (text.charCodeAt(14) - 0x30) * 10 + text.charCodeAt(15) - 0x30;
  return hour < 24 && minute < 60 && text.charCodeAt(17) <= 0x35 && isCalendarDay(text.slice(0, 4), text.slice(5, 7), text.slice(8, 10));
}

/** The fixed characters of `YYYY-MM-DDTHH:MM:SS.sss` by position; digits elsewhere. */
const SEPARATORS: readonly (number | undefined)[] = [...'????-??-??T??:??:??.???'].map((c) => (c === '?' ? undefined : c.charCodeAt(0)));

function dateTimeText(text: string): StagedValue | undefined {
  const canonical = canonicalDateTime(text);
  return canonical === undefined ? undefined : { ok: true, text: canonical };
}

function isDate(text: string): boolean {
  const match = DATE.exec(text);
  return match !== null && isCalendarDay(match[1]!, match[2]!, match[3]!);
}

/** Days in each month of a common year. */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Year 1 or later (DuckDB has no year 0 in this notation), a real day of its month. */
function isCalendarDay(year: string, month: string, day: string): boolean {
  const m = Number(month);
  const d = Number(day);
  if (m < 1 || m > 12 || d < 1) return false;
  // Most days are in every month: only the 29th to 31st need the month and the year.
  if (d <= 28) return year !== '0000';
  const y = Number(year);
  return y >= 1 && d <= MONTH_DAYS[m - 1]! + (m === 2 && isLeapYear(y) ? 1 : 0);
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function mismatch(type: ColumnType, value: unknown): StagedValue {
  const shown = typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : JSON.stringify(value);
  return { ok: false, problem: `${shown} is not a ${type}` };
}
