import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { createCollector, createFileSink } from '@tracklane/collector';
import type { Collector, CollectorLimits, DedupWindowOptions, MetricsOptions, Sink, WriteKeyConfig } from '@tracklane/collector';
import type { Envelope } from '@tracklane/core';
import { writeTrackingPlan } from './tracking-plan.js';

/** A server key (no Origin allowed). */
export const SERVER_KEY = 'sk_test_server_5f1e0c2b9d';
/** A browser key for BROWSER_ORIGIN only. */
export const BROWSER_KEY = 'pk_test_browser_9a2c71e4';
export const BROWSER_ORIGIN = 'https://shop.example.test';
/** A browser key with no origin and no app: what pixels (an `<img>` sends no Origin) and hand-made beacons use in `?key=`. */
export const PIXEL_KEY = 'pk_test_pixel_77ab01';
export const DEFAULT_WRITE_KEYS: readonly WriteKeyConfig[] = [
  { key: SERVER_KEY },
  { key: BROWSER_KEY, kind: 'browser', origins: [BROWSER_ORIGIN], appId: 'shop' },
  { key: PIXEL_KEY, kind: 'browser' },
];

export interface TestCollectorOptions {
  /** Schema sources (Iglu dirs or registry.json). @default the test tracking plan, in a temp dir */
  schemas?: readonly string[];
  /** @default DEFAULT_WRITE_KEYS */
  writeKeys?: readonly WriteKeyConfig[];
  limits?: CollectorLimits;
  dedup?: DedupWindowOptions;
  trustProxy?: boolean;
  /** `/metrics` token and listener. */
  metrics?: MetricsOptions;
  /** File sink durability. @default 'fsync' */
  durability?: 'fsync' | 'write';
  /** An existing raw store to write into (kept on close); by default a fresh temp dir (removed on close). */
  dataDir?: string;
  /** Replaces the file sink (the data dir is still created). */
  sink?: (dataDir: string) => Sink;
}

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any;
}

export interface PostOptions {
  /** Sent as `Authorization: Bearer <key>`; `null` sends no key. @default SERVER_KEY */
  key?: string | null;
  /** Query parameters, e.g. `{ key }` as sendBeacon does. */
  query?: Record<string, string>;
  /** `null` sends no Content-Type. @default 'application/json' */
  contentType?: string | null;
  /** Gzip the body and say so. */
  gzip?: boolean;
  headers?: Record<string, string>;
}

/** One line of the raw store, parsed, with the file it is in. */
export interface StoredRecord {
  file: string;
  receivedAt: string;
  clientIp?: string;
  /** Good records. */
  envelope?: Envelope;
  /** Bad records: the original payload and the reasons. */
  payload?: unknown;
  errors?: string[];
}

export interface TestCollector extends AsyncDisposable {
  url: string;
  dataDir: string;
  schemaDir: string;
  collector: Collector;
  /** Every structured log line the collector wrote, as written. */
  logs: string[];
  /** POSTs a batch (an object is sent as JSON; a string or Buffer as is) to `/v1/batch`. */
  post(body: unknown, options?: PostOptions): Promise<HttpAnswer>;
  /** Any request, e.g. `request('OPTIONS', '/v1/batch', { origin })`. */
  request(method: string, pathAndQuery: string, headers?: Record<string, string>, body?: Buffer | string): Promise<HttpAnswer>;
  /** Records of the raw store. */
  records(kind: 'good' | 'bad'): StoredRecord[];
  /** The `/metrics` text. */
  metrics(): Promise<string>;
  /** Closes the collector (and removes temp dirs it created). Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts the real collector on 127.0.0.1 (random port) with the test tracking plan in a temp schema
 * dir and a file sink in a temp data dir. Use with `await using`.
 */
export async function startCollector(options: TestCollectorOptions = {}): Promise<TestCollector> {
  const temp = mkdtempSync(path.join(os.tmpdir(), 'tracklane-collector-'));
  const schemaDir = path.join(temp, 'schemas');
  writeTrackingPlan(schemaDir);
  const dataDir = options.dataDir ?? path.join(temp, 'data');
  const logs: string[] = [];
  const sink = options.sink ? options.sink(dataDir) : createFileSink({ dir: dataDir, durability: options.durability ?? 'fsync' });
  const collector = createCollector({
    schemas: options.schemas ?? [schemaDir],
    writeKeys: options.writeKeys ?? DEFAULT_WRITE_KEYS,
    sink,
    log: (line) => logs.push(line),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.dedup ? { dedup: options.dedup } : {}),
    ...(options.trustProxy !== undefined ? { trustProxy: options.trustProxy } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  const url = await collector.listen(0, '127.0.0.1');
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= collector.close().finally(() => rmSync(temp, { recursive: true, force: true })));

  const request = (method: string, pathAndQuery: string, headers: Record<string, string> = {}, body?: Buffer | string) =>
    httpRequest(new URL(pathAndQuery, url), method, headers, body);

  return {
    url,
    dataDir,
    schemaDir,
    collector,
    logs,
    request,
    post: (body, postOptions = {}) => {
      const { key = SERVER_KEY, query, contentType = 'application/json', gzip = false, headers = {} } = postOptions;
      let bytes: Buffer = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
      if (gzip) bytes = gzipSync(bytes);
      const all: Record<string, string> = {
        ...(key !== null ? { authorization: `Bearer ${key}` } : {}),
        ...(contentType !== null ? { 'content-type': contentType } : {}),
        ...(gzip ? { 'content-encoding': 'gzip' } : {}),
        ...headers,
      };
      return request('POST', `/v1/batch${query ? `?${new URLSearchParams(query).toString()}` : ''}`, all, bytes);
    },
    records: (kind) => readStore(dataDir, kind),
    metrics: async () => (await request('GET', '/metrics')).text,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Every record of a raw store's `good` or `bad` side. A torn line throws unless `allowTorn`. */
export function readStore(dataDir: string, kind: 'good' | 'bad', options: { allowTorn?: boolean } = {}): StoredRecord[] {
  return partFiles(path.join(dataDir, kind)).flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .flatMap((line): StoredRecord[] => {
        try {
          return [{ file, ...(JSON.parse(line) as Omit<StoredRecord, 'file'>) }];
        } catch (error) {
          if (options.allowTorn) return [];
          throw new Error(`${file}: unparseable line ${JSON.stringify(line.slice(0, 80))}`, { cause: error });
        }
      }),
  );
}

/** `part-*.jsonl` files under `dir`, in path order. */
export function partFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => /(^|\/)part-[^/]+\.jsonl$/.test(file))
    .sort()
    .map((file) => path.join(dir, file));
}

/**
 * A request through node:http, so the test controls every header (fetch adds its own). A fresh
 * connection each time. An answer that arrives before the body was sent in full (413) still counts.
 */
export function httpRequest(url: URL, method: string, headers: Record<string, string>, body?: Buffer | string, options: { localAddress?: string } = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(url, { method, headers, agent: false, ...options }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    req.end(body);
  });
}
