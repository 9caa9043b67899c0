#!/usr/bin/env node
// Warehouse benchmark, PostgreSQL: events per second from a raw store into PostgreSQL with
// `tracklane-warehouse load --postgres` (the real CLI from its TypeScript sources, in a child
// process), and its peak RSS, beside a floor measured in the same run on the same data: `COPY` of
// the same events rows prepared as CSV (floor-postgres.mjs). The loader also writes the event and
// entity tables and checks every value; the floor writes `events` alone.
//
//   node bench/warehouse/postgres.mjs [--events 1000000] [--batch-size 10000] [--out <file.json>]
//
// The server: TRACKLANE_POSTGRES_URL, else test/postgres/start.sh's (started when not running).
// Target (issue 15): at least 50% of the floor's rate, peak RSS under 512 MiB.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createLoaderTables, here, measureFloor, measureLoad, reportThroughput, throughputOptions, writeBenchStore } from './common.mjs';
import { postgresServer, query, withDatabases } from './postgres-server.mjs';

const options = throughputOptions(process.argv.slice(2), 'warehouse-postgres-latest.json');

const server = postgresServer();
const [{ server_version: version }] = await query(server, 'SHOW server_version');

const dir = mkdtempSync(join(os.tmpdir(), 'tracklane-bench-warehouse-pg-'));
try {
  const store = join(dir, 'store');
  const bytes = writeBenchStore(store, options.events, () => `; PostgreSQL ${version}`);
  await withDatabases(server, [`bench_loader_${process.pid}`, `bench_floor_${process.pid}`], async ([loaderUrl, floorUrl]) => {
    const loader = await measureLoad(store, ['--postgres', loaderUrl], options.batchSize, options.events);

    await createLoaderTables(dir, ['--postgres', floorUrl]);
    const floor = await measureFloor([join(here, 'floor-postgres.mjs'), floorUrl, store], options.events);

    reportThroughput({
      options,
      bytes,
      fields: { postgres: version },
      loader,
      floorSeconds: floor.result.seconds,
      floorExtra: { csvMiB: floor.result.csvMiB },
      floorLine: (f) => `floor (COPY of the events rows as CSV): ${f.eventsPerSecond} events/s (${f.seconds} s, ${f.csvMiB} MiB of CSV)`,
    });
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
