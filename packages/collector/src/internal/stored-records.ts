import type { Envelope } from '@tracklane/core';
import { DEFAULT_LIMITS } from './config.js';
import { cutText } from './cut-text.js';
import type { EventSpan } from './event-spans.js';

/** The text a batch body arrived as, and where each of its events sits in it (`locateEvents`). */
export interface BatchSource {
  text: string;
  spans: readonly EventSpan[];
}

/**
 * Builds the stored line of each good event of one batch: `{"receivedAt", "clientIp", "envelope"}`,
 * the same JSON as `JSON.stringify` of that object. The envelope is the text it arrived as when that
 * text is exactly what was validated (no repeated key, no line break); otherwise it is serialized.
 */
export class GoodRecordWriter {
  /** `{"receivedAt":…,"clientIp":…,"envelope":` */
  private readonly head: string;

  constructor(
    private readonly receivedAt: string,
    private readonly clientIp: string | undefined,
    private readonly source: BatchSource | undefined,
  ) {
    this.head = `${JSON.stringify({ receivedAt, clientIp }).slice(0, -1)},"envelope":`;
  }

  /** The text the event at `index` of the batch arrived as, when the body's text is at hand. */
  receivedText(index: number): string | undefined {
    const span = this.source?.spans[index];
    return span && this.source?.text.slice(span.start, span.end);
  }

  /** The line for the event at `index` of the batch, whose validation counted `members` object keys. */
  value(envelope: Envelope, index: number, members: number): string {
    const source = this.source;
    const span = source?.spans[index];
    if (source && span && span.members === members) return `${this.head}${source.text.slice(span.start, span.end)}}`;
    return JSON.stringify({ receivedAt: this.receivedAt, clientIp: this.clientIp, envelope });
  }
}

/**
 * A bad record keeps the original payload, unless it cannot be serialized (nested deeper than
 * JSON.stringify's stack allows): then the reasons alone, so one hostile event cannot fail a batch.
 * A record over `maxBytes` (UTF-8) keeps its reasons and, as Snowplow's size-violation bad rows do,
 * the first bytes of the payload's JSON (`payloadHead`), the size of all of it (`payloadBytes`)
 * and why it was cut (`payloadOmitted`): within `maxBytes` unless the reasons alone pass it.
 * `receivedText`, the payload's text as it arrived (when known), is cut instead when it is larger
 * than `maxBytes` anyway: an 8 MB payload is then not serialized again only to be cut.
 */
export function badRecordValue(
  receivedAt: string,
  clientIp: string | undefined,
  errors: string[],
  payload: unknown,
  maxBytes: number = DEFAULT_LIMITS.maxBadRecordBytes,
  receivedText?: string,
): string {
  if (receivedText !== undefined && receivedText.length > maxBytes) return cutRecord({ receivedAt, clientIp, errors }, receivedText, maxBytes);
  let text: string | undefined;
  try {
    // Once: a payload can be as large as an inflated body.
    text = JSON.stringify(payload);
  } catch {
    return JSON.stringify({ receivedAt, clientIp, errors, payload: null, payloadOmitted: 'too deeply nested to store' });
  }
  const frame = JSON.stringify({ receivedAt, clientIp, errors });
  if (text === undefined) return frame;
  // The same text as JSON.stringify({ receivedAt, clientIp, errors, payload }).
  const line = `${frame.slice(0, -1)},"payload":${text}}`;
  // A UTF-16 unit is at most 3 bytes of UTF-8: most lines need no count.
  if (line.length * 3 <= maxBytes || Buffer.byteLength(line) <= maxBytes) return line;
  return cutRecord({ receivedAt, clientIp, errors }, text, maxBytes);
}

/** A bad record whose payload is only the first bytes of its JSON `text` that fit in `maxBytes`. */
function cutRecord(frame: { receivedAt: string; clientIp: string | undefined; errors: string[] }, text: string, maxBytes: number): string {
  const cut = { ...frame, payload: null, payloadOmitted: `larger than ${maxBytes} bytes: cut`, payloadBytes: Buffer.byteLength(text), payloadHead: '' };
  // Each unit of the head takes at most 3 bytes once escaped again: JSON text has no raw control
  // characters (its line breaks, 2 bytes escaped, aside) and no lone surrogates.
  const room = Math.floor((maxBytes - Buffer.byteLength(JSON.stringify(cut))) / 3);
  return JSON.stringify({ ...cut, payloadHead: room > 0 ? cutText(text, room) : '' });
}
