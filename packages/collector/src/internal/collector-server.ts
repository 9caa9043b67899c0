import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { AccessControl, type KeyPlacement } from './access-control.js';
import { AuthFailureLog } from './auth-failure-log.js';
import { BatchChecker, bodyRejection, type BodyRejection, type CheckContext, type CheckedEvent } from './batch-check.js';
import { BatchIngest } from './batch-ingest.js';
import { clientAddress, rateLimitAddress, truncateIp } from './client-ip.js';
import { DEFAULT_LIMITS, type CollectorOptions } from './config.js';
import { DedupWindow } from './dedup-window.js';
import { warmDedupWindow } from './dedup-warm-up.js';
import { CollectorError, CollectorErrorCode, httpStatus, internalError, isCollectorError } from './errors.js';
import { EventValidator } from './event-validator.js';
import { InflightBudget } from './inflight-budget.js';
import { createLog } from './logger.js';
import { createMetrics } from './metrics.js';
import { createMetricsServer, listenOn, metricsAnswer } from './metrics-endpoint.js';
import { DEFAULT_RATE_LIMIT, RateLimiter } from './rate-limiter.js';
import { decodeBody, readBodyBytes } from './read-body.js';
import { bootstrapRegistry } from './registry-bootstrap.js';
import type { SchemaRegistry } from './schema-registry.js';
import { LEGACY_PIXEL_PATH, PIXEL_PATH, TP2_PATH, envelopeFromPayload, payloadFromQuery } from './snowplow-tp2.js';
import { checkBodyText, type BodyProtocol } from './tp2-body.js';
import type { Sink } from './sinks/sink.js';
import { ValidationPool } from './validation-pool.js';

export interface Collector {
  /**
   * Starts listening, once the dedup window holds the ids the sink already has (see
   * DedupWindowOptions.warmFromStore) and the sink is open (Sink.open: rejects when it never will
   * be); resolves with the URL (`http://host:port`).
   */
  listen(port?: number, host?: string): Promise<string>;
  /** The URL of the `/metrics` listener (CollectorOptions.metrics.port) once listening; else undefined. */
  metricsUrl(): string | undefined;
  /** Stops accepting requests, waits for those in progress, closes the sink. */
  close(): Promise<void>;
  readonly server: Server;
  readonly registry: SchemaRegistry;
}

type BodyCheck = (body: Uint8Array, context: CheckContext) => CheckedEvent[] | Promise<CheckedEvent[]>;

/** How long `close()` lets requests in progress finish before it ends their connections. */
const CLOSE_GRACE_MS = 5000;

/** Seconds a client should wait when the sink cannot take writes. */
const SINK_RETRY_AFTER_S = 5;

/** Seconds a client should wait when the collector holds all the requests or bytes it may (InflightBudget): requests end within that. */
const OVERLOADED_RETRY_AFTER_S = 1;

/**
 * Largest body the main thread checks itself when every validation worker is busy: a batch of 500
 * browser events inflates to ~0.6 MB, tens of milliseconds of the event loop; a hostile 8 MB body
 * holds a worker for a second or more, which a normal client's batch then need not wait for.
 */
const MAIN_THREAD_MAX_BODY_BYTES = 1_048_576;

/** How often, at most, Node checks `headersTimeout` and `requestTimeout` (its default, 30 s, would let a 10 s timeout run to 40 s). */
const MAX_TIMEOUT_CHECK_MS = 1000;

/** What a Snowplow collector answers a pixel request with: a transparent 1×1 GIF, never cached. */
const PIXEL_GIF = Buffer.from('R0lGODlhAQABAPAAAP///wAAACH5BAUAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');
const PIXEL_HEADERS = { 'content-type': 'image/gif', 'cache-control': 'no-cache, no-store, must-revalidate' };

/** What a client is told of an error the collector did not expect: the log says what it was. */
const INTERNAL_ERROR_ANSWER = 'internal error';

/** Node's default limit on a request's head (request line and headers), which `maxUrlBytes` must fit in. */
const NODE_MAX_HEADER_SIZE = 16_384;

/**
 * The native collector: `POST /v1/batch`, `GET /healthz`, `GET /readyz`, `GET /metrics`; and the Snowplow
 * tracker protocol on `POST /com.snowplowanalytics.snowplow/tp2`, ingested like `/v1/batch`, and on
 * `GET /i` (and the tp2 path), one payload in the query string, answered with a pixel.
 */
