// End-to-end harness: the real collector and a static page server on loopback, real Chromium.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createCollector, createFileSink, type Collector } from '@tracklane/collector';
import type { Envelope } from '@tracklane/core';
import type { BrowserTrackerStats } from '@tracklane/browser';
import { readStore } from '../helpers/collector.js';
import { eventually } from '../helpers/eventually.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The repository root. */
export const ROOT = root;
/** Workspace packages from their sources, so no build is needed. */
export const SOURCE_ALIASES = {
  '@tracklane/browser': path.join(root, 'packages/browser/src/index.ts'),
  '@tracklane/core': path.join(root, 'packages/core/src/index.ts'),
  '@tracklane/example-tracking-plan': path.join(root, 'examples/tracking-plan/generated/index.ts'),
  '@tracklane/snowplow': path.join(root, 'packages/snowplow/src/index.ts'),
};
export const WRITE_KEY = 'pk_e2e_browser_3c8f';
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** What the page exposes as `window.e2e` (see fixtures/page.ts). */
export interface PageApi {
  tracker: { setConsent(purposes: Record<string, string>): void; flush(): Promise<void> };
  features(n: number, tag: string): string[];
  orders(n: number, tag: string): string[];
  stats(): BrowserTrackerStats;
}
declare global {
  interface Window {
    e2e: PageApi;
  }
}

/** The page fixture bundled for the browser, workspace packages from their sources. */
export async function bundlePage(entry = path.join(root, 'test/browser/fixtures/page.ts')): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    alias: SOURCE_ALIASES,
  });
  return result.outputFiles[0]!.text;
}

export interface Rig extends AsyncDisposable {
  collectorUrl: string;
  pageUrl(query?: Record<string, string | number>): string;
  collector: Collector;
  /** Every POST (to /v1/batch or the tp2 endpoint) as the collector saw it. */
  requests: { path: string; contentType: string; keyInQuery: boolean; secFetchMode: string | undefined }[];
  good(): Envelope[];
  bad(): unknown[];
  /** Of `ids`, how many are not in the good store, and how many are there more than once. */
  landed(ids: readonly string[]): { missing: number; twice: number };
  /** `false`: every connection to the collector is reset (as when the network is gone). */
  setReachable(reachable: boolean): void;
  /** Duplicates the collector answered (events that reached it more than once), from /metrics. */
  duplicates(): Promise<number>;
  /** A Chromium profile in a fresh user-data-dir: one context, its pages share storage. */
  launch(): Promise<BrowserContext>;
}

/**
 * Starts the collector (example plan, file sink) and a page server on another port, so CORS is real.
 * The page server serves the test page (`page`: another fixture than fixtures/page.ts), or the files
 * of `site` (a built app).
 */
export async function startRig(options: { site?: string; appId?: string; page?: string } = {}): Promise<Rig> {
  const temp = mkdtempSync(path.join(os.tmpdir(), 'tracklane-browser-e2e-'));
  const script = options.site ? '' : await bundlePage(options.page);
  const pages = http.createServer((req, res) => {
    const site = options.site;
    if (site) {
      const file = path.join(site, new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/$/, '/index.html'));
      const type = file.endsWith('.html') ? 'text/html' : file.endsWith('.js') ? 'text/javascript' : 'application/octet-stream';
      if (file.startsWith(site) && existsSync(file)) res.writeHead(200, { 'content-type': type }).end(readFileSync(file));
      else res.writeHead(404).end();
    } else if (req.url?.startsWith('/page.js')) {
      res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' });
      res.end(script);
    } else if (req.url === '/favicon.ico') {
      res.writeHead(204).end();
    } else {
      res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store' });
      res.end('<!doctype html><title>e2e</title><script type="module" src="/page.js"></script>');
    }
  });
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  const pageOrigin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
  const collector = createCollector({
    schemas: [path.join(root, 'examples/tracking-plan/schemas')],
    writeKeys: [{ key: WRITE_KEY, kind: 'browser', origins: [pageOrigin], appId: options.appId ?? 'e2e-web' }],
    sink: createFileSink({ dir: path.join(temp, 'data'), durability: 'write' }),
    log: () => undefined,
  });
  const upstream = new URL(await collector.listen(0, '127.0.0.1'));
  // Pages reach the collector through a TCP relay that can play "unreachable": it then resets every
  // connection, which fails like a lost network (route interception misses keepalive requests sent
  // while a page unloads, so it cannot emulate this).
  let reachable = true;
  const open = new Set<net.Socket>();
  const relay = net.createServer((socket) => {
    if (!reachable) {
      socket.resetAndDestroy();
      return;
    }
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    const target = net.connect(Number(upstream.port), '127.0.0.1');
    socket.pipe(target).pipe(socket);
    socket.on('error', () => target.destroy());
    target.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const collectorUrl = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;
  const requests: Rig['requests'] = [];
  collector.server.on('request', (req: http.IncomingMessage) => {
    if (req.method !== 'POST') return;
    requests.push({
      path: new URL(req.url ?? '/', 'http://x').pathname,
      contentType: String(req.headers['content-type']),
      keyInQuery: (req.url ?? '').includes('key='),
      secFetchMode: req.headers['sec-fetch-mode'],
    });
  });
  const contexts: BrowserContext[] = [];
  const rig: Rig = {
    collectorUrl,
    collector,
    requests,
    pageUrl: (query = {}) => `${pageOrigin}/?${new URLSearchParams({ collector: collectorUrl, key: WRITE_KEY, ...Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])) }).toString()}`,
    setReachable: (value) => {
      reachable = value;
      if (!value) for (const socket of open) socket.resetAndDestroy();
    },
    // read while the collector writes: a line being appended is skipped until it is complete
    good: () => readStore(path.join(temp, 'data'), 'good', { allowTorn: true }).map((r) => r.envelope!),
    bad: () => readStore(path.join(temp, 'data'), 'bad', { allowTorn: true }),
    landed: (ids) => {
      const counts = new Map<string, number>();
      for (const envelope of rig.good()) counts.set(envelope.id, (counts.get(envelope.id) ?? 0) + 1);
      return { missing: ids.filter((id) => !counts.has(id)).length, twice: ids.filter((id) => (counts.get(id) ?? 0) > 1).length };
    },
    duplicates: async () => {
      const text = await (await fetch(`${collectorUrl}/metrics`)).text();
      return text
        .split('\n')
        .filter((line) => line.startsWith('tracklane_collector_events_total{') && line.includes('outcome="duplicate"'))
        .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
    },
    launch: async () => {
      const context = await chromium.launchPersistentContext(mkdtempSync(path.join(temp, 'profile-')), {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_ARGS,
      });
      contexts.push(context);
      return context;
    },
    [Symbol.asyncDispose]: async () => {
      await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
      // close() waits for every connection to end: end the keep-alive ones Chromium left open first.
      const pagesClosed = new Promise<void>((resolve) => pages.close(() => resolve()));
      pages.closeAllConnections();
      await pagesClosed;
      relay.close();
      await collector.close();
      rmSync(temp, { recursive: true, force: true });
    },
  };
  return rig;
}

/** Opens the test page and waits until its tracker is there. */
export async function openPage(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => 'e2e' in window);
  return page;
}

