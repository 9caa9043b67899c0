import type { StoredEvent } from './store.js';

/** What a transport reports for one batch. Retry is decided by the delivery queue, not here. */
export type TransportResult =
  | {
      type: 'ok';
      /** Events the receiver accepted the batch with but rejected as invalid (kept in its bad store). */
      rejected?: readonly { id: string; errors: readonly string[] }[];
    }
  | { type: 'retryable'; reason: string; retryAfterMs?: number }
  | {
      type: 'fatal';
      reason: string;
      /** HTTP status when there was one; `413` lets the queue split a batch and try the halves. */
      status?: number;
    };

export interface SendOptions {
  /** Abandon the attempt after this long; the attempt then counts as a retryable failure. */
  timeoutMs: number;
  /** True when the page or process is going away (browser: `keepalive` / `sendBeacon`). */
  unloading?: boolean;
}

/**
 * Sends one batch of events somewhere. Each event carries its serialized envelope (`json`); a
 * transport that needs fields parses it (`envelopesOf`). It never throws: every failure is a result.
 */
export interface Transport {
  send(batch: readonly StoredEvent[], options: SendOptions): Promise<TransportResult>;
}

/** A platform's HTTP client, given to destinations by the browser or Node tracker. */
export interface HttpRequest {
  url: string;
  headers: Record<string, string>;
  body: string | Uint8Array;
  timeoutMs: number;
  /** Browser: send with `fetch(..., {keepalive: true})` or `sendBeacon` because the page is unloading. */
  unloading?: boolean;
}

export interface HttpResponse {
  status: number;
  /** Reads a response header (case-insensitive). */
  header(name: string): string | undefined;
  /** The response body as text (empty when there is none). */
  text: string;
}

/**
 * POSTs bodies. Rejects (with any error) on a network failure or timeout; resolves with the response
 * for every HTTP status.
 */
export interface HttpClient {
  post(request: HttpRequest): Promise<HttpResponse>;
  /** Compresses a body with gzip, when the platform can. */
  gzip?(body: string): Promise<Uint8Array>;
}

/** Limits of one batch sent by a destination. */
export interface BatchLimits {
  /** Most events in one batch. @default 500 */
  maxEvents?: number;
  /** Serialized size in bytes (UTF-8) of the events of one batch. @default 512_000 */
  maxBytes?: number;
}

/**
 * A destination: a named transport with its own batch limits. Each destination keeps its own queue
 * position and retry state, so a failing destination never holds up another.
 */
export interface Destination {
  /** Unique among a tracker's destinations; names the destination's queue in durable stores. */
  readonly name: string;
  readonly batch?: BatchLimits;
  /** Called once by the tracker with the platform's services. */
  createTransport(platform: PlatformServices): Transport;
}

/** What a platform package (browser, node) gives core and destinations. */
export interface PlatformServices {
  http: HttpClient;
  /** Warns once per distinct problem; never receives secrets. */
  warn(message: string): void;
  /** Fills a buffer with cryptographically strong random bytes; without it, `uuid` draws its own. */
  fillRandom?(bytes: Uint8Array): void;
}
