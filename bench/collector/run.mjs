#!/usr/bin/env node
// Collector benchmark: events per second the native collector sustains (validation + file sink) under a
// load generator on loopback, p50/p99 request latency, and the ratio to a JSON.parse floor on the same bodies.
//
//   node bench/collector/run.mjs [--durability fsync,write] [--batch 100,500] [--connections 8]
//                                [--warmup-s 2] [--seconds 8] [--cpu-prof] [--node-flags "--max-semi-space-size=64"] [--out <file.json>]
//                                [--validation-threads <n>] [--collector <path to a cli.ts>] [--hostile] [--hostile-connections 8]
//
// Per scenario (durability x batch size): the real CLI (`tracklane-collector`, TypeScript sources under
// tsx) in a child process with a fresh raw store and the example tracking plan; the load generator
// (load.mjs) in another child with N keep-alive connections, each posting one batch at a time of
// realistic browser envelopes with unique ids. After the load, the generator times JSON.parse alone
// on the last bodies it sent (the floor); the collector is stopped and its raw store counted, which
// must hold every event it acknowledged. The collector's rate limit is lifted for the run (config file).
// `--validation-threads` sets the collector's worker threads (default: the CLI's, cores - 1); `--collector`
// runs another copy of the sources (e.g. an earlier commit's, from `git archive`) to compare in one session.
// `--hostile` runs each scenario twice, the normal load alone and then beside a hostile client
// (hostile.mjs: gzip bombs, an event with 400,000 unknown keys, a tp2 body of 700,000 payloads on
// `--hostile-connections` connections), and reports both, with the collector's peak RSS.

import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const TARGET_EVENTS_PER_SEC = 30_000;
const KEY = 'bench-write-key';

function parseArgs(argv) {
  const o = {
    durability: ['fsync', 'write'],
    batch: [100, 500],
    connections: 8,
    warmupS: 2,
    seconds: 8,
    cpuProf: false,
    nodeFlags: [],
    validationThreads: undefined,
    hostile: false,
    hostileConnections: 8,
    collector: join(repoRoot, 'packages/collector/src/cli.ts'),
    out: join(repoRoot, 'bench', 'results', 'collector-latest.json'),
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--durability': o.durability = value().split(','); break;
      case '--batch': o.batch = value().split(',').map(Number); break;
      case '--connections': o.connections = Number(value()); break;
      case '--warmup-s': o.warmupS = Number(value()); break;
      case '--seconds': o.seconds = Number(value()); break;
      case '--cpu-prof': o.cpuProf = true; break;
      case '--node-flags': o.nodeFlags = value().split(/\s+/).filter(Boolean); break;
      case '--out': o.out = resolve(value()); break;
      case '--validation-threads': o.validationThreads = Number(value()); break;
      case '--collector': o.collector = resolve(value()); break;
      case '--hostile': o.hostile = true; break;
      case '--hostile-connections': o.hostileConnections = Number(value()); break;
      case '-h': case '--help':
        console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 6).join('\n'));
        return process.exit(0);
      default: throw new Error(`unknown argument ${argv[i]} (try --help)`);
    }
  }
  for (const d of o.durability) if (d !== 'fsync' && d !== 'write') throw new Error('--durability takes fsync and/or write');
  for (const b of o.batch) if (!Number.isInteger(b) || b < 1 || b > 1000) throw new Error('--batch sizes must be 1..1000 (the collector limit)');
  return o;
}

/** utime + stime of a process in seconds (Linux), or null. */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ
  } catch {
    return null;
  }
}

/** Peak RSS (VmHWM) of a process in MiB (Linux), or null. */
function peakRssMiB(pid) {
  try {
    return Number(/^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  } catch {
    return null;
  }
}

/** The default inflated-body limit (DEFAULT_LIMITS.maxInflatedBytes), which the hostile client's bombs inflate to just under. */
const MAX_INFLATED_BYTES = 8 * 1024 * 1024;

/** Starts the hostile client; resolves once its bodies are built, with `start()`, which resolves with its report. */
function prepareHostile(url, o) {
  const args = [join(here, 'hostile.mjs'), url, KEY, String(o.hostileConnections), String(o.warmupS + o.seconds), String(MAX_INFLATED_BYTES)];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const report = new Promise((resolve, reject) =>
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1))) : reject(new Error(`hostile client exited ${code}`)))),
  );
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (t) => {
      out += t;
      if (out.startsWith('ready\n')) {
        out = out.slice('ready\n'.length);
        resolve({ start: () => (child.stdin.end('go\n'), report) });
      }
    });
    report.catch(reject);
  });
}

