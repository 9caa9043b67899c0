import { TracklaneError, TracklaneErrorCode, destinationEndpoint, interpretCollectorResponse, utf8Length } from '@tracklane/core';
import type { BatchLimits, Destination, Envelope, HttpClient, PlatformServices, SendOptions, StoredEvent, Transport, TransportResult } from '@tracklane/core';
import { TP2_PATH, payloadDataBody, toTrackerPayload } from './tracker-protocol.js';

/** Snowplow collectors refuse POST bodies above this many bytes by default. */
export const SNOWPLOW_MAX_POST_BYTES = 40_000;

export interface SnowplowDestinationOptions {
  /**
   * Base URL of the Snowplow collector, e.g. `https://sp.example.com`; batches go to
   * `<url>/com.snowplowanalytics.snowplow/tp2` (a query string in `url` is kept, e.g. `?key=`).
   */
  url: string;
  /** Send the event and the entities base64url-encoded (`ue_px`, `cx`) instead of as JSON (`ue_pr`, `co`). @default false */
  encodeBase64?: boolean;
  /** Destination name, unique among a tracker's destinations. @default 'snowplow' */
  name?: string;
  /** Extra request headers (e.g. `authorization` for a Tracklane collector's tp2 endpoint). */
  headers?: Record<string, string>;
  /**
   * Largest POST body sent, in bytes. A batch whose body would be larger is split by the delivery
   * queue (as after a 413); a single event larger than this is dropped as `too_large`.
   * @default 40_000
   */
  maxPostBytes?: number;
  /**
   * Batch limits over the stored envelopes. The tracker-protocol form of an event is up to about
   * twice its envelope (JSON escaped inside JSON, or base64, plus the per-event wrappers and consent
   * entity); the body size is checked again before sending.
   * @default { maxEvents: 50, maxBytes: 45% of maxPostBytes (rounded down) }
   */
  batch?: BatchLimits;
}

/**
 * A Snowplow collector as a Tracklane destination: each envelope becomes one `e=ue` payload of
 * `payload_data` 1-0-4, POSTed to the tracker protocol's tp2 endpoint. Core's delivery queue
 * stores, batches and retries it like any destination; consent and PII apply before it sees events.
 */
export function snowplowDestination(options: SnowplowDestinationOptions): Destination {
  const endpoint = destinationEndpoint('snowplowDestination', options.url, TP2_PATH, true);
  const maxPostBytes = options.maxPostBytes ?? SNOWPLOW_MAX_POST_BYTES;
  if (!Number.isInteger(maxPostBytes) || maxPostBytes < 1024) {
    throw new TracklaneError(TracklaneErrorCode.INVALID_CONFIG, 'Tracklane: snowplowDestination `maxPostBytes` must be an integer >= 1024');
  }
  const headers = { ...options.headers, 'content-type': 'application/json; charset=UTF-8' };
  return {
    name: options.name ?? 'snowplow',
    batch: { maxEvents: 50, maxBytes: Math.floor(maxPostBytes * 0.45), ...options.batch },
    createTransport: (platform: PlatformServices) =>
      new SnowplowTransport(endpoint, headers, options.encodeBase64 ?? false, maxPostBytes, platform.http),
  };
}


/** The tp2 POST body of a batch of stored events, `stm` set to `sentAtMs`. */
export function tp2Body(batch: readonly StoredEvent[], sentAtMs: number, encodeBase64: boolean): string {
  return payloadDataBody(
    batch.map((event) => JSON.stringify(toTrackerPayload(JSON.parse(event.json) as Envelope, { encodeBase64, sentAtMs }))),
  );
}

class SnowplowTransport implements Transport {
  constructor(
    private readonly endpoint: string,
    private readonly headers: Record<string, string>,
    private readonly encodeBase64: boolean,
    private readonly maxPostBytes: number,
    private readonly http: HttpClient,
  ) {}

  async send(batch: readonly StoredEvent[], options: SendOptions): Promise<TransportResult> {
    let body: string;
    try {
      body = tp2Body(batch, Date.now(), this.encodeBase64);
    } catch (error) {
      // A stored envelope that is not JSON cannot become valid by retrying.
      return { type: 'fatal', reason: `cannot serialize for Snowplow: ${error instanceof Error ? error.message : String(error)}` };
    }
    const bytes = utf8Length(body);
    if (bytes > this.maxPostBytes) {
      // 413 without a request: the queue sends halves, and drops a single event as too large.
      return { type: 'fatal', reason: `tp2 body of ${bytes} bytes exceeds ${this.maxPostBytes}`, status: 413 };
    }
    try {
      const response = await this.http.post({
        url: this.endpoint,
        headers: { ...this.headers },
        body,
        timeoutMs: options.timeoutMs,
        ...(options.unloading ? { unloading: true } : {}),
      });
      return interpretCollectorResponse(response, Date.now());
    } catch (error) {
      return { type: 'retryable', reason: `network error: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
}