export function createCollector(options: CollectorOptions & { sink: Sink }): Collector {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const registry = bootstrapRegistry(options.schemas);
  const log = createLog(options.log ?? ((line) => process.stdout.write(`${line}\n`)));
  const metrics = createMetrics();
  const access = new AccessControl(options.writeKeys);
  const keyLimiter = new RateLimiter(limits.rateLimit);
  const addressLimiter = new RateLimiter(limits.rateLimit?.perAddress ?? DEFAULT_RATE_LIMIT.perAddress, DEFAULT_RATE_LIMIT.maxAddresses);
  const authFailures = new AuthFailureLog(log, metrics);
  const trustedProxies = options.trustProxy === true ? 1 : typeof options.trustProxy === 'number' ? options.trustProxy : 0;
  const validator = new EventValidator(registry, { maxDepth: limits.maxDepth, maxErrors: limits.maxErrorsPerEvent });
  const dedup = new DedupWindow(options.dedup);
  const inflight = new InflightBudget(limits.maxConcurrentRequests, limits.maxInflightBytes);
  // Ids the store already holds are duplicates from the first request on: listen() waits for them.
  let dedupReady = options.dedup?.warmFromStore === false;
  const warmed = dedupReady ? Promise.resolve() : warmDedupWindow(dedup, options.sink, log).then(() => void (dedupReady = true));
  const ingest = new BatchIngest(validator, dedup, options.sink, metrics, limits.maxEventsPerBatch, warmed);
  const checker = new BatchChecker(validator, limits.maxEventsPerBatch, limits.maxBadRecordBytes);
  const threads = options.validationThreads ?? 0;
  const pool =
    threads > 0
      ? new ValidationPool(threads, { schemas: options.schemas, maxDepth: limits.maxDepth, maxEventsPerBatch: limits.maxEventsPerBatch, maxErrorsPerEvent: limits.maxErrorsPerEvent, maxBadRecordBytes: limits.maxBadRecordBytes }, (error) =>
          log('error', 'validation worker stopped; starting another', { error: error.message }),
        )
      : undefined;
  // Schemas added to the running collector's registry are checked in the workers too.
  if (pool) registry.onAdded((schema, origin) => pool.addSchema(schema, origin));
  let closing = false;
  const answerMetrics = metricsAnswer(metrics.registry, options.metrics?.token);
  const metricsServer =
    options.metrics?.port !== undefined ? createMetricsServer(answerMetrics, (error) => log('error', 'metrics request failed', { error: error.message })) : undefined;
  let metricsUrl: string | undefined;

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain; version=0.0.4' : 'application/json', ...headers });
    res.end(text);
  };

  /**
   * `checkBody`: the events of the body, checked; throws what `bodyRejection` answers (400/413/415, or 500 for a bug).
   * A `pixel` request has its event in the query string (checkBody ignores the body), within
   * `maxUrlBytes`, and is answered with the GIF once the event is stored.
   */
  const handleBatch = async (req: IncomingMessage, res: ServerResponse, url: URL, route: string, placement: KeyPlacement, checkBody: BodyCheck, pixel = false): Promise<number> => {
    const decision = access.check(req, url, placement);
    const cors: Record<string, string> = decision.allowOrigin ? { 'access-control-allow-origin': decision.allowOrigin, vary: 'Origin' } : {};
    const fail = (status: number, error: string, headers: Record<string, string> = {}): number => {
      send(res, status, { error }, { ...cors, ...headers });
      return status;
    };
    // A bug is logged (its class and where, nothing of the body) and answered 500, which trackers retry.
    const refuse = (rejection: BodyRejection, headers: Record<string, string> = {}): number => {
      if (rejection.status !== 500) return fail(rejection.status, rejection.message, headers);
      log('error', 'request failed', { route, error: rejection.message });
      return fail(500, INTERNAL_ERROR_ANSWER, headers);
    };
    const address = clientAddress(req, trustedProxies);
    const clientIp = truncateIp(address);
    const limited = (scope: 'key' | 'address', waitMs: number): number => {
      metrics.rateLimited.inc({ scope });
      return fail(429, 'rate limit exceeded', { 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))) });
    };
    // Wrong keys and browser keys spend the address's budget first: see RateLimit.perAddress.
    if (!decision.ok || decision.key.kind === 'browser') {
      const waitMs = addressLimiter.take(rateLimitAddress(address));
      if (waitMs > 0) return limited('address', waitMs);
    }
    if (!decision.ok) {
      authFailures.record(decision, route, clientIp);
      return fail(decision.status, decision.message);
    }
    const waitMs = keyLimiter.take(decision.keyId);
    if (waitMs > 0) return limited('key', waitMs);
    // Bounded in total, not only per request: see CollectorLimits.maxConcurrentRequests and maxInflightBytes.
    const ticket = inflight.admit();
    if (!ticket) return overloaded(fail);
    try {
      let body: Uint8Array;
      if (pixel) {
        if (Buffer.byteLength(req.url ?? '') > limits.maxUrlBytes) return fail(414, `URL longer than ${limits.maxUrlBytes} bytes`);
        body = new Uint8Array(0);
      } else {
        const contentType = (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
        if (contentType !== 'application/json' && contentType !== 'text/plain') return fail(415, 'send application/json (or text/plain from sendBeacon)');
        try {
          body = await readBodyBytes(req, { ...limits, charge: ticket.charge });
        } catch (error) {
          if (isOverloaded(error)) return overloaded(fail);
          const rejection = bodyRejection(error);
          // A body refused for its size (or a read that failed) was not read to its end: the connection cannot carry another request.
          return refuse(rejection, rejection.status === 413 || rejection.status === 500 ? { connection: 'close' } : {});
        }
      }
      const receivedAt = Date.now();
      let checked: CheckedEvent[];
      try {
        checked = await checkBody(body, { appId: decision.key.appId, clientIp, receivedAt });
      } catch (error) {
        if (isCollectorError(error, CollectorErrorCode.VALIDATION_UNAVAILABLE)) {
          return fail(httpStatus(error.code), 'the collector cannot check events right now; retry later', { 'retry-after': '1' });
        }
        return refuse(bodyRejection(error));
      }
      try {
        const landed = await ingest.land(checked, receivedAt);
        if (pixel) res.writeHead(200, { ...PIXEL_HEADERS, ...cors }).end(PIXEL_GIF);
        else send(res, 200, landed, cors);
        return 200;
      } catch (error) {
        log('error', 'sink write failed', { sink: options.sink.name, error: (error as Error).message });
        return fail(503, 'the collector cannot store events right now; retry later', { 'retry-after': String(SINK_RETRY_AFTER_S) });
      }
    } finally {
      // Once the request's work is done, not when its client hangs up: that work goes on until then.
      ticket.release();
    }
  };

  // Parsing and checking a body (up to maxInflatedBytes) is the CPU-heavy part: in a worker when there
  // are any. A small body no worker is free for is checked here at once rather than behind a large one.
  const checkBodyOf =
    (protocol: BodyProtocol): BodyCheck =>
    (body, context) =>
      pool && (pool.hasFreeWorker || body.byteLength > MAIN_THREAD_MAX_BODY_BYTES)
        ? pool.check(body, context, protocol)
        : checkBodyText(checker, protocol, decodeBody(body), context, limits.maxEventsPerBatch);
  const checkBatchBody = checkBodyOf('batch');
  const checkTp2Body = checkBodyOf('tp2');
  // A pixel's event is its query string; an empty one is no payload (400).
  const checkPixel =
    (url: URL): BodyCheck =>
    (_, context) => {
      const payload = payloadFromQuery(url.searchParams);
      if (!payload) throw new CollectorError(CollectorErrorCode.BATCH_SHAPE, 'no tracker protocol payload in the query string');
      return checker.check([envelopeFromPayload(payload, context.receivedAt)], context);
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
      case TP2_PATH:
      case PIXEL_PATH:
      case LEGACY_PIXEL_PATH: {
        const name = url.pathname;
        // Like a Snowplow collector, a GET of the tp2 path is a pixel too.
        const methods = name === '/v1/batch' ? 'POST' : name === TP2_PATH ? 'GET, POST' : 'GET';
        if (req.method === 'OPTIONS') {
          const origin = req.headers.origin;
          if (!access.allowsPreflightFrom(origin)) return [name, (send(res, 403, { error: 'origin not allowed' }), 403)];
          res.writeHead(204, {
            'access-control-allow-origin': origin!,
            'access-control-allow-methods': methods,
            'access-control-allow-headers': 'authorization, content-type, content-encoding',
            'access-control-max-age': '600',
            vary: 'Origin',
          });
          res.end();
          return [name, 204];
        }
        if (!methods.split(', ').includes(req.method ?? '')) return [name, (send(res, 405, { error: `use ${methods}` }, { allow: `${methods}, OPTIONS` }), 405)];
        if (closing) return [name, (send(res, 503, { error: 'shutting down' }, { 'retry-after': '1' }), 503)];
        if (req.method === 'GET') return [name, await handleBatch(req, res, url, name, 'header-or-query', checkPixel(url), true)];
        // ?key= only where headers cannot be set: a beacon or keepalive fetch on unload (a text/plain
        // body, no preflight) and Snowplow's trackers, whose tp2 URL carries the key.
        const placement = name === TP2_PATH || isPlainText(req) ? 'header-or-query' : 'header';
        return [name, await handleBatch(req, res, url, name, placement, name === TP2_PATH ? checkTp2Body : checkBatchBody)];
      }
      case '/healthz':
        return ['/healthz', (send(res, 200, { status: 'ok' }), 200)];
      case '/readyz': {
        const ready = !closing && dedupReady && options.sink.isReady();
        return ['/readyz', (send(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', schemas: registry.size }), ready ? 200 : 503)];
      }
      case '/metrics':
        // Served by its own listener when it has one: not to whoever reaches the main port.
        if (metricsServer) return ['other', (send(res, 404, { error: 'not found' }), 404)];
        return ['/metrics', await answerMetrics(req, res)];
      default:
        return ['other', (send(res, 404, { error: 'not found' }), 404)];
    }
  };

  // A pixel's URL may be longer than Node's default head allows only when maxUrlBytes says so.
  const serverOptions = {
    maxHeaderSize: Math.max(NODE_MAX_HEADER_SIZE, limits.maxUrlBytes + 8192),
    // Node cuts slow headers and bodies only when it checks: often enough that they hold to what is configured.
    // A quarter of the shorter timeout, 100 ms to 1 s (0 turns a timeout off in Node: it sets no interval).
    connectionsCheckingInterval: Math.min(MAX_TIMEOUT_CHECK_MS, Math.max(100, Math.floor(Math.min(limits.headersTimeoutMs || Infinity, limits.requestTimeoutMs || Infinity) / 4))),
  };
  const server = createServer(serverOptions, (req, res) => {
    const started = process.hrtime.bigint();
    route(req, res)
      .then(([name, status]) => {
        metrics.requests.inc({ route: name, status: String(status) });
        metrics.requestDuration.observe({ route: name }, Number(process.hrtime.bigint() - started) / 1e9);
      })
      .catch((error: unknown) => {
        log('error', 'request failed', { error: internalError(error).message });
        if (!res.headersSent) send(res, 500, { error: INTERNAL_ERROR_ANSWER });
        else res.destroy();
      });
  });
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = 65_000;

  return {
    server,
    registry,
    listen: async (port = 0, host = '127.0.0.1') => {
      // A sink that can never take writes (another process holds the file sink's instance id) fails listen.
      await Promise.all([warmed, options.sink.open?.()]);
      if (metricsServer) {
        metricsUrl = await listenOn(metricsServer, options.metrics?.port ?? 0, options.metrics?.host ?? '127.0.0.1');
        log('info', 'metrics listening', { url: metricsUrl });
      }
      const url = await listenOn(server, port, host);
      log('info', 'collector listening', { url, schemas: registry.size, sink: options.sink.name });
      return url;
    },
    metricsUrl: () => metricsUrl,
    close: async () => {
      closing = true;
      if (metricsServer?.listening) {
        metricsServer.close();
        metricsServer.closeAllConnections();
      }
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests in progress get a grace period; keep-alive clients that never hang up do not hold us.
        setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
      });
      await pool?.close();
      await options.sink.close();
    },
  };
}

/** A body sent as `text/plain`: what a beacon sends. */
function isPlainText(req: IncomingMessage): boolean {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() === 'text/plain';
}

/** The answer while the collector holds all it may (InflightBudget); the body is left unread, so the connection closes. */
function overloaded(fail: (status: number, error: string, headers: Record<string, string>) => number): number {
  return fail(503, 'the collector is at its limit of requests in flight; retry later', { 'retry-after': String(OVERLOADED_RETRY_AFTER_S), connection: 'close' });
}

function isOverloaded(error: unknown): boolean {
  return isCollectorError(error, CollectorErrorCode.OVERLOADED);
}
