#!/usr/bin/env node
// Where does the time of @tracklane/node go? Times the pieces of track() and of delivery in isolation,
// in this one process, N at a time (results are kept alive like a tracker keeps its queue), median of
// several rounds. Uses the very copies of `uuid` and `@tracklane/core` that @tracklane/node runs with.
//
//   node bench/node/pieces.mjs [--n 100000] [--rounds 5]

import { randomFillSync, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync, gunzipSync, gzip, constants } from 'node:zlib';
import { promisify } from 'node:util';
import { execFileSync } from 'node:child_process';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const coreRequire = createRequire(join(repoRoot, 'packages', 'core', 'package.json'));
const { v7: uuidv7 } = await import(pathToFileURL(coreRequire.resolve('uuid')).href);
const core = await import(pathToFileURL(join(repoRoot, 'packages', 'core', 'dist', 'index.js')).href);
const gzipAsync = promisify(gzip);

const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const N = flag('--n', 100_000);
const ROUNDS = flag('--rounds', 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const fmt = (x, d = 2) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

/**
 * ns per call of fn(i), over N calls whose results are retained; median of ROUNDS (after a warm-up).
 * Measured as process CPU time (user + system), which other load on a shared machine inflates less
 * than wall time.
 */
function perCall(fn) {
  const times = [];
  for (let r = 0; r <= ROUNDS; r++) {
    const keep = new Array(N);
    const t = process.cpuUsage();
    for (let i = 0; i < N; i++) keep[i] = fn(i);
    const d = process.cpuUsage(t);
    if (r > 0) times.push(((d.user + d.system) * 1000) / N);
  }
  return median(times);
}

const schema = 'iglu:com.acme/bench_event/jsonschema/1-0-0';
const app = Object.freeze({ id: 'bench', platform: 'srv' });
const tracker = Object.freeze({ name: '@tracklane/node', version: '0.1.0' });
const user = Object.freeze({});
const consent = Object.freeze({ purposes: Object.freeze({}), source: 'default' });
let lastMs = -1;
let lastIso = '';
const cachedIso = () => {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
};
const envelopeOf = (i, id) => ({ id, event: { schema, data: { plan: 'pro', count: 3, ok: true, bench_i: i } }, ts: { created: cachedIso() }, app, tracker, user, consent });

const rows = [];
const row = (what, ns, note = '') => rows.push(`| ${what} | ${fmt(ns / 1000, 3)} | ${note} |`);

// --- track() pieces ---------------------------------------------------------------------------------
row('floor track(): push {schema, data, ts: new Date().toISOString()}', perCall((i) => ({ schema, data: { plan: 'pro', count: 3, ok: true, bench_i: i }, ts: new Date().toISOString() })));
row('event data literal only (what the caller allocates)', perCall((i) => ({ schema, data: { plan: 'pro', count: 3, ok: true, bench_i: i } })));
row('uuid v7 (uuid package, as core calls it)', perCall(() => uuidv7()));
row('crypto.randomUUID() (v4, for comparison)', perCall(() => randomUUID()));
row('new Date().toISOString()', perCall(() => new Date().toISOString()));
row('Date.now() + cached ISO string (what core does)', perCall(() => cachedIso()));
row('isSchemaUri (memoised Set lookup)', perCall(() => core.isSchemaUri(schema)));
row('envelope literal with a constant id (no uuid)', perCall((i) => envelopeOf(i, 'x')));
row('envelope literal + uuid v7', perCall((i) => envelopeOf(i, uuidv7())));

// Candidate: the same uuid v7 call, but random bytes from a 16 KiB pool (one randomFillSync per 1,024
// ids instead of per 16, no per-id slice) and the monotonic msecs/seq state kept by the caller, as uuid's
// own no-options path does.
const pool = new Uint8Array(16 * 1024);
let poolAt = pool.length;
const rnd = new Uint8Array(16);
let v7ms = -Infinity;
let v7seq = 0;
const nextRandom = () => {
  if (poolAt + 16 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  for (let k = 0; k < 16; k++) rnd[k] = pool[poolAt + k];
  poolAt += 16;
  const now = Date.now();
  if (now > v7ms) {
    v7ms = now;
    v7seq = (rnd[6] << 23) | (rnd[7] << 16) | (rnd[8] << 8) | rnd[9];
  } else {
    v7seq = (v7seq + 1) | 0;
    if (v7seq === 0) v7ms++;
  }
};
const pooledV7 = () => {
  nextRandom();
  return uuidv7({ msecs: v7ms, seq: v7seq, random: rnd });
};
row('candidate: uuid v7({msecs, seq, random}) + 16 KiB random pool', perCall(() => pooledV7()), 'same ids, monotonic');
row('candidate: envelope literal + pooled uuid v7', perCall((i) => envelopeOf(i, pooledV7())));

// --- core tracker end to end, network stubbed out ---------------------------------------------------
async function coreRun({ gzipLevel }) {
  let posts = 0;
  let bodyBytes = 0;
  let gzipMs = 0;
  const http = {
    post: async (req) => {
      posts++;
      bodyBytes += req.body.length;
      return { status: 200, header: () => undefined, text: '{"accepted":500,"duplicates":0,"rejected":[]}' };
    },
    ...(gzipLevel === null
      ? {}
      : {
          gzip: async (text) => {
            const t = performance.now();
            const out = new Uint8Array(await gzipAsync(text, { level: gzipLevel }));
            gzipMs += performance.now() - t;
            return out;
          },
        }),
  };
  const t = core.createTracker(
    { appId: 'bench', destinations: [core.collectorDestination({ url: 'http://127.0.0.1:9', writeKey: 'bench' })] },
    { services: { http, warn: () => {} }, tracker, defaultPlatform: 'srv' },
  );
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < N; i++) t.track({ schema, data: { plan: 'pro', count: 3, ok: true, bench_i: i } });
  const loop = process.cpuUsage(cpu0);
  const cpu1 = process.cpuUsage();
  const b = process.hrtime.bigint();
  await t.flush();
  const c = process.hrtime.bigint();
  const cpu2 = process.cpuUsage(cpu1);
  await t.shutdown();
  return { trackUs: (loop.user + loop.system) / N, drainMs: Number(c - b) / 1e6, drainCpuMs: (cpu2.user + cpu2.system) / 1e3, posts, bodyMiB: bodyBytes / 2 ** 20, gzipMs };
}

// --- delivery pieces ----------------------------------------------------------------------------------
const envs = Array.from({ length: 500 }, (_, i) => envelopeOf(i, uuidv7()));
function timeMs(fn, reps = 20) {
  fn();
  const ts = [];
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    fn();
    ts.push(performance.now() - t);
  }
  return median(ts);
}
const perEventJson = envs.map((e) => JSON.stringify(e));
const perEventStringify = timeMs(() => {
  for (const e of envs) JSON.stringify(e);
});
const sentAt = new Date().toISOString();
const joinBody = () => `{"sentAt":"${sentAt}","events":[${perEventJson.map((j) => `${j.slice(0, -2)},"sent":"${sentAt}"}}`).join(',')}]}`;
const body = joinBody();
const gzipped6 = gzipSync(body);
const gz = (level) => timeMs(() => gzipSync(body, { level }));
const gzSize = (level) => gzipSync(body, { level }).length;
const deliveryRows = [
  `| JSON.stringify of 500 envelopes, one by one (serialising a batch's worth) | ${fmt(perEventStringify)} | ×200 batches = ${fmt(perEventStringify * 200, 0)} ms per 100k |`,
  `| batch body from 500 stored JSON strings (ts.sent spliced in, joined; ${fmt(body.length / 1024, 0)} KiB) | ${fmt(timeMs(joinBody))} | ×200 = ${fmt(timeMs(joinBody) * 200, 0)} ms |`,
  `| gzip level 6 (zlib default), one batch → ${fmt(gzSize(6) / 1024, 1)} KiB | ${fmt(gz(6))} | ×200 = ${fmt(gz(6) * 200, 0)} ms (thread pool) |`,
  `| gzip level 1, one batch → ${fmt(gzSize(1) / 1024, 1)} KiB | ${fmt(gz(1))} | ×200 = ${fmt(gz(1) * 200, 0)} ms |`,
  `| gunzip at the receiver (level 6 body) | ${fmt(timeMs(() => gunzipSync(gzipped6)))} | ×200 = ${fmt(timeMs(() => gunzipSync(gzipped6)) * 200, 0)} ms (the sink's share) |`,
];

