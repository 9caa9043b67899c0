import type { DedupWindowOptions } from './dedup-window.js';
import type { RateLimit } from './rate-limiter.js';

/** A write key: who may send, from where. */
export interface WriteKeyConfig {
  /** The secret clients present, as `Authorization: Bearer <key>` or the `key` query parameter. */
  key: string;
  /** When set, events whose `app.id` differs are rejected. */
  appId?: string;
  /**
   * `browser` keys may be used from the listed origins (CORS); `server` keys never from a browser.
   * @default 'server'
   */
  kind?: 'browser' | 'server';
  /** Origins allowed for a browser key, e.g. `https://shop.example.com`. */
  origins?: readonly string[];
}

export interface CollectorLimits {
  /** Largest request body as sent (compressed or not). @default 1_048_576 */
  maxBodyBytes?: number;
  /** Largest body after gzip is undone (guards against gzip bombs). @default 8_388_608 */
  maxInflatedBytes?: number;
  /**
   * Longest request target (path and query string) of a GET to `/i` or the tp2 path, whose query
   * string is the event: the pixel's counterpart of `maxBodyBytes`. Above 8 KiB, Node's own limit
   * on a request's head is raised to fit. @default 8192
   */
  maxUrlBytes?: number;
  /** Most events in one batch. @default 1000 */
  maxEventsPerBatch?: number;
  /** Deepest nesting of one event. @default 32 */
  maxDepth?: number;
  /**
   * Batch requests (`/v1/batch`, tp2, pixels) being read, checked or stored at once, in total; one
   * more is answered `503` with `Retry-After` before its body is read. Probes and `/metrics` are not counted.
   * @default 256
   */
  maxConcurrentRequests?: number;
  /**
   * Body bytes held by the requests in flight, in total: each request's bytes as received plus,
   * for a gzip body, its bytes once inflated, counted as they arrive and released when it is answered.
   * A request that would pass it is answered `503` with `Retry-After` (its connection closed), so
   * many concurrent gzip bodies cannot take memory beyond it: parsed and checked, a body takes up
   * to about 8 times its bytes (100 bodies of 8 MiB at once peaked 200 MiB above idle with 24 MiB
   * in flight). At least `maxBodyBytes + maxInflatedBytes`, or the largest bodies are never taken.
   * @default 33_554_432 (32 MiB)
   */
  maxInflightBytes?: number;
  /**
   * Errors listed per rejected event, in the answer and in the bad store: the first ones, then one
   * line that counts the rest (`… and 4,990 more errors`). Each error is cut at 512 characters. In
   * an event of more than 10,000 keys only the first error of each schema is looked for (finding
   * 400,000 costs more than the rest of the event), and the last line says so.
   * @default 10
   */
  maxErrorsPerEvent?: number;
  /**
   * Largest bad-store record. A bigger one keeps its reasons and, in place of the payload, the
   * payload's first bytes (`payloadHead`), its size in bytes (`payloadBytes`) and why it was cut
   * (`payloadOmitted`), as Snowplow's size-violation bad rows do.
   * @default 65_536
   */
  maxBadRecordBytes?: number;
  /**
   * Time a client has to send a request's headers (the request line and every header), from its
   * first byte (a new connection that sends nothing is cut alike); beyond it Node answers
   * `408` and closes the connection. Checked every quarter of the shorter of the two timeouts,
   * between 100 ms and 1 s (Node's own default, 30 s, would let a 10 s timeout run to 40 s).
   * @default 10_000
   */
  headersTimeoutMs?: number;
  /** Time a client has to send a whole request, body included, from its first byte; checked like `headersTimeoutMs`. @default 30_000 */
  requestTimeoutMs?: number;
  /** Request rate allowed per write key and per client address. @default {} (the defaults of {@link RateLimit}) */
  rateLimit?: RateLimit;
}

/** Where `/metrics` is served and who may read it: Prometheus scrapers, not the internet. */
export interface MetricsOptions {
  /**
   * When set, `/metrics` answers only requests with `Authorization: Bearer <token>` (401 otherwise).
   * @default undefined (no token asked)
   */
  token?: string;
  /**
   * Serve `/metrics` on a listener of its own, on this port (`0`: any free port), and no longer on
   * the main one (404 there): e.g. bound to an internal interface the load balancer does not expose.
   * @default undefined (served by the main listener)
   */
  port?: number;
  /** Interface of the metrics listener. @default '127.0.0.1' */
  host?: string;
}

export interface CollectorOptions {
  /** Schema sources: Iglu-layout directories or `registry.json` files. */
  schemas: readonly string[];
  /** Write keys accepted; requests with any other key are refused. */
  writeKeys: readonly WriteKeyConfig[];
  /** Request size, batch size, nesting and rate limits; unset fields keep their defaults. @default {} */
  limits?: CollectorLimits;
  /** Bounds of the window of event ids remembered to drop duplicates, and whether it starts with the ids the sink holds. @default {} */
  dedup?: DedupWindowOptions;
  /**
   * Take the client IP from `X-Forwarded-For`, behind load balancers you trust: `true` (or `1`) for
   * one, which appends the address it was connected from; a number for a chain of that many. The
   * client is the entry that many places from the right end (entries left of it are the client's
   * own claims). It is what is stored (truncated) and what the per-address rate limit counts by.
   * @default false
   */
  trustProxy?: boolean | number;
  /** Who may read `GET /metrics`, and where it is served. @default {} (on the main listener, no token) */
  metrics?: MetricsOptions;
  /**
   * Worker threads that decode, parse and validate `/v1/batch` bodies (and build their stored lines)
   * while the main thread serves HTTP, deduplicates and writes: on a machine with cores to spare, one
   * or more raise throughput. `0` does everything on the main thread.
   * @default 0
   */
  validationThreads?: number;
  /** Receives one structured log line (JSON) at a time. Never given write keys. @default stdout */
  log?: (line: string) => void;
}

export const DEFAULT_LIMITS = {
  maxBodyBytes: 1_048_576,
  maxInflatedBytes: 8_388_608,
  maxUrlBytes: 8192,
  maxEventsPerBatch: 1000,
  maxDepth: 32,
  maxConcurrentRequests: 256,
  maxInflightBytes: 33_554_432,
  maxErrorsPerEvent: 10,
  maxBadRecordBytes: 65_536,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
} as const;
