import { BACKSLASH, CLOSE_BRACE, COLON, DASH, DIGIT_0, DIGIT_9, DOT, QUOTE, UPPER_T, UPPER_Z } from '../char-codes.js';

// A good line as the collector writes it (GoodRecordWriter): `{"receivedAt":"<24-char ISO>",
// "clientIp":"<ip>","envelope":{"id":"<id>",…}}`, clientIp left out when unknown.
const HEAD = Buffer.from('{"receivedAt":"');
const CLIENT_IP = Buffer.from(',"clientIp":"');
const ENVELOPE_ID = Buffer.from(',"envelope":{"id":"');
/** `{"receivedAt":"` + 24 characters of ISO time. */
const TIME_END = HEAD.length + 24;
/** Longer than any IP address (45) or event id (a UUID: 36): past it, the line is not what the quick path knows. */
const MAX_FIELD = 128;

/**
 * Reads the event id and receive time of one stored good line without parsing all of it: the id is
 * the envelope's first field in the lines the collector writes. A line of another layout (an
 * envelope sent with spaces, or its id not first) is parsed in full; a line that does not parse (torn
 * by a crash) has no id.
 */
export class GoodLineReader {
  /** What the last successful `read` found. */
  id = '';
  /** Epoch ms. */
  receivedAt = 0;

  /**
   * Reads `data[start, end)`, one line without its newline. `suspect`: the line may be torn even if
   * its end looks whole (the file sink ended it after a crash: see openAppend), so it is parsed in full.
   */
  read(data: Buffer, start: number, end: number, suspect: boolean): boolean {
    return (!suspect && this.quick(data, start, end)) || this.parse(data.toString('utf8', start, end));
  }

  private quick(data: Buffer, start: number, end: number): boolean {
    // A whole good line ends with the envelope's brace and the record's.
    if (end - start < TIME_END + ENVELOPE_ID.length || data[end - 1] !== CLOSE_BRACE || data[end - 2] !== CLOSE_BRACE) return false;
    if (!startsWith(data, start, HEAD) || data[start + TIME_END] !== QUOTE) return false;
    const receivedAt = isoMillis(data, start + HEAD.length);
    if (Number.isNaN(receivedAt)) return false;
    let at = start + TIME_END + 1;
    if (startsWith(data, at, CLIENT_IP)) {
      at = plainString(data, at + CLIENT_IP.length, end);
      if (at < 0) return false;
      at++;
    }
    if (!startsWith(data, at, ENVELOPE_ID)) return false;
    const idStart = at + ENVELOPE_ID.length;
    const idEnd = plainString(data, idStart, end);
    if (idEnd <= idStart) return false;
    this.id = data.toString('latin1', idStart, idEnd);
    this.receivedAt = receivedAt;
    return true;
  }

  private parse(line: string): boolean {
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      return false;
    }
    const { receivedAt, envelope } = (record ?? {}) as { receivedAt?: unknown; envelope?: { id?: unknown } | null };
    const id = envelope?.id;
    const time = typeof receivedAt === 'string' ? Date.parse(receivedAt) : Number.NaN;
    if (typeof id !== 'string' || id === '' || Number.isNaN(time)) return false;
    this.id = id;
    this.receivedAt = time;
    return true;
  }
}

function startsWith(data: Buffer, at: number, prefix: Buffer): boolean {
  for (let i = 0; i < prefix.length; i++) if (data[at + i] !== prefix[i]) return false;
  return true;
}

/** Where the JSON string whose characters start at `at` ends (its closing quote), or -1 when it holds an escape or a non-ASCII byte. */
function plainString(data: Buffer, at: number, end: number): number {
  const limit = Math.min(end, at + MAX_FIELD);
  for (let i = at; i < limit; i++) {
    const c = data[i]!;
    if (c === QUOTE) return i;
    if (c === BACKSLASH || c >= 0x80) return -1;
  }
  return -1;
}

/** `YYYY-MM-DDTHH:MM:SS.mmmZ` at `at` as epoch ms, NaN for anything else. */
function isoMillis(data: Buffer, at: number): number {
  if (data[at + 4] !== DASH || data[at + 7] !== DASH || data[at + 10] !== UPPER_T || data[at + 13] !== COLON || data[at + 16] !== COLON || data[at + 19] !== DOT || data[at + 23] !== UPPER_Z) return Number.NaN;
  return Date.UTC(digits(data, at, 4), digits(data, at + 5, 2) - 1, digits(data, at + 8, 2), digits(data, at + 11, 2), digits(data, at + 14, 2), digits(data, at + 17, 2), digits(data, at + 20, 3));
}

function digits(data: Buffer, at: number, length: number): number {
  let value = 0;
  for (let i = at; i < at + length; i++) {
    const c = data[i]!;
    if (c < DIGIT_0 || c > DIGIT_9) return Number.NaN;
    value = value * 10 + c - DIGIT_0;
  }
  return value;
}
