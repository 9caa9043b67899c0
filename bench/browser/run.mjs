#!/usr/bin/env node
// `pnpm bench:browser`: track() cost of @tracklane/browser beside @snowplow/browser-tracker and
// @segment/analytics-next in real headless Chromium, the same page setup for each, in one run.
// Options: --n 10000 (calls timed), --block 100 (calls per timed block), --sdks tracklane,snowplow,segment,
// --tracklane dist|src (what @tracklane/browser resolves to), --out file.json,
// --cpu-prof (a V8 CPU profile of the timed calls per SDK: bench/results/browser-<sdk>.cpuprofile)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

/* global window -- in functions that page.evaluate runs in the page */

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '10000' },
    block: { type: 'string', default: '100' },
    sdks: { type: 'string', default: 'tracklane,snowplow,segment' },
    tracklane: { type: 'string', default: 'dist' },
    out: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
  },
});
const N = Number(args.n);
const BLOCK = Number(args.block);
const SDKS = args.sdks.split(',');
const WARMUP = 2000;

/** Counts what the SDKs send; answers each the way it expects, with CORS for any origin. */
const received = { requests: 0, bytes: 0 };
const sink = http.createServer((req, res) => {
  const cors = {
    'access-control-allow-origin': req.headers.origin ?? '*',
    'access-control-allow-credentials': 'true',
    'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*',
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'cross-origin-resource-policy': 'cross-origin',
  };
  if (req.method === 'OPTIONS') return res.writeHead(204, cors).end();
  let bytes = 0;
  req.on('data', (chunk) => (bytes += chunk.length));
  req.on('end', () => {
    received.requests++;
    received.bytes += bytes;
    const body = req.url?.startsWith('/v1/batch') ? '{"accepted":0,"duplicates":0,"rejected":[]}' : '{}';
    res.writeHead(200, { ...cors, 'content-type': 'application/json' }).end(body);
  });
});
await new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve));
const sinkUrl = `http://127.0.0.1:${sink.address().port}`;

const aliases = {
  '@tracklane/example-tracking-plan': path.join(root, 'examples/tracking-plan/generated/index.ts'),
  ...(args.tracklane === 'src'
    ? { '@tracklane/browser': path.join(root, 'packages/browser/src/index.ts'), '@tracklane/core': path.join(root, 'packages/core/src/index.ts') }
    : {}),
};
/** One minified bundle per SDK: the same page script with that SDK's adapter. */
const bundles = {};
for (const name of SDKS) {
  const result = await build({
    entryPoints: [path.join(here, 'page.js')],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2020',
    platform: 'browser',
    write: false,
    logLevel: 'error',
    alias: { sdk: path.join(here, 'sdks', `${name}.js`), ...aliases },
    nodePaths: [path.join(root, 'bench/node_modules')],
  });
  bundles[name] = result.outputFiles[0].text;
}

// Cross-origin isolated pages get 5 µs timers instead of 100 µs.
const isolation = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
const pages = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const name = url.pathname.slice(1).replace(/\.js$/, '');
  if (url.pathname.endsWith('.js') && bundles[name]) return res.writeHead(200, { ...isolation, 'content-type': 'text/javascript' }).end(bundles[name]);
  if (bundles[name]) return res.writeHead(200, { ...isolation, 'content-type': 'text/html' }).end(`<!doctype html><title>${name}</title><script type="module" src="/${name}.js"></script>`);
  res.writeHead(404).end();
});
await new Promise((resolve) => pages.listen(0, '127.0.0.1', resolve));
const pageOrigin = `http://127.0.0.1:${pages.address().port}`;

