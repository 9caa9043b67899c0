#!/usr/bin/env node
// Warehouse latency benchmark (issue 15: the time from `track()` to a row in the table with
// `--follow`, p95 under 10 s), from the FILE raw store. Per target, three real processes on
// loopback, each started as its users start it (TypeScript sources under tsx, cwd the repo root):
//   - `tracklane-collector --sink file` (the default) with the example tracking plan, port 0;
//   - a @tracklane/node tracker (latency-tracker.mjs) tracking at a steady rate for a while;
//   - `tracklane-warehouse load --from <the collector's store> --follow` into DuckDB or PostgreSQL.
// Per event: track() -> its row in `events`, from the time taken just before track() (epoch ms,
// the tracker's process) to
//   - committed: the loader's progress line for the batch that holds the row (`loaded ...`, written
//     after the batch's transaction committed), as it reaches this process; the batch of a row is
//     found after the run by its load_tstamp (one per batch). Both targets.
//   - visible (PostgreSQL only): the start of the first query of a second connection, polling every
//     --poll-ms by event id, that sees the row (an upper bound; at most a poll interval late).
// Plus where the time goes, from the row itself: track -> collector_tstamp (the tracker's flush
// interval and the request), collector -> load_tstamp (the loader's --flush-interval-ms and the
// read), load_tstamp -> committed (building the rows, the transaction with its sessions refresh).
//
//   node bench/warehouse/latency.mjs [--targets duckdb,postgres] [--seconds 45] [--rate 300]
//     [--warmup 20] [--tracker-flush-interval-ms 1000] [--durability fsync|write]
//     [--flush-interval-ms 1000] [--batch-size 10000] [--poll-ms 100] [--out <file.json>]
//
// PostgreSQL: TRACKLANE_POSTGRES_URL, else test/postgres/start.sh's (started when not running).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { CLI, doneLine, here, repoRoot, SCHEMAS, writeResult } from './common.mjs';
import { pg, postgresServer, query, withDatabases } from './postgres-server.mjs';

const KEY = 'bench-latency-key';
const TARGET_P95_MS = 10_000;
/** How long the last events may take to land after the tracker shut down before the run fails. */
const DRAIN_TIMEOUT_MS = 120_000;

const options = {
  targets: ['duckdb', 'postgres'],
  seconds: 45,
  rate: 300,
  warmup: 20,
  trackerFlushIntervalMs: 1000,
  durability: 'fsync',
  flushIntervalMs: 1000,
  batchSize: 10_000,
  pollMs: 100,
  out: join(repoRoot, 'bench', 'results', 'warehouse-latency-latest.json'),
};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const [flag, inline] = argv[i].split('=', 2);
  const value = () => inline ?? argv[++i];
  const number = (name) => (options[name] = Number(value()));
  if (flag === '--targets') options.targets = value().split(',');
  else if (flag === '--seconds') number('seconds');
  else if (flag === '--rate') number('rate');
  else if (flag === '--warmup') number('warmup');
  else if (flag === '--tracker-flush-interval-ms') number('trackerFlushIntervalMs');
  else if (flag === '--durability') options.durability = value();
  else if (flag === '--flush-interval-ms') number('flushIntervalMs');
  else if (flag === '--batch-size') number('batchSize');
  else if (flag === '--poll-ms') number('pollMs');
  else if (flag === '--out') options.out = resolve(value());
  else throw new Error(`unknown flag ${flag}`);
}
for (const t of options.targets) if (t !== 'duckdb' && t !== 'postgres') throw new Error('--targets takes duckdb and/or postgres');

/** A node child under tsx, cwd the repo root; `onLine(line, at)` for each line of stdout and stderr; the last 64 KiB of both kept for errors. */
function start(args, onLine = () => undefined, stdin = 'ignore') {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: repoRoot, stdio: [stdin, 'pipe', 'pipe'] });
  let tail = '';
  const exited = new Promise((done) => child.on('close', (code, signal) => done({ code, signal })));
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.setEncoding('utf8').on('data', (text) => {
      const at = Date.now();
      tail = (tail + text).slice(-65_536);
      const lines = (partial + text).split('\n');
      partial = lines.pop();
      for (const line of lines) onLine(line, at);
    });
  }
  return { child, exited, output: () => tail };
}

/** Resolves when `condition()` holds (checked every 20 ms), or rejects after `ms` with `what`. */
async function waitFor(condition, ms, what) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Nearest-rank percentiles of `values` (ms), rounded. */
function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  return { count: sorted.length, p50: at(50), p95: at(95), p99: at(99), max: sorted.at(-1), mean: Math.round(sorted.reduce((a, b) => a + b, 0) / sorted.length) };
}