const runs = {};
for (const [name, cfg] of [
  ['no gzip', { gzipLevel: null }],
  ['gzip level 6 (default)', { gzipLevel: constants.Z_DEFAULT_COMPRESSION }],
  ['gzip level 1', { gzipLevel: 1 }],
]) {
  const rs = [];
  for (let r = 0; r < 3; r++) rs.push(await coreRun(cfg));
  runs[name] = rs.sort((x, y) => x.drainMs - y.drainMs)[1];
}

let load = '';
try {
  load = execFileSync('uptime', { encoding: 'utf8' }).trim();
} catch {
  load = 'load unknown (no uptime)';
}
console.log(`### track() pieces, CPU µs per call (N=${N.toLocaleString('en-US')}, median of ${ROUNDS}), Node ${process.version}; ${load}\n`);
console.log('| piece | µs | note |\n|---|---:|---|');
console.log(rows.join('\n'));
console.log('\n### delivery pieces, ms\n');
console.log('| piece | ms | note |\n|---|---:|---|');
console.log(deliveryRows.join('\n'));
console.log(`\n### @tracklane/core createTracker, HTTP stubbed (instant 200), ${N.toLocaleString('en-US')} events, median of 3\n`);
console.log('| variant | CPU µs per track() | flush() wall ms after loop | flush() CPU ms | posts | body MiB |\n|---|---:|---:|---:|---:|---:|');
for (const [name, r] of Object.entries(runs)) console.log(`| ${name} | ${fmt(r.trackUs)} | ${fmt(r.drainMs, 0)} | ${fmt(r.drainCpuMs, 0)} | ${r.posts} | ${fmt(r.bodyMiB, 1)} |`);