const temp = mkdtempSync(path.join(os.tmpdir(), 'tracklane-bench-browser-'));
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
};
const results = [];
const blocked = [];
for (const name of SDKS) {
  // A fresh profile per SDK; every request that is not to loopback is refused before it leaves.
  const context = await chromium.launchPersistentContext(path.join(temp, name), {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
  });
  // Watched only: the resolver rule above already fails every host but 127.0.0.1 inside Chromium.
  context.on('request', (request) => {
    if (new URL(request.url()).hostname !== '127.0.0.1') blocked.push(`${name}: ${request.url()}`);
  });
  const page = await context.newPage();
  console.error(`${name}…`);
  const requestsBefore = received.requests;
  const result = { sdk: name };
  let phase = 'load';
  try {
    await page.goto(`${pageOrigin}/${name}?sink=${encodeURIComponent(sinkUrl)}`);
    await page.waitForFunction(() => 'bench' in window);
    await page.evaluate(() => window.bench.ready());
    result.isolated = await page.evaluate(() => window.bench.isolated());
    phase = 'timing';
    await page.evaluate((w) => window.bench.time(w / 100, 100), WARMUP);
    await page.waitForTimeout(1500);
    const profiler = args['cpu-prof'] ? await context.newCDPSession(page) : undefined;
    if (profiler) {
      await profiler.send('Profiler.enable');
      await profiler.send('Profiler.setSamplingInterval', { interval: 50 });
      await profiler.send('Profiler.start');
    }
    const perCall = await page.evaluate(([blocks, size]) => window.bench.time(blocks, size), [N / BLOCK, BLOCK]);
    if (profiler) {
      const { profile } = await profiler.send('Profiler.stop');
      mkdirSync(path.join(root, 'bench/results'), { recursive: true });
      writeFileSync(path.join(root, `bench/results/browser-${name}.cpuprofile`), JSON.stringify(profile));
    }
    Object.assign(result, {
      medianUs: median(perCall),
      meanUs: perCall.reduce((a, b) => a + b, 0) / perCall.length,
      p90Us: [...perCall].sort((a, b) => a - b)[Math.floor(perCall.length * 0.9)],
    });
    await page.waitForTimeout(1500);
    phase = 'burst in tasks of 100';
    const chunked = await page.evaluate((n) => window.bench.burst(n, 100, 4000), N);
    Object.assign(result, { chunkedLongestTaskMs: Math.max(0, ...chunked.longTasks), chunkedLongTasks: chunked.longTasks.length });
    await page.waitForTimeout(1500);
    phase = 'burst in one task';
    const burst = await page.evaluate((n) => window.bench.burst(n, n, 4000), N);
    Object.assign(result, { burstLoopMs: burst.loopMs, longestTaskMs: Math.max(0, ...burst.longTasks), longTasks: burst.longTasks.length });
  } catch (error) {
    // Reported, not fatal: a renderer crash (out of memory) is a result too.
    result.failed = `${phase}: ${String(error.message).split('\n')[0]}`;
  }
  result.requests = received.requests - requestsBefore;
  results.push(result);
  await context.close().catch(() => undefined); // already gone when the browser crashed
}
sink.close();
pages.close();
rmSync(temp, { recursive: true, force: true });

const base = results.find((r) => r.sdk === 'tracklane');
const fmt = (x, d = 2) => x.toFixed(d);
console.log(
  `\ntrack() in headless Chromium: ${N} calls timed in blocks of ${BLOCK} after ${WARMUP} warm-up calls; then bursts of ${N} calls, ` +
    `all in one task, and in tasks of 100 calls, each watched for long tasks until 4 s after\n`,
);
console.log('| SDK | median µs/track | mean µs | p90 µs | × tracklane (median) | one-task burst: loop ms | longest task ms (count) | 100-call tasks: longest task ms (count) | requests |');
console.log('|---|---|---|---|---|---|---|---|---|');
const fmt2 = (x, d) => (x === undefined ? '–' : fmt(x, d));
for (const r of results) {
  if (r.failed) console.log(`\n${r.sdk} failed in ${r.failed}`);
  console.log(
    `| ${r.sdk} | ${fmt2(r.medianUs, 2)} | ${fmt2(r.meanUs, 2)} | ${fmt2(r.p90Us, 2)} | ${base?.medianUs && r.medianUs ? fmt(r.medianUs / base.medianUs, 1) : '–'} | ` +
      `${fmt2(r.burstLoopMs, 1)} | ${r.longestTaskMs ?? '–'} (${r.longTasks ?? '–'}) | ${r.chunkedLongestTaskMs ?? '–'} (${r.chunkedLongTasks ?? '–'}) | ${r.requests} |`,
  );
}
if (results.some((r) => !r.isolated)) console.log('\nwarning: a page was not cross-origin isolated (100 µs timer resolution)');
console.log(blocked.length ? `\nrequests to other hosts (failed by the resolver rule): ${blocked.length}, e.g. ${blocked.slice(0, 3).join('; ')}` : '\nno request left loopback');
if (base) {
  console.log(`\ntargets (issue 5): ≤ 5 µs per track(): ${base.medianUs <= 5 ? 'met' : 'NOT met'} (${fmt(base.medianUs)} µs); no long task > 50 ms during a 10,000-event burst: in tasks of 100 calls ${base.chunkedLongestTaskMs <= 50 ? 'met' : 'NOT met'} (longest ${base.chunkedLongestTaskMs} ms), all in one task ${base.longestTaskMs <= 50 ? 'met' : 'NOT met'} (longest ${base.longestTaskMs} ms)`);
}
const out = args.out ?? path.join(root, 'bench/results/browser-latest.json');
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), n: N, block: BLOCK, load: os.loadavg(), results, blocked }, null, 2)}\n`);
console.log(`\nwritten ${path.relative(process.cwd(), out)}; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
