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
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createLoaderTables, here, measureFloor, measureLoad, reportThroughput, throughputOptions, writeBenchStore } from './common.mjs';

const options = throughputOptions(process.argv.slice(2), 'warehouse-latest.json');

const dir = mkdtempSync(join(os.tmpdir(), 'tracklane-bench-warehouse-'));
try {
  const store = join(dir, 'store');
  const bytes = writeBenchStore(store, options.events);
  const loader = await measureLoad(store, ['--duckdb', join(dir, 'loader.duckdb')], options.batchSize, options.events);

  const floorDb = join(dir, 'floor.duckdb');
  await createLoaderTables(dir, ['--duckdb', floorDb]);
  const floor = await measureFloor([join(here, 'floor.mjs'), floorDb, store], options.events);

  reportThroughput({
    options,
    bytes,
    loader,
    floorSeconds: floor.result.seconds,
    floorExtra: { peakRssMiB: Math.round(floor.peakMiB) },
    floorLine: (f) => `floor (DuckDB read_json into events): ${f.eventsPerSecond} events/s (${f.seconds} s), peak RSS ${f.peakRssMiB} MiB`,
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
