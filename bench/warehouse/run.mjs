#!/usr/bin/env node
// Warehouse benchmark: events per second from a raw store into DuckDB with `tracklane-warehouse load`
// (the real CLI, TypeScript sources under tsx, in a child process), and its peak RSS, beside a floor
// measured in the same run on the same files: DuckDB's own read_json into the same `events` table
// (floor.mjs). The loader also writes the event and entity tables and checks every value; the floor
// writes `events` alone.
//
//   node bench/warehouse/run.mjs [--events 1000000] [--batch-size 10000] [--out <file.json>]
//
// Target (issue 15): at least 50% of the floor's rate, peak RSS under 512 MiB.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure } from './measure.mjs';
import { writeStore } from './store.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const CLI = join(repoRoot, 'packages/warehouse/src/cli.ts');
const SCHEMAS = join(repoRoot, 'examples/tracking-plan/schemas');

const options = { events: 1_000_000, batchSize: 10_000, out: join(repoRoot, 'bench', 'results', 'warehouse-latest.json') };
for (let i = 2; i < process.argv.length; i++) {
  const [flag, inline] = process.argv[i].split('=', 2);
  const value = () => inline ?? process.argv[++i];
  if (flag === '--events') options.events = Number(value());
  else if (flag === '--batch-size') options.batchSize = Number(value());
  else if (flag === '--out') options.out = resolve(value());
  else throw new Error(`unknown flag ${flag}`);
}

const dir = mkdtempSync(join(os.tmpdir(), 'tracklane-bench-warehouse-'));
try {
  const store = join(dir, 'store');
  process.stdout.write(`writing a raw store of ${options.events} events... `);
  const bytes = writeStore(store, options.events);
  console.log(`${(bytes / 2 ** 20).toFixed(0)} MiB`);

  const loaderDb = join(dir, 'loader.duckdb');
  const loader = await measure(['--import', 'tsx', CLI, 'load', '--from', store, '--schemas', SCHEMAS, '--duckdb', loaderDb, '--batch-size', String(options.batchSize)]);
  const done = /done: (\d+) lines, (\d+) events, (\d+) quarantined/.exec(loader.out);
  if (!done || Number(done[2]) !== options.events || done[3] !== '0') throw new Error(`the loader did not load every event:\n${loader.out}`);

  // The floor's table: the loader's own DDL, created by a load of an empty store.
  const floorDb = join(dir, 'floor.duckdb');
  const empty = join(dir, 'empty');
  mkdirSync(join(empty, 'good'), { recursive: true });
  await measure(['--import', 'tsx', CLI, 'load', '--from', empty, '--schemas', SCHEMAS, '--duckdb', floorDb]);
  const floor = await measure([join(here, 'floor.mjs'), floorDb, store]);
  const floorResult = JSON.parse(floor.out.trim().split('\n').at(-1));
  if (floorResult.rows !== options.events) throw new Error(`the floor loaded ${floorResult.rows} rows`);

  const rate = (s) => Math.round(options.events / s);
  const result = {
    events: options.events,
    storeMiB: Math.round(bytes / 2 ** 20),
    batchSize: options.batchSize,
    loader: { seconds: +loader.seconds.toFixed(2), eventsPerSecond: rate(loader.seconds), peakRssMiB: Math.round(loader.peakMiB) },
    floor: { seconds: +floorResult.seconds.toFixed(2), eventsPerSecond: rate(floorResult.seconds), peakRssMiB: Math.round(floor.peakMiB) },
  };
  result.ratioToFloor = +(result.loader.eventsPerSecond / result.floor.eventsPerSecond).toFixed(3);
  result.meetsTarget = { rate: result.ratioToFloor >= 0.5, rss: result.loader.peakRssMiB < 512 };
  console.log(`loader: ${result.loader.eventsPerSecond} events/s (${result.loader.seconds} s, process start included), peak RSS ${result.loader.peakRssMiB} MiB`);
  console.log(`floor (DuckDB read_json into events): ${result.floor.eventsPerSecond} events/s (${result.floor.seconds} s), peak RSS ${result.floor.peakRssMiB} MiB`);
  console.log(`ratio to floor: ${result.ratioToFloor} (target >= 0.5); RSS under 512 MiB: ${result.meetsTarget.rss}; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`);
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, `${JSON.stringify(result, null, 2)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
