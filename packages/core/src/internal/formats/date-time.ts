// UTF-16 code units the scanner compares with.
const PLUS = 0x2b;
const DASH = 0x2d;
const DOT = 0x2e;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const COLON = 0x3a;
const UPPER_T = 0x54;
const UPPER_Z = 0x5a;
const LOWER_T = 0x74;
const LOWER_Z = 0x7a;

/**
 * The `date-time` format (RFC 3339 section 5.6), accepting exactly what ajv-formats' full `date-time`
 * accepts, without its regular expressions and `split`: every event carries two or three timestamps,
 * and that check was a third of the envelope's validation time.
 *
 * Accepted: `YYYY-MM-DD`, one separator (`T`, `t` or a whitespace character), `HH:MM:SS`, an optional
 * fraction, and a zone that is required: `Z`, `z`, `+HH`, `+HHMM` or `+HH:MM` (or `-`). The date must
 * exist (leap years included); a leap second (`:60`) only at 23:59 UTC once the offset is applied.
 * One deliberate difference: ajv-formats lets an hour above 23 or a minute above 59 through when the
 * offset brings it to 23:59 UTC (`24:59:30+01:00`); RFC 3339 does not, and neither does this.
 */
export function isDateTime(value: string): boolean {
  const length = value.length;
  // Shortest: `2026-01-02T03:04:05Z` (20 characters).
  if (length < 20) return false;
  if (!(isDigits(value, 0, 4) && value.charCodeAt(4) === DASH && isDigits(value, 5, 2) && value.charCodeAt(7) === DASH && isDigits(value, 8, 2))) return false;
  if (!isSeparator(value.charCodeAt(10))) return false;
  if (!(isDigits(value, 11, 2) && value.charCodeAt(13) === COLON && isDigits(value, 14, 2) && value.charCodeAt(16) === COLON && isDigits(value, 17, 2))) return false;

  let at = 19;
  if (value.charCodeAt(at) === DOT) {
    const start = ++at;
    while (at < length && isDigit(value.charCodeAt(at))) at++;
    if (at === start) return false;
  }
  let offsetMinutes = 0;
  const zone = value.charCodeAt(at);
  if (zone === UPPER_Z || zone === LOWER_Z) {
    if (at + 1 !== length) return false;
  } else if (zone === PLUS || zone === DASH) {
    // `+HH`, `+HHMM` or `+HH:MM`
    const rest = length - at - 1;
    const colon = rest === 5 && value.charCodeAt(at + 3) === COLON;
    if (!(rest === 2 || rest === 4 || colon) || !isDigits(value, at + 1, 2) || (rest > 2 && !isDigits(value, length - 2, 2))) return false;
    const hours = number(value, at + 1);
    const minutes = rest > 2 ? number(value, length - 2) : 0;
    if (hours > 23 || minutes > 59) return false;
    offsetMinutes = (zone === PLUS ? 1 : -1) * (hours * 60 + minutes);
  } else {
    return false;
  }
  return isDate(number(value, 0) * 100 + number(value, 2), number(value, 5), number(value, 8)) && isTime(number(value, 11), number(value, 14), number(value, 17), offsetMinutes);
}

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** What `/\s/` matches besides T: ajv-formats splits date and time on `/t|\s/i`. */
const WHITESPACE = /^\s$/;

function isSeparator(code: number): boolean {
  return code === UPPER_T || code === LOWER_T || WHITESPACE.test(String.fromCharCode(code));
}

function isDigit(code: number): boolean {
  return code >= DIGIT_0 && code <= DIGIT_9;
}

function isDigits(value: string, from: number, count: number): boolean {
  for (let i = from; i < from + count; i++) if (!isDigit(value.charCodeAt(i))) return false;
  return true;
}

/** The two-digit number at `at` (checked to be digits). */
function number(value: string, at: number): number {
  return (value.charCodeAt(at) - DIGIT_0) * 10 + value.charCodeAt(at + 1) - DIGIT_0;
}

function isDate(year: number, month: number, day: number): boolean {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month >= 1 && month <= 12 && day >= 1 && day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month]!);
}

/** A leap second is valid only when it falls on 23:59:60 UTC. */
function isTime(hours: number, minutes: number, seconds: number, offsetMinutes: number): boolean {
  if (hours > 23 || minutes > 59 || seconds > 60) return false;
  if (seconds < 60) return true;
  const offsetHours = Math.trunc(offsetMinutes / 60);
  const utcMinutes = minutes - (offsetMinutes - offsetHours * 60);
  const utcHours = hours - offsetHours - (utcMinutes < 0 ? 1 : 0);
  return (utcHours === 23 || utcHours === -1) && (utcMinutes === 59 || utcMinutes === -1);
}
