import type { Envelope } from '@tracklane/core';
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
 */
export function badRecordValue(receivedAt: string, clientIp: string | undefined, errors: string[], payload: unknown): string {
  try {
    return JSON.stringify({ receivedAt, clientIp, errors, payload });
  } catch {
    return JSON.stringify({ receivedAt, clientIp, errors, payload: null, payloadOmitted: 'too deeply nested to store' });
  }
}