function startCollector(cli, configFile, profDir, nodeFlags) {
  const execArgv = [...nodeFlags, ...(profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : [])];
  const child = spawn(process.execPath, [...execArgv, '--import', 'tsx', cli, '--config', configFile], {
    cwd: repoRoot, // tsx maps @tracklane/* to sources through the root tsconfig
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (text) => {
      output += text;
      const url = /"msg":"collector listening","url":"([^"]+)"/.exec(output)?.[1];
      if (url) resolve({ child, url, exited, output: () => output });
    });
    child.stderr.setEncoding('utf8').on('data', (text) => (output += text));
    exited.then((e) => reject(new Error(`collector exited ${JSON.stringify(e)} before listening:\n${output}`)));
  });
}

function runLoad(url, batch, o) {
  const child = spawn(process.execPath, [join(here, 'load.mjs'), url, KEY, String(batch), String(o.connections), String(o.warmupS), String(o.seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (t) => (out += t));
  return new Promise((resolve, reject) =>
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1))) : reject(new Error(`load generator exited ${code}`)))),
  );
}

/**
 * Lines in every part file under dir, read a megabyte at a time: a scenario can land more than a
 * string can hold (reading a file whole crashed once one passed 512 MB).
 */
function countLines(dir) {
  let lines = 0;
  let files = 0;
  const buffer = Buffer.allocUnsafe(1 << 20);
  for (const rel of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (!/part-[^/]+\.jsonl$/.test(rel)) continue;
    files++;
    const fd = openSync(join(dir, rel), 'r');
    try {
      for (let read; (read = readSync(fd, buffer, 0, buffer.length, null)) > 0; ) {
        for (let i = buffer.indexOf(0x0a); i !== -1 && i < read; i = buffer.indexOf(0x0a, i + 1)) lines++;
      }
    } finally {
      closeSync(fd);
    }
  }
  return { lines, files };
}