/** Reloads the test page and waits until its new tracker is there. */
export async function reloadPage(page: Page): Promise<void> {
  await page.reload();
  await page.waitForFunction(() => 'e2e' in window);
}

/** Events the page's tracker counts as queued (its tab's view of the shared queue). */
export function queuedIn(page: Page): Promise<number> {
  return page.evaluate(() => window.e2e.stats().queued);
}

/** Opens a built app (`startRig({site})`) and waits until it created its tracker (`window.tracker`). */
export async function openSite(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => 'tracker' in window);
  return page;
}

/** Records in the page's IndexedDB queue of `destination` (database `tracklane-<destination>`). */
export function storedInIndexedDB(page: Page, destination: string): Promise<number> {
  return page.evaluate(
    (name) =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onerror = () => reject(open.error ?? new Error(`cannot open ${name}`));
        open.onsuccess = () => {
          const db = open.result;
          const count = db.transaction([...db.objectStoreNames]).objectStore(db.objectStoreNames[0]!).count();
          count.onsuccess = () => {
            db.close();
            resolve(count.result);
          };
        };
      }),
    `tracklane-${destination}`,
  );
}

/**
 * Offline, two reloads, online: tracks `count` feature_used events with Chromium offline, waits until
 * they are in the page's IndexedDB queue of `destination`, reloads twice with the collector unreachable
 * (the queue must come back each time, nothing may land), then lets the collector be reached again and
 * fires `online`. Returns the ids tracked; the caller waits for them to land.
 */
export async function trackOfflineAcrossReloads(rig: Rig, context: BrowserContext, page: Page, count: number, tag: string, destination: string): Promise<string[]> {
  await context.setOffline(true);
  const ids = await page.evaluate(([n, t]) => window.e2e.features(n, t), [count, tag] as const);
  if (new Set(ids).size !== count) throw new Error(`tracked ${new Set(ids).size} distinct ids of ${count}`);
  await eventually(async () => (await queuedIn(page)) === count, { timeoutMs: 10_000, intervalMs: 50, what: `${count} events queued` });
  // `queued` counts writes still committing too: wait until they are stored, so this measures the
  // queue across reloads (test (e) of browser-e2e reloads while writes commit, recovered from the spill).
  await eventually(async () => (await storedInIndexedDB(page, destination)) === count, { timeoutMs: 10_000, intervalMs: 50, what: `${count} events in IndexedDB` });
  // Reloading needs the page server: back "online" for the page, but the collector stays unreachable.
  rig.setReachable(false);
  await context.setOffline(false);
  for (let reload = 0; reload < 2; reload++) {
    await reloadPage(page);
    await eventually(async () => (await queuedIn(page)) === count, { timeoutMs: 10_000, intervalMs: 50, what: 'the queue restored after a reload' });
  }
  if (rig.landed(ids).missing !== count) throw new Error('events reached the collector while it was unreachable');
  rig.setReachable(true);
  await context.setOffline(true);
  await context.setOffline(false); // fires `online`
  return ids;
}
