import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** How a request can fail. `reset` destroys the socket; `timeout` never answers. */
export const FAILURES = ['500', '503', '429', 'reset', 'timeout'] as const;
export type Failure = (typeof FAILURES)[number];

export interface FlakyServerOptions {
  /** Seed of the PRNG that picks failures, so a run can be replayed. @default 1 */
  seed?: number;
  /** Share of requests that fail. @default 0.3 */
  failureRate?: number;
  /**
   * Most failures the server causes to any one event: a batch holding an event that already failed
   * this often succeeds. Keeps every event below the tracker's attempt cap whatever order requests
   * arrive in, so "zero loss" does not depend on luck. @default 3
   */
  maxFailuresPerEvent?: number;
}

export interface FlakyServerStats {
  requests: number;
  ok: number;
  failures: Record<Failure, number>;
  /** TCP connections accepted (keep-alive reuse shows as few connections). */
  connections: number;
  /** Events accepted more than once (the sum of extra acceptances). */
  duplicates: number;
}

export interface FlakyServer extends AsyncDisposable {
  /** Base URL for `collectorDestination({ url })`. */
  url: string;
  /** Times each event id was accepted with a 200. */
  readonly received: ReadonlyMap<string, number>;
  readonly stats: FlakyServerStats;
  /** `'hang'`: from now on every request is held unanswered (an outage); `'flaky'`: back to normal. */
  setMode(mode: 'flaky' | 'hang'): void;
  close(): Promise<void>;
}

/**
 * A native-collector stand-in on 127.0.0.1 (random port): `POST /v1/batch` (gzip or not), which fails
 * about `failureRate` of requests with 500, 503 + `Retry-After: 1`, 429 + `Retry-After` as an HTTP
 * date, a reset connection or no answer at all. Only events of answered-200 requests count as received.
 */
export async function startFlakyServer(options: FlakyServerOptions = {}): Promise<FlakyServer> {
  const random = mulberry32(options.seed ?? 1);
  const failureRate = options.failureRate ?? 0.3;
  const maxFailures = options.maxFailuresPerEvent ?? 3;
  const received = new Map<string, number>();
  const failuresOf = new Map<string, number>();
  const stats: FlakyServerStats = { requests: 0, ok: 0, failures: { 500: 0, 503: 0, 429: 0, reset: 0, timeout: 0 }, connections: 0, duplicates: 0 };
  let mode: 'flaky' | 'hang' = 'flaky';

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url?.split('?')[0] !== '/v1/batch') return void res.writeHead(404).end();
      stats.requests++;
      let ids: string[];
      try {
        const raw = Buffer.concat(chunks);
        const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        ids = (JSON.parse(body.toString('utf8')) as { events: { id: string }[] }).events.map((event) => event.id);
      } catch {
        return void res.writeHead(400).end('{"error":"unreadable body"}');
      }
      if (mode === 'hang') return; // the client times out; its socket closes
      const failure = pickFailure(ids);
      if (failure === undefined) return accept(ids, res);
      stats.failures[failure]++;
      for (const id of ids) failuresOf.set(id, (failuresOf.get(id) ?? 0) + 1);
      switch (failure) {
        case '500':
          return void res.writeHead(500).end();
        case '503':
          return void res.writeHead(503, { 'retry-after': '1' }).end();
        case '429':
          return void res.writeHead(429, { 'retry-after': new Date(Date.now() + 1000).toUTCString() }).end();
        case 'reset':
          return void req.socket.destroy();
        case 'timeout':
          return;
      }
    });
  });
  server.on('connection', () => stats.connections++);

  const pickFailure = (ids: readonly string[]): Failure | undefined => {
    if (random() >= failureRate) return undefined;
    const failure = FAILURES[Math.floor(random() * FAILURES.length)]!;
    return ids.some((id) => (failuresOf.get(id) ?? 0) >= maxFailures) ? undefined : failure;
  };
  const accept = (ids: readonly string[], res: http.ServerResponse): void => {
    let duplicates = 0;
    for (const id of ids) {
      const seen = received.get(id) ?? 0;
      if (seen > 0) duplicates++;
      received.set(id, seen + 1);
    }
    stats.ok++;
    stats.duplicates += duplicates;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: ids.length - duplicates, duplicates, rejected: [] }));
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= new Promise((resolve) => {
      server.closeAllConnections(); // also the requests held unanswered
      server.close(() => resolve());
    }));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    stats,
    setMode: (next) => {
      mode = next;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** A small seeded PRNG (mulberry32): the same seed gives the same sequence. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
