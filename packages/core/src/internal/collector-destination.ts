import { destinationEndpoint } from './destination-url.js';
import { TracklaneError, TracklaneErrorCode } from './errors.js';
import { isRetryableStatus, parseRetryAfter } from './retry-policy.js';
import { withSentAt } from './wire-format.js';
import type { StoredEvent } from './store.js';
import type { BatchLimits, Destination, HttpClient, HttpResponse, PlatformServices, SendOptions, Transport, TransportResult } from './transport.js';

export interface CollectorDestinationOptions {
  /** Base URL of the Tracklane collector, e.g. `https://collect.example.com`; batches go to `<url>/v1/batch`. */
  url: string;
  /** Write key sent as `Authorization: Bearer <key>`. */
  writeKey: string;
  /** Destination name, unique among a tracker's destinations. @default 'collector' */
  name?: string;
  /**
   * Bodies larger than this are gzipped, where the platform can.
   * @default 4096
   */
  gzipThresholdBytes?: number;
  /** Limits of one batch; unset fields keep their defaults. @default { maxEvents: 500, maxBytes: 512_000 } */
  batch?: BatchLimits;
}

/** The Tracklane native collector: `POST /v1/batch` with `{sentAt, events}`. */
export function collectorDestination(options: CollectorDestinationOptions): Destination {
  const endpoint = destinationEndpoint('collectorDestination', options.url, '/v1/batch');
  if (typeof options.writeKey !== 'string' || options.writeKey === '') {
    throw new TracklaneError(TracklaneErrorCode.INVALID_CONFIG, 'Tracklane: collectorDestination needs a non-empty `writeKey`');
  }
  return {
    name: options.name ?? 'collector',
    batch: { maxEvents: 500, maxBytes: 512_000, ...options.batch },
    createTransport: (platform: PlatformServices) =>
      new CollectorTransport(endpoint, options.writeKey, options.gzipThresholdBytes ?? 4096, platform.http),
  };
}


class CollectorTransport implements Transport {
  readonly #endpoint: string;
  readonly #writeKey: string;
  readonly #gzipThresholdBytes: number;
  readonly #http: HttpClient;

  constructor(endpoint: string, writeKey: string, gzipThresholdBytes: number, http: HttpClient) {
    this.#endpoint = endpoint;
    this.#writeKey = writeKey;
    this.#gzipThresholdBytes = gzipThresholdBytes;
    this.#http = http;
  }

  async send(batch: readonly StoredEvent[], options: SendOptions): Promise<TransportResult> {
    const sentAt = new Date().toISOString();
    const text = `{"sentAt":"${sentAt}","events":[${batch.map((event) => withSentAt(event.json, sentAt)).join(',')}]}`;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      authorization: `Bearer ${this.#writeKey}`,
    };
    let body: string | Uint8Array = text;
    let response: HttpResponse;
    try {
      if (this.#http.gzip && text.length > this.#gzipThresholdBytes && !options.unloading) {
        body = await this.#http.gzip(text);
        headers['content-encoding'] = 'gzip';
      }
      response = await this.#http.post({
        url: this.#endpoint,
        headers,
        body,
        timeoutMs: options.timeoutMs,
        ...(options.unloading ? { unloading: true } : {}),
      });
    } catch (error) {
      return { type: 'retryable', reason: `network error: ${error instanceof Error ? error.message : String(error)}` };
    }
    return interpretCollectorResponse(response, Date.now());
  }
}

/** Maps a collector response to a transport result, per the collector protocol in docs/design.md. */
export function interpretCollectorResponse(response: HttpResponse, nowMs: number): TransportResult {
  const { status } = response;
  if (status >= 200 && status < 300) {
    const rejected = readRejected(response.text);
    return rejected.length > 0 ? { type: 'ok', rejected } : { type: 'ok' };
  }
  if (isRetryableStatus(status)) {
    const retryAfterMs = parseRetryAfter(response.header('retry-after'), nowMs);
    return { type: 'retryable', reason: `HTTP ${status}`, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  return { type: 'fatal', reason: `HTTP ${status}`, status };
}

function readRejected(text: string): { id: string; errors: string[] }[] {
  if (!text.includes('"rejected"')) return [];
  try {
    const parsed = JSON.parse(text) as { rejected?: unknown };
    if (!Array.isArray(parsed.rejected)) return [];
    return parsed.rejected
      .filter((r): r is { id: string; errors?: unknown } => typeof r === 'object' && r !== null && typeof (r as { id?: unknown }).id === 'string')
      .map((r) => ({ id: r.id, errors: Array.isArray(r.errors) ? r.errors.map(String) : [] }));
  } catch {
    return [];
  }
}
