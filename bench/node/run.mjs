#!/usr/bin/env node
// Node SDK benchmark: @tracklane/node against the peer SDKs and a plain array + fetch floor, one run.
//
//   pnpm bench:node [--n 100000] [--reps 3] [--sdks tracklane,floor,...] [--tracklane auto|dist|src|<module>]
//                   [--timeout-s 180] [--settle-ms 2000] [--cpu-prof <sdk>] [--out <file.json>]
//
// For every repetition, every SDK runs once (SDK order rotates between repetitions so drifting machine
// load does not always hit the same SDK) in a fresh child process (fresh heap: fair peak RSS) with the
// loopback guard preloaded, against the counting sink in this process:
//   track()    wall time of N synchronous track() calls / N                         -> µs per call
//   delivery   from the end of that loop until the sink holds all N distinct events -> ms (or "never")
//   drain      from the end of the loop until the SDK's flush/shutdown resolved       -> ms
//   delivered  distinct events at the sink / N sent; duplicates = extra copies
//   peak RSS   getrusage(RUSAGE_SELF).ru_maxrss of the child at the end
//   CPU        process.cpuUsage() of the child over the loop and from loop end to drained (less sensitive to
//              other load on the machine than wall time; includes GC helper and zlib threads)
// Medians over the repetitions go into a markdown table, then tracklane / floor ratios and the targets of
// issue 2 (zero loss, <= 1.5 µs per track(), delivery <= 2x floor, peak RSS <= 1.5x floor). The full
// data goes to bench/results/ (git-ignored).

import { execFileSync, fork } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createCountingSink } from '../lib/counting-sink.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const benchDir = resolve(here, '..');
const repoRoot = resolve(benchDir, '..');
/** Every SDK: sdks/<id>.mjs exports `start(sinkUrl) -> {track(i), drain(), details?()}`. */
const SDKS = [
  { id: 'tracklane', label: '@tracklane/node', pkg: '@tracklane/node' },
  { id: 'floor', label: 'floor: array + fetch, batches of 500', pkg: null },
  { id: 'snowplow', label: '@snowplow/node-tracker', pkg: '@snowplow/node-tracker' },
  { id: 'segment', label: '@segment/analytics-node', pkg: '@segment/analytics-node' },
  { id: 'amplitude', label: '@amplitude/analytics-node', pkg: '@amplitude/analytics-node' },
  { id: 'posthog', label: 'posthog-node', pkg: 'posthog-node' },
];
const ALL_SDKS = SDKS.map((s) => s.id);
const TARGETS = { trackUs: 1.5, deliveryVsFloor: 2, rssVsFloor: 1.5 };

// ---------------------------------------------------------------------------------------------------
function parseArgs(argv) {
  const o = { n: 100_000, reps: 3, sdks: ALL_SDKS, tracklane: 'auto', timeoutS: 180, settleMs: 2000, cpuProf: null, out: null };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--n': o.n = Number(value()); break;
      case '--reps': o.reps = Number(value()); break;
      case '--sdks': o.sdks = value().split(',').map((s) => s.trim()).filter(Boolean); break;
      case '--tracklane': o.tracklane = value(); break;
      case '--timeout-s': o.timeoutS = Number(value()); break;
      case '--settle-ms': o.settleMs = Number(value()); break;
      case '--cpu-prof': o.cpuProf = value(); break;
      case '--out': o.out = value(); break;
      case '-h': case '--help':
        console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 6).join('\n'));
        return process.exit(0);
      default: throw new Error(`unknown argument ${argv[i]} (try --help)`);
    }
  }
  if (!Number.isInteger(o.n) || o.n < 1) throw new Error('--n must be a positive integer');
  if (!Number.isInteger(o.reps) || o.reps < 1) throw new Error('--reps must be a positive integer');
  for (const s of o.sdks) if (!ALL_SDKS.includes(s)) throw new Error(`unknown SDK ${s}; known: ${ALL_SDKS.join(', ')}`);
  if (!['auto', 'dist', 'src'].includes(o.tracklane) && !existsSync(o.tracklane)) throw new Error('--tracklane must be auto, dist, src or the path of a module exporting createNodeTracker');
  return o;
}

