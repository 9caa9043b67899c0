import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccessControl } from './access-control.js';
import { BatchIngest, BatchShapeError } from './batch-ingest.js';
import { truncateIp } from './client-ip.js';
import { DEFAULT_LIMITS, type CollectorOptions } from './config.js';
import { DedupWindow } from './dedup-window.js';
import { EventValidator } from './event-validator.js';
import { createLog } from './logger.js';
import { createMetrics } from './metrics.js';
import { RateLimiter } from './rate-limiter.js';
import { BodyError, readBody } from './read-body.js';
import { SchemaRegistry } from './schema-registry.js';
import { TP2_PATH, envelopesFromTp2 } from './snowplow-tp2.js';
import type { Sink } from './sinks/sink.js';

export interface Collector {
  /** Starts listening; resolves with the URL (`http://host:port`). */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops accepting requests, waits for those in progress, closes the sink. */
  close(): Promise<void>;
  readonly server: Server;
  readonly registry: SchemaRegistry;
}

/** How long `close()` lets requests in progress finish before it ends their connections. */
const CLOSE_GRACE_MS = 5000;

/** Seconds a client should wait when the sink cannot take writes. */
const SINK_RETRY_AFTER_S = 5;

/**
 * The native collector: `POST /v1/batch`, `GET /healthz`, `GET /readyz`, `GET /metrics`; and the Snowplow
 * tracker protocol on `POST /com.snowplowanalytics.snowplow/tp2`, ingested like `/v1/batch`.
 */
export function createCollector(options: CollectorOptions & { sink: Sink }): Collector {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const registry = new SchemaRegistry();
  for (const source of options.schemas) registry.load(source);
  const log = createLog(options.log ?? ((line) => process.stdout.write(`${line}\n`)));
  const metrics = createMetrics();
  const access = new AccessControl(options.writeKeys);
  const rateLimiter = new RateLimiter(limits.rateLimit);
  const validator = new EventValidator(registry, { maxDepth: limits.maxDepth });
  const ingest = new BatchIngest(validator, new DedupWindow(options.dedup), options.sink, metrics, limits.maxEventsPerBatch);
  let closing = false;

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain; version=0.0.4' : 'application/json', ...headers });
    res.end(text);
  };

  const handleBatch = async (req: IncomingMessage, res: ServerResponse, url: URL, eventsOf: (body: unknown) => unknown[]): Promise<number> => {
    const decision = access.check(req, url);
    const cors: Record<string, string> = decision.allowOrigin ? { 'access-control-allow-origin': decision.allowOrigin, vary: 'Origin' } : {};
    const fail = (status: number, error: string, headers: Record<string, string> = {}): number => {
      send(res, status, { error }, { ...cors, ...headers });
      return status;
    };
    if (!decision.ok) return fail(decision.status, decision.message);
    const waitMs = rateLimiter.take(decision.keyId);
    if (waitMs > 0) return fail(429, 'rate limit exceeded', { 'retry-after': String(Math.ceil(waitMs / 1000)) });
    const contentType = (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
    if (contentType !== 'application/json' && contentType !== 'text/plain') return fail(415, 'send application/json (or text/plain from sendBeacon)');
    let events: unknown[];
    try {
      events = eventsOf(JSON.parse(await readBody(req, limits)));
    } catch (error) {
      if (error instanceof BodyError) return fail(error.status, error.message, error.status === 413 ? { connection: 'close' } : {});
      if (error instanceof RangeError) return fail(413, error.message);
      if (error instanceof BatchShapeError) return fail(400, error.message);
      return fail(400, 'body is not valid JSON');
    }
    const clientIp = truncateIp(clientAddress(req, options.trustProxy ?? false));
    try {
      const answer = await ingest.ingest(events, { key: decision.key, clientIp, receivedAt: new Date() });
      send(res, 200, answer, cors);
      return 200;
    } catch (error) {
      log('error', 'sink write failed', { sink: options.sink.name, error: (error as Error).message });
      return fail(503, 'the collector cannot store events right now; retry later', { 'retry-after': String(SINK_RETRY_AFTER_S) });
    }
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<[string, number]> => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://collector');
    } catch {
      // An absolute-form target the URL parser refuses (`POST http://[ HTTP/1.1`): the client's fault.
      return ['other', (send(res, 400, { error: 'bad request target' }), 400)];
    }
    switch (url.pathname) {
      case '/v1/batch':
      case TP2_PATH: {
        const name = url.pathname;
        if (req.method === 'OPTIONS') {
          const origin = req.headers.origin;
          if (!access.allowsPreflightFrom(origin)) return [name, (send(res, 403, { error: 'origin not allowed' }), 403)];
          res.writeHead(204, {
            'access-control-allow-origin': origin!,
            'access-control-allow-methods': 'POST',
            'access-control-allow-headers': 'authorization, content-type, content-encoding',
            'access-control-max-age': '600',
            vary: 'Origin',
          });
          res.end();
          return [name, 204];
        }
        if (req.method !== 'POST') return [name, (send(res, 405, { error: 'use POST' }, { allow: 'POST, OPTIONS' }), 405)];
        if (closing) return [name, (send(res, 503, { error: 'shutting down' }, { 'retry-after': '1' }), 503)];
        // tp2 payloads become envelopes first; both then meet the same batch limit, validation and dedup.
        const eventsOf = name === TP2_PATH ? (body: unknown) => ingest.events({ events: envelopesFromTp2(body) }) : (body: unknown) => ingest.events(body);
        return [name, await handleBatch(req, res, url, eventsOf)];
      }
      case '/healthz':
        return ['/healthz', (send(res, 200, { status: 'ok' }), 200)];
      case '/readyz': {
        const ready = !closing && options.sink.isReady();
        return ['/readyz', (send(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', schemas: registry.size }), ready ? 200 : 503)];
      }
      case '/metrics':
        return ['/metrics', (send(res, 200, await metrics.registry.metrics()), 200)];
      default:
        return ['other', (send(res, 404, { error: 'not found' }), 404)];
    }
  };

  const server = createServer((req, res) => {
    const started = process.hrtime.bigint();
    route(req, res)
      .then(([name, status]) => {
        metrics.requests.inc({ route: name, status: String(status) });
        metrics.requestDuration.observe({ route: name }, Number(process.hrtime.bigint() - started) / 1e9);
      })
      .catch((error: unknown) => {
        log('error', 'request failed', { error: (error as Error).message });
        if (!res.headersSent) send(res, 500, { error: 'internal error' });
        else res.destroy();
      });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 65_000;

  return {
    server,
    registry,
    listen: (port = 0, host = '127.0.0.1') =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const address = server.address() as AddressInfo;
          const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
          log('info', 'collector listening', { url, schemas: registry.size, sink: options.sink.name });
          resolve(url);
        });
      }),
    close: async () => {
      closing = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests in progress get a grace period; keep-alive clients that never hang up do not hold us.
        setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
      });
      await options.sink.close();
    },
  };
}

function clientAddress(req: IncomingMessage, trustProxy: boolean): string | undefined {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress;
}