async function runTarget(target, targetArgs, readRows, visibility) {
  const dir = mkdtempSync(join(os.tmpdir(), 'tracklane-bench-latency-'));
  const raw = join(dir, 'raw');
  const processes = [];
  try {
    let url;
    const collector = start([join(repoRoot, 'packages/collector/src/cli.ts'), '--schemas', SCHEMAS, '--data', raw, '--write-key', KEY, '--port', '0', '--host', '127.0.0.1', '--durability', options.durability], (line) => {
      url ??= /"msg":"collector listening","url":"([^"]+)"/.exec(line)?.[1];
    });
    processes.push(collector);
    await Promise.race([waitFor(() => url !== undefined, 60_000, 'the collector to listen'), collector.exited.then((e) => Promise.reject(new Error(`collector exited ${JSON.stringify(e)}:\n${collector.output()}`)))]);

    // Each `loaded` line: the cumulative counts once a batch committed, and when it reached us.
    const batches = [];
    const loader = start([CLI, 'load', '--from', raw, '--schemas', SCHEMAS, ...targetArgs, '--follow', '--flush-interval-ms', String(options.flushIntervalMs), '--batch-size', String(options.batchSize)], (line, at) => {
      const m = /^loaded (\d+) lines, (\d+) events, (\d+) quarantined/.exec(line);
      if (m) batches.push({ at, events: Number(m[2]), quarantined: Number(m[3]) });
    });
    processes.push(loader);
    const loadedEvents = () => batches.at(-1)?.events ?? 0;

    const tracked = new Map();
    let warmed = false;
    let trackerResult;
    const tracker = start(
      [join(here, 'latency-tracker.mjs'), url, KEY, String(options.warmup), String(options.rate), String(options.seconds), String(options.trackerFlushIntervalMs)],
      (line) => {
        if (line === 'warmed') warmed = true;
        else if (line.startsWith('{')) trackerResult = JSON.parse(line);
        else if (line.startsWith('T ')) {
          const [, id, at] = line.split(' ');
          tracked.set(id, Number(at));
        }
      },
      'pipe',
    );
    processes.push(tracker);
    // Any of them ending before the bench stops it (the tracker: failing) fails the run.
    let stopping = false;
    const failed = (p, name, ok = () => stopping) => new Promise((_, reject) => p.exited.then((e) => ok(e) || reject(new Error(`${name} exited ${JSON.stringify(e)}:\n${p.output()}`))));
    const anyExit = Promise.race([failed(collector, 'collector'), failed(loader, 'loader'), failed(tracker, 'tracker', (e) => e.code === 0)]);
    anyExit.catch(() => undefined);

    // Warm-up: the loader has started, made its tables and loaded the first events before timing starts.
    await Promise.race([waitFor(() => warmed && loadedEvents() >= options.warmup, 120_000, 'the warm-up events to load'), anyExit]);
    const seen = visibility ? await visibility.start(tracked) : undefined;
    const loadBefore = os.loadavg()[0];
    tracker.child.stdin.end('go\n');
    const total = Math.round(options.rate * options.seconds);
    await Promise.race([waitFor(() => trackerResult !== undefined, (options.seconds + 120) * 1000, 'the tracker to finish'), anyExit]);
    await Promise.race([waitFor(() => loadedEvents() >= options.warmup + total && (!seen || seen.pending() === 0), DRAIN_TIMEOUT_MS, 'every event to load'), anyExit]);
    const loadAfter = os.loadavg()[0];
    await visibility?.stop();

    // SIGTERM: the loader ends after its current batch, with its `done:` line; then the collector.
    stopping = true;
    loader.child.kill('SIGTERM');
    await loader.exited;
    const done = doneLine(loader.output());
    collector.child.kill('SIGTERM');
    await collector.exited;
    if (tracked.size !== total) throw new Error(`the tracker tracked ${tracked.size} of ${total} events`);
    if (trackerResult.stats.delivered !== options.warmup + total || trackerResult.warnings.length > 0) throw new Error(`the tracker did not deliver every event: ${JSON.stringify(trackerResult)}`);
    if (!done || done.events !== options.warmup + total || done.quarantined !== 0) throw new Error(`the loader did not load every event once:\n${loader.output()}`);

    const rows = await readRows();
    if (rows.length !== options.warmup + total) throw new Error(`events holds ${rows.length} rows, ${options.warmup + total} were tracked`);
    // One load_tstamp per batch, batches committed in order: the k-th load_tstamp is the k-th batch with events.
    const perLoad = new Map();
    for (const r of rows) perLoad.set(r.l, (perLoad.get(r.l) ?? 0) + 1);
    const loads = [...perLoad.keys()].sort((a, b) => a - b);
    const withEvents = batches.filter((b, i) => b.events > (batches[i - 1]?.events ?? 0));
    const committedAt = new Map();
    if (loads.length !== withEvents.length) throw new Error(`${loads.length} load_tstamps in events, ${withEvents.length} batches with events reported`);
    loads.forEach((l, i) => {
      const size = withEvents[i].events - (withEvents[i - 1]?.events ?? 0);
      if (perLoad.get(l) !== size) throw new Error(`batch ${i} reported ${size} events, its load_tstamp has ${perLoad.get(l)} rows`);
      committedAt.set(l, withEvents[i].at);
    });

    const measured = rows.filter((r) => tracked.has(r.id));
    if (measured.length !== total) throw new Error(`${measured.length} of the ${total} tracked events are in events`);
    const times = [...tracked.values()];
    const of = (f) => summary(measured.map(f));
    const committed = of((r) => committedAt.get(r.l) - tracked.get(r.id));
    const result = {
      target,
      ...(visibility ? { version: visibility.version } : {}),
      events: total,
      trackedPerSecond: Math.round(total / ((Math.max(...times) - Math.min(...times)) / 1000)),
      batches: withEvents.length,
      loadAverage: { before: +loadBefore.toFixed(1), after: +loadAfter.toFixed(1) },
      committedMs: committed,
      ...(seen ? { visibleMs: of((r) => seen.at.get(r.id) - tracked.get(r.id)) } : {}),
      stagesMs: {
        trackToCollector: of((r) => r.c - tracked.get(r.id)),
        collectorToLoadTstamp: of((r) => r.l - r.c),
        loadTstampToCommitted: of((r) => committedAt.get(r.l) - r.l),
      },
    };
    result.meetsTarget = Math.max(result.committedMs.p95, result.visibleMs?.p95 ?? 0) < TARGET_P95_MS;
    return result;
  } finally {
    for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** DuckDB: one writer process, so the rows are read after the loader exited, read-only. */
async function duckdb() {
  const dir = mkdtempSync(join(os.tmpdir(), 'tracklane-bench-latency-db-'));
  const file = join(dir, 'warehouse.duckdb');
  try {
    return await runTarget('duckdb', ['--duckdb', file], async () => {
      const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
      const connection = await instance.connect();
      try {
        const reader = await connection.runAndReadAll('SELECT event_id AS id, CAST(epoch_ms(collector_tstamp) AS DOUBLE) AS c, CAST(epoch_ms(load_tstamp) AS DOUBLE) AS l FROM events');
        return reader.getRowObjectsJS();
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** PostgreSQL: a second connection polls `events` by id while the loader writes. */
async function postgres() {
  const server = postgresServer();
  const [{ server_version: version }] = await query(server, 'SHOW server_version');
  return withDatabases(server, [`bench_latency_${process.pid}`], async ([url]) => {
    const ROWS = 'SELECT event_id AS id, extract(epoch FROM collector_tstamp)::float8 * 1000 AS c, extract(epoch FROM load_tstamp)::float8 * 1000 AS l FROM events';
    let client;
    let polling;
    const visibility = {
      version,
      async start(tracked) {
        client = new pg.Client({ connectionString: url });
        await client.connect();
        const at = new Map();
        const pending = () => [...tracked.keys()].filter((id) => !at.has(id));
        let stopped = false;
        polling = (async () => {
          while (!stopped) {
            const ids = pending();
            const asked = Date.now();
            if (ids.length > 0) for (const { id } of (await client.query('SELECT event_id AS id FROM events WHERE event_id = ANY($1)', [ids])).rows) at.set(id, asked);
            await new Promise((r) => setTimeout(r, Math.max(0, options.pollMs - (Date.now() - asked))));
          }
        })();
        visibility.stop = async () => {
          stopped = true;
          await polling;
          await client.end();
        };
        return { at, pending: () => pending().length };
      },
    };
    return runTarget('postgres', ['--postgres', url], async () => (await query(url, ROWS)).map((r) => ({ id: r.id, c: r.c, l: r.l })), visibility);
  });
}

console.log(
  `warehouse latency, file raw store: ${options.rate} events/s for ${options.seconds} s per target; tracker flush interval ${options.trackerFlushIntervalMs} ms (batches of at most 500); ` +
    `collector file sink durability ${options.durability} (written before the 200, no sink flush interval); loader --follow --flush-interval-ms ${options.flushIntervalMs} --batch-size ${options.batchSize}; ` +
    `${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)}`,
);
const results = [];
for (const target of options.targets) {
  const r = target === 'duckdb' ? await duckdb() : await postgres();
  results.push(r);
  const line = (name, s) => `${name} p50 ${s.p50} / p95 ${s.p95} / p99 ${s.p99} / max ${s.max} ms`;
  console.log(`${target}${r.version ? ` ${r.version}` : ''}: ${r.events} events (${r.trackedPerSecond}/s) in ${r.batches} batches, load average ${r.loadAverage.before}-${r.loadAverage.after}`);
  console.log(`  track() -> ${line('committed (loader line)', r.committedMs)}`);
  if (r.visibleMs) console.log(`  track() -> ${line(`visible to a reader (polled every ${options.pollMs} ms)`, r.visibleMs)}`);
  for (const [stage, s] of Object.entries(r.stagesMs)) console.log(`    ${line(stage, s)}`);
  console.log(`  p95 under ${TARGET_P95_MS / 1000} s: ${r.meetsTarget}`);
}
writeResult(options.out, { at: new Date().toISOString(), node: process.version, cpus: os.cpus().length, settings: { ...options, out: undefined, trackerBatchMaxEvents: 500 }, results });
console.log(`results: ${options.out}`);