/** Newest mtime of the source files under dir (recursively; tests do not go into dist/). */
function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (!/\.(test|spec)\.[cm]?[jt]sx?$/.test(entry.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Which @tracklane/node the child loads: the built package (preferred) or the TS sources under tsx. */
function tracklaneBuild(mode) {
  if (existsSync(mode)) return { kind: 'custom', entry: pathToFileURL(resolve(mode)).href, execArgv: [], note: `candidate module ${mode}` };
  const pkgs = join(repoRoot, 'packages');
  const dist = ['core', 'node'].map((p) => join(pkgs, p, 'dist', 'index.js'));
  const built = dist.every((f) => existsSync(f));
  if (mode === 'dist' && !built) throw new Error('--tracklane dist: run `pnpm --filter @tracklane/core --filter @tracklane/node build` first');
  if (mode === 'dist' || (mode === 'auto' && built)) {
    const stale = ['core', 'node'].filter((p) => newestMtime(join(pkgs, p, 'src')) > statSync(join(pkgs, p, 'dist', 'index.js')).mtimeMs);
    return {
      kind: 'dist',
      entry: pathToFileURL(join(pkgs, 'node', 'dist', 'index.js')).href,
      execArgv: [],
      note: `built dist/${stale.length ? ` (WARNING: src of ${stale.join(', ')} is newer than dist: rebuild)` : ''}`,
    };
  }
  const tsx = import.meta.resolve('tsx');
  return {
    kind: 'src',
    entry: pathToFileURL(join(pkgs, 'node', 'src', 'index.ts')).href,
    execArgv: ['--import', tsx],
    note: 'TypeScript sources under tsx (dist/ not built: numbers include tsx overhead at load only)',
  };
}

/** HEAD commit and whether the tracker's sources differ from it (what exactly was benchmarked). */
function gitState() {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'packages/core/src', 'packages/node/src'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    return `${head}${dirty ? ' + uncommitted changes in packages/core|node/src' : ''}`;
  } catch {
    return 'unknown';
  }
}

function pkgVersion(name) {
  if (!name) return '-';
  try {
    return JSON.parse(readFileSync(join(benchDir, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return '?';
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function peakRssFromProc(pid) {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}
const nsToMs = (a, b) => (a === null || b === null ? null : Number(a - b) / 1e6);
function uptime() {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average: ${os.loadavg().map((x) => x.toFixed(2)).join(', ')}`;
  }
}

// ---------------------------------------------------------------------------------------------------
async function runOnce(sink, sinkUrl, sdk, opts, build, rep) {
  sink.dropConnections();
  sink.begin(opts.n);
  const execArgv = ['--import', pathToFileURL(join(benchDir, 'lib', 'loopback-guard.mjs')).href];
  if (sdk === 'tracklane') execArgv.push(...build.execArgv);
  let profDir = null;
  if (opts.cpuProf === sdk) {
    profDir = join(benchDir, 'results', 'cpu-prof');
    mkdirSync(profDir, { recursive: true });
    execArgv.push('--cpu-prof', '--cpu-prof-dir', profDir, '--cpu-prof-name', `${sdk}-rep${rep}-${Date.now()}.cpuprofile`);
  }
  const child = fork(join(here, 'child.mjs'), [join(here, 'sdks', `${sdk}.mjs`), sinkUrl, String(opts.n)], {
    cwd: repoRoot, // tsx reads the root tsconfig (workspace paths) when the sources are benchmarked
    execArgv,
    env: { ...process.env, TRACKLANE_NODE_ENTRY: build.entry, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  const keep = (d) => (output = (output + d).slice(-3000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const got = {};
  child.on('message', (m) => (got[m.kind] = m));
  let exit = null;
  child.on('exit', (code, signal) => (exit = { code, signal }));

  const started = Date.now();
  let timedOut = false;
  for (;;) {
    await sleep(25);
    const s = sink.current;
    const idleMs = Number(process.hrtime.bigint() - s.lastActivityAt) / 1e6;
    const complete = s.allAt !== null;
    if (got.failed || exit) break;
    if (complete && got.drained) break;
    if (got.drained && idleMs > opts.settleMs) break; // drained, nothing more arriving: the rest is lost
    if (complete && got.looped && idleMs > opts.settleMs) break; // all there, drain still pending
    if (Date.now() - started > opts.timeoutS * 1000) {
      timedOut = true;
      break;
    }
  }
  let hwmKiB = null;
  if (!exit) {
    child.send({ kind: 'report' });
    for (let k = 0; k < 200 && !got.report && !exit; k++) await sleep(25);
    // a child too busy to answer: read its peak RSS (VmHWM = getrusage maxrss) from /proc before the kill
    if (!got.report) hwmKiB = peakRssFromProc(child.pid);
    for (let k = 0; k < 20 && !exit; k++) await sleep(25);
    if (!exit) child.kill('SIGKILL');
  }

  const s = sink.current;
  const loopEnd = got.looped ? BigInt(got.looped.endNs) : null;
  return {
    rep,
    error: got.failed?.error ?? (got.looped ? null : `child ended early ${JSON.stringify(exit)}: ${output.slice(-400)}`),
    drainError: got.drained?.error ?? null,
    timedOut,
    trackUs: got.looped ? Number(BigInt(got.looped.loopNs)) / 1e3 / opts.n : null,
    loopMs: got.looped ? Number(BigInt(got.looped.loopNs)) / 1e6 : null,
    trackCpuUs: got.looped ? got.looped.loopCpuUs / opts.n : null,
    drainCpuMs: got.drained ? got.drained.drainCpuUs / 1e3 : null,
    deliveryMs: s.allAt !== null ? nsToMs(s.allAt, loopEnd) : null,
    firstAtMs: s.firstAt !== null ? nsToMs(s.firstAt, loopEnd) : null,
    lastNewAtMs: s.lastNewAt !== null ? nsToMs(s.lastNewAt, loopEnd) : null,
    drainMs: got.drained ? nsToMs(BigInt(got.drained.atNs), loopEnd) : null,
    delivered: s.distinct,
    sent: opts.n,
    duplicates: s.duplicates,
    outOfRange: s.outOfRange,
    requests: s.requests,
    unrecognised: s.unrecognised,
    wireMiB: s.wireBytes / 2 ** 20,
    bodyMiB: s.bodyBytes / 2 ** 20,
    routes: s.routes,
    peakRssMiB: got.report ? got.report.maxRssKiB / 1024 : hwmKiB !== null ? hwmKiB / 1024 : null,
    rssAfterStartMiB: got.started ? got.started.rss / 2 ** 20 : null,
    rssAfterLoopMiB: got.looped ? got.looped.rss / 2 ** 20 : null,
    heapAfterLoopMiB: got.looped ? got.looped.heapUsed / 2 ** 20 : null,
    blocked: got.report?.blocked ?? null,
    details: got.report?.details ?? null,
    outputTail: output.trim().split('\n').slice(-4).join(' | ').slice(0, 500),
  };
}

// ---------------------------------------------------------------------------------------------------
const median = (values) => {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
};
const fmt = (x, digits = 0) => (x === null || x === undefined ? '—' : x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));

function summarise(sdk, runs, opts) {
  const med = (k) => median(runs.map((r) => r[k]));
  const complete = runs.filter((r) => r.deliveryMs !== null);
  return {
    sdk,
    trackUs: med('trackUs'),
    trackCpuUs: med('trackCpuUs'),
    drainCpuMs: med('drainCpuMs'),
    deliveryMs: complete.length === runs.length ? med('deliveryMs') : null,
    deliveredInRuns: `${complete.length}/${runs.length}`,
    lastNewAtMs: med('lastNewAtMs'),
    firstAtMs: med('firstAtMs'),
    drainMs: med('drainMs'),
    delivered: med('delivered'),
    minDelivered: Math.min(...runs.map((r) => r.delivered)),
    sent: opts.n,
    duplicates: med('duplicates'),
    requests: med('requests'),
    wireMiB: med('wireMiB'),
    peakRssMiB: med('peakRssMiB'),
    rssAfterStartMiB: med('rssAfterStartMiB'),
    flags: [...new Set(runs.flatMap((r) => [r.timedOut && `timed out at ${opts.timeoutS}s`, r.error && 'error', r.drainError && 'drain rejected', r.unrecognised && 'unrecognised requests']).filter(Boolean))],
  };
}

function report(opts, meta, results) {
  const lines = [];
  const out = (s = '') => lines.push(s);
  out(`## Node SDKs: ${fmt(opts.n)} events, ${opts.reps} rep(s), medians`);
  out();
  out(`Node ${process.version}, ${os.cpus()[0]?.model ?? '?'} x${os.cpus().length}, tracklane from ${meta.tracklane}.`);
  out(`Load before: \`${meta.uptimeBefore}\``);
  out(`Load after:  \`${meta.uptimeAfter}\``);
  out();
  out('| SDK (default settings) | version | µs per track() | all events at sink, ms after loop | flush/shutdown resolved, ms | delivered / sent | duplicates | requests | peak RSS, MiB | CPU µs per track() | CPU ms after loop |');
  out('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const { label, version, summary: s } of results) {
    const delivery = s.deliveryMs !== null ? fmt(s.deliveryMs) : s.deliveredInRuns !== `0/${opts.reps}` ? `only in ${s.deliveredInRuns} runs` : 'never';
    const pct = ((s.delivered / s.sent) * 100).toFixed(s.delivered === s.sent ? 0 : 1);
    const worst = s.minDelivered < s.delivered ? `; worst run ${fmt(s.minDelivered)}` : '';
    out(`| ${label}${s.flags.length ? ` (${s.flags.join(', ')})` : ''} | ${version ?? '-'} | ${fmt(s.trackUs, 2)} | ${delivery} | ${fmt(s.drainMs)} | ${fmt(s.delivered)} / ${fmt(s.sent)} (${pct}%${worst}) | ${fmt(s.duplicates)} | ${fmt(s.requests)} | ${fmt(s.peakRssMiB)} | ${fmt(s.trackCpuUs, 2)} | ${fmt(s.drainCpuMs)} |`);
  }

  const t = results.find((r) => r.sdk === 'tracklane')?.summary;
  const f = results.find((r) => r.sdk === 'floor')?.summary;
  const verdict = {};
  if (t && f) {
    const ratio = (a, b) => (a === null || b === null || b === 0 ? null : a / b);
    // median over repetitions of the ratio within a repetition (tracklane and floor ran back to back)
    const tr = results.find((r) => r.sdk === 'tracklane').runs;
    const fr = results.find((r) => r.sdk === 'floor').runs;
    const paired = (k) => median(tr.map((x, i) => ratio(x[k], fr[i]?.[k] ?? null)));
    const trackRatio = paired('trackUs');
    const deliveryRatio = tr.every((x) => x.deliveryMs !== null) ? paired('deliveryMs') : null;
    const rssRatio = paired('peakRssMiB');
    const pass = (ok) => (ok === null ? 'n/a' : ok ? 'PASS' : 'FAIL');
    verdict.zeroLoss = t.minDelivered === t.sent;
    verdict.trackUs = t.trackUs !== null && t.trackUs <= TARGETS.trackUs;
    verdict.delivery = deliveryRatio !== null && deliveryRatio <= TARGETS.deliveryVsFloor;
    verdict.rss = rssRatio !== null && rssRatio <= TARGETS.rssVsFloor;
    Object.assign(verdict, { trackRatio, deliveryRatio, rssRatio });
    out();
    out('### @tracklane/node vs the floor, against the targets of issue 2');
    out();
    out('Ratios are medians of the per-repetition ratios (tracklane and the floor run back to back in each repetition).');
    out();
    out('| measure | tracklane | floor | ratio | target | result |');
    out('|---|---:|---:|---:|---|---|');
    out(`| delivered (every rep) | ${fmt(t.minDelivered)} / ${fmt(t.sent)} | ${fmt(f.minDelivered)} / ${fmt(f.sent)} | | zero loss | ${pass(verdict.zeroLoss)} |`);
    out(`| µs per track() | ${fmt(t.trackUs, 2)} | ${fmt(f.trackUs, 2)} | ${fmt(trackRatio, 1)}× | ≤ ${TARGETS.trackUs} µs | ${pass(verdict.trackUs)} |`);
    out(`| all at sink, ms | ${t.deliveryMs === null ? 'never' : fmt(t.deliveryMs)} | ${fmt(f.deliveryMs)} | ${fmt(deliveryRatio, 2)}× | ≤ ${TARGETS.deliveryVsFloor}× floor | ${pass(verdict.delivery)} |`);
    out(`| peak RSS, MiB | ${fmt(t.peakRssMiB)} | ${fmt(f.peakRssMiB)} | ${fmt(rssRatio, 2)}× | ≤ ${TARGETS.rssVsFloor}× floor | ${pass(verdict.rss)} |`);
    out(`| (info) CPU µs per track() | ${fmt(t.trackCpuUs, 2)} | ${fmt(f.trackCpuUs, 2)} | ${fmt(paired('trackCpuUs'), 1)}× | | |`);
    out(`| (info) child CPU ms from loop end to drained | ${fmt(t.drainCpuMs)} | ${fmt(f.drainCpuMs)} | ${fmt(paired('drainCpuMs'), 2)}× | | |`);
    out(`| (info) first event at sink, ms after loop | ${fmt(t.firstAtMs)} | ${fmt(f.firstAtMs)} | ${fmt(paired('firstAtMs'), 1)}× | | |`);
  }

  out();
  out('Per run [µs/track; all at sink ms; drain ms; delivered; dupes; requests; wire MiB; peak RSS MiB]:');
  for (const r of results) {
    out(`- ${r.label}: ${r.runs.map((x) => `[${fmt(x.trackUs, 2)}; ${x.deliveryMs === null ? 'never' : fmt(x.deliveryMs)}; ${fmt(x.drainMs)}; ${x.delivered}; ${x.duplicates}; ${x.requests}; ${fmt(x.wireMiB, 1)}; ${fmt(x.peakRssMiB)}]`).join(' ')}`);
    const notes = new Set();
    for (const x of r.runs) {
      if (x.error) notes.add(`error: ${x.error}`);
      if (x.drainError) notes.add(`drain rejected: ${x.drainError}`);
      if (x.blocked && Object.keys(x.blocked).length) notes.add(`guard refused: ${JSON.stringify(x.blocked)}`);
      if (x.unrecognised) notes.add(`unrecognised requests: ${JSON.stringify(x.routes)}`);
      if (x.deliveryMs === null && x.outputTail) notes.add(`child output: ${x.outputTail}`);
    }
    for (const note of notes) out(`  - ${note}`);
  }
  return { text: lines.join('\n'), verdict };
}

// ---------------------------------------------------------------------------------------------------
async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const build = opts.sdks.includes('tracklane') ? tracklaneBuild(opts.tracklane) : { kind: 'none', entry: '', execArgv: [], note: 'not run' };
  const sdks = opts.sdks.map((id) => SDKS.find((s) => s.id === id));
  const uptimeBefore = uptime();
  process.stderr.write(`[bench:node] ${uptimeBefore}\n[bench:node] tracklane: ${build.note}\n`);

  const sink = createCountingSink();
  const sinkUrl = await sink.listen();
  const runs = Object.fromEntries(sdks.map((s) => [s.id, []]));
  // tracklane and the floor run back to back (alternating which goes first) so their ratio compares
  // runs made under the same machine load; the peers follow, rotated between repetitions.
  const pair = sdks.filter((s) => s.id === 'tracklane' || s.id === 'floor');
  const peers = sdks.filter((s) => !pair.includes(s));
  for (let rep = 1; rep <= opts.reps; rep++) {
    const shift = peers.length ? (rep - 1) % peers.length : 0;
    const order = [...(rep % 2 ? pair : [...pair].reverse()), ...peers.slice(shift), ...peers.slice(0, shift)];
    for (const sdk of order) {
      const r = await runOnce(sink, sinkUrl, sdk.id, opts, build, rep);
      runs[sdk.id].push(r);
      process.stderr.write(
        `[bench:node] rep ${rep}/${opts.reps} ${sdk.label}: ${fmt(r.trackUs, 2)} µs/track, all at sink ${r.deliveryMs === null ? 'never' : `${fmt(r.deliveryMs)} ms`}, ` +
          `drain ${fmt(r.drainMs)} ms, delivered ${r.delivered}/${r.sent}, dupes ${r.duplicates}, peak RSS ${fmt(r.peakRssMiB)} MiB` +
          `${r.timedOut ? ', TIMED OUT' : ''}${r.error ? `, ERROR ${r.error}` : ''}\n`,
      );
    }
  }
  await sink.close();
  const uptimeAfter = uptime();

  const results = sdks.map((s) => ({ sdk: s.id, label: s.label, pkg: s.pkg, version: s.pkg ? pkgVersion(s.pkg) : null, summary: summarise(s.id, runs[s.id], opts), runs: runs[s.id] }));
  const meta = { tracklane: `${build.note}, commit ${gitState()}`, uptimeBefore, uptimeAfter };
  const { text, verdict } = report(opts, meta, results);
  console.log(text);

  const file = opts.out ? resolve(opts.out) : join(benchDir, 'results', `node-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(file), { recursive: true });
  const data = { when: new Date().toISOString(), node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, options: opts, targets: TARGETS, ...meta, verdict, results };
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  writeFileSync(join(dirname(file), 'node-latest.json'), `${JSON.stringify(data, null, 2)}\n`);
  writeFileSync(join(dirname(file), 'node-latest.md'), `${text}\n`);
  console.log(`\nJSON: ${relative(process.cwd(), file)} (table: ${relative(process.cwd(), join(dirname(file), 'node-latest.md'))})`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