/** Mean time until a sink write was durable, and writes per second of load, from the collector's /metrics. */
async function sinkWriteStats(url) {
  const text = await (await fetch(new URL('/metrics', url))).text();
  const read = (name) => Number(new RegExp(`^${name}\\{sink="file"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  const sum = read('tracklane_collector_sink_write_duration_seconds_sum');
  const count = read('tracklane_collector_sink_write_duration_seconds_count');
  return { writes: count, meanMs: (1000 * sum) / count };
}

async function scenario(durability, batch, o, hostile = false) {
  const temp = mkdtempSync(join(os.tmpdir(), 'tracklane-bench-collector-'));
  const data = join(temp, 'data');
  const configFile = join(temp, 'collector.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      port: 0,
      schemas: [join(repoRoot, 'examples/tracking-plan/schemas')],
      writeKeys: [{ key: KEY }],
      sink: { type: 'file', dir: data, durability },
      limits: { maxBodyBytes: 4 * 1024 * 1024, rateLimit: { requestsPerSecond: 1e9 } },
      ...(o.validationThreads === undefined ? {} : { validationThreads: o.validationThreads }),
    }),
  );
  const profDir = o.cpuProf ? join(repoRoot, 'bench', 'results', 'cpu-prof', `collector-${durability}-${batch}-${Date.now()}`) : null;
  if (profDir) mkdirSync(profDir, { recursive: true });
  try {
    const collector = await startCollector(o.collector, configFile, profDir, o.nodeFlags);
    const attacker = hostile ? await prepareHostile(collector.url, o) : null;
    const cpu0 = cpuSeconds(collector.child.pid);
    const t0 = performance.now();
    const [load, attack] = await Promise.all([runLoad(collector.url, batch, o), attacker?.start()]);
    const cpu1 = cpuSeconds(collector.child.pid);
    const peakRss = peakRssMiB(collector.child.pid);
    const wallS = (performance.now() - t0) / 1000;
    const sinkWrite = await sinkWriteStats(collector.url);
    collector.child.kill('SIGTERM');
    await collector.exited;
    const store = countLines(join(data, 'good'));
    return {
      durability,
      hostile: attack,
      peakRssMiB: peakRss,
      ...load,
      collectorCpuPercent: cpu0 !== null && cpu1 !== null ? (100 * (cpu1 - cpu0)) / wallS : null,
      ratioToFloor: load.eventsPerSec / load.floorEventsPerSec,
      // What one core would sustain if the collector had it to itself (robust to a busy machine).
      eventsPerCpuSecond: cpu0 !== null && cpu1 !== null ? load.totals.accepted / (cpu1 - cpu0) : null,
      sinkWrite,
      store: { ...store, acknowledged: load.totals.accepted, ok: store.lines === load.totals.accepted },
      profile: profDir,
    };
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

const o = parseArgs(process.argv.slice(2));
console.log(`collector benchmark: ${os.cpus().length} CPUs (${os.cpus()[0]?.model}), Node ${process.version}, ${o.connections} connections, ${o.warmupS}s warm-up + ${o.seconds}s measured per scenario${o.nodeFlags.length ? `, collector node flags: ${o.nodeFlags.join(' ')}` : ''}`);
console.log(`collector: ${relative(repoRoot, o.collector)}, validation threads: ${o.validationThreads ?? 'the CLI default'}`);
console.log(`load average before: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}\n`);
const results = [];
for (const durability of o.durability) {
  for (const batch of o.batch) {
    for (const hostile of o.hostile ? [false, true] : [false]) {
      const r = await scenario(durability, batch, o, hostile);
      results.push(r);
      console.log(`  ${durability} x ${batch}${hostile ? ' beside the hostile client' : ''}: ${Math.round(r.eventsPerSec)} events/s, p50 ${r.p50Ms?.toFixed(1)} ms, p99 ${r.p99Ms?.toFixed(1)} ms, peak RSS ${r.peakRssMiB?.toFixed(0)} MiB (load generator CPU ${r.loadGeneratorCpuPercent.toFixed(0)} %, load average ${os.loadavg()[0].toFixed(1)})`);
      if (r.hostile) console.log(`    hostile client: ${r.hostile.requests} requests on ${r.hostile.connections} connections, answers ${JSON.stringify(r.hostile.answers)}`);
    }
  }
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
console.log('\n| durability | batch | hostile client | events/s | requests/s | p50 ms | p99 ms | peak RSS | JSON.parse floor events/s | ratio | collector CPU | events per collector CPU-s | sink write mean | store = acked | problems |');
console.log('|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|');
for (const r of results) {
  const problems = [
    ...Object.entries(r.totals.statuses).filter(([s]) => s !== '200').map(([s, n]) => `HTTP ${s} x${n}`),
    ...(r.totals.errors ? [`network errors ${r.totals.errors}`] : []),
    ...(r.totals.rejected ? [`rejected events ${r.totals.rejected}`] : []),
    ...(r.totals.duplicates ? [`duplicates ${r.totals.duplicates}`] : []),
  ];
  const non200 = problems.join(', ') || '-';
  console.log(
    `| ${r.durability} | ${r.batchSize} | ${r.hostile ? `yes (${r.hostile.requests} requests)` : 'no'} | ${fmt(r.eventsPerSec)} | ${fmt(r.requestsPerSec)} | ${r.p50Ms.toFixed(1)} | ${r.p99Ms.toFixed(1)} | ${r.peakRssMiB === null ? '?' : `${r.peakRssMiB.toFixed(0)} MiB`} | ${fmt(r.floorEventsPerSec)} | ${(r.ratioToFloor * 100).toFixed(1)} % | ${r.collectorCpuPercent === null ? '?' : `${r.collectorCpuPercent.toFixed(0)} %`} | ${r.eventsPerCpuSecond === null ? '?' : fmt(r.eventsPerCpuSecond)} | ${r.sinkWrite.meanMs.toFixed(1)} ms | ${r.store.ok ? 'yes' : `NO (${r.store.lines} stored, ${r.store.acknowledged} acked)`} | ${non200} |`,
  );
}
// The target is for the normal load alone.
const alone = results.filter((r) => !r.hostile);
const best = Math.max(...alone.map((r) => r.eventsPerSec));
const fileSinkMin = Math.min(...alone.map((r) => r.eventsPerSec));
console.log(`\ntarget >= ${fmt(TARGET_EVENTS_PER_SEC)} events/s with the file sink: best ${fmt(best)} (${best >= TARGET_EVENTS_PER_SEC ? 'met' : 'MISSED'}), worst scenario ${fmt(fileSinkMin)}`);
console.log('events per collector CPU-s: acknowledged events / CPU seconds the collector used (what one dedicated core would sustain; less sensitive to a busy machine than events/s).');
console.log(`event size ~${Math.round(results[0].bytesPerEvent)} bytes; load average after: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
if (o.cpuProf) console.log(`CPU profiles: ${results.map((r) => r.profile).join(', ')} (summarise: node bench/collector/profile-top.mjs <dir>)`);
mkdirSync(dirname(o.out), { recursive: true });
writeFileSync(o.out, `${JSON.stringify({ at: new Date().toISOString(), node: process.version, cpus: os.cpus().length, options: o, results }, null, 2)}\n`);
console.log(`results: ${o.out}`);
if (results.some((r) => !r.store.ok)) process.exitCode = 1;
