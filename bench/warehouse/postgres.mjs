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
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure } from './measure.mjs';
import { writeStore } from './store.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const CLI = join(repoRoot, 'packages/warehouse/src/cli.ts');
const SCHEMAS = join(repoRoot, 'examples/tracking-plan/schemas');
const pg = createRequire(join(repoRoot, 'packages/warehouse/package.json'))('pg');

const options = { events: 1_000_000, batchSize: 10_000, out: join(repoRoot, 'bench', 'results', 'warehouse-postgres-latest.json') };
for (let i = 2; i < process.argv.length; i++) {
  const [flag, inline] = process.argv[i].split('=', 2);
  const value = () => inline ?? process.argv[++i];
  if (flag === '--events') options.events = Number(value());
  else if (flag === '--batch-size') options.batchSize = Number(value());
  else if (flag === '--out') options.out = resolve(value());
  else throw new Error(`unknown flag ${flag}`);
}

const server = process.env.TRACKLANE_POSTGRES_URL ?? execFileSync('bash', [join(repoRoot, 'test/postgres/start.sh')], { encoding: 'utf8' }).trim().split('\n').at(-1);
async function admin(sql) {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}
const databaseUrl = (name) => Object.assign(new URL(server), { pathname: `/${name}` }).toString();
const [{ server_version: version }] = await admin('SHOW server_version');

const dir = mkdtempSync(join(os.tmpdir(), 'tracklane-bench-warehouse-pg-'));
const databases = [`bench_loader_${process.pid}`, `bench_floor_${process.pid}`];
try {
  const store = join(dir, 'store');
  process.stdout.write(`writing a raw store of ${options.events} events... `);
  const bytes = writeStore(store, options.events);
  console.log(`${(bytes / 2 ** 20).toFixed(0)} MiB; PostgreSQL ${version}`);
  for (const name of databases) await admin(`CREATE DATABASE ${name}`);
  const [loaderUrl, floorUrl] = databases.map(databaseUrl);

  const loader = await measure(['--import', 'tsx', CLI, 'load', '--from', store, '--schemas', SCHEMAS, '--postgres', loaderUrl, '--batch-size', String(options.batchSize)]);
  const done = /done: (\d+) lines, (\d+) events, (\d+) quarantined/.exec(loader.out);
  if (!done || Number(done[2]) !== options.events || done[3] !== '0') throw new Error(`the loader did not load every event:\n${loader.out}`);

  // The floor's table: the loader's own DDL, created by a load of an empty store.
  const empty = join(dir, 'empty');
  mkdirSync(join(empty, 'good'), { recursive: true });
  await measure(['--import', 'tsx', CLI, 'load', '--from', empty, '--schemas', SCHEMAS, '--postgres', floorUrl]);
  const floor = await measure([join(here, 'floor-postgres.mjs'), floorUrl, store]);
  const floorResult = JSON.parse(floor.out.trim().split('\n').at(-1));
  if (floorResult.rows !== options.events) throw new Error(`the floor loaded ${floorResult.rows} rows`);

  const rate = (s) => Math.round(options.events / s);
  const result = {
    events: options.events,
    storeMiB: Math.round(bytes / 2 ** 20),
    batchSize: options.batchSize,
    postgres: version,
    loader: { seconds: +loader.seconds.toFixed(2), eventsPerSecond: rate(loader.seconds), peakRssMiB: Math.round(loader.peakMiB) },
    floor: { seconds: +floorResult.seconds.toFixed(2), eventsPerSecond: rate(floorResult.seconds), csvMiB: floorResult.csvMiB },
  };
  result.ratioToFloor = +(result.loader.eventsPerSecond / result.floor.eventsPerSecond).toFixed(3);
  result.meetsTarget = { rate: result.ratioToFloor >= 0.5, rss: result.loader.peakRssMiB < 512 };
  console.log(`loader: ${result.loader.eventsPerSecond} events/s (${result.loader.seconds} s, process start included), peak RSS ${result.loader.peakRssMiB} MiB`);
  console.log(`floor (COPY of the events rows as CSV): ${result.floor.eventsPerSecond} events/s (${result.floor.seconds} s, ${result.floor.csvMiB} MiB of CSV)`);
  console.log(`ratio to floor: ${result.ratioToFloor} (target >= 0.5); RSS under 512 MiB: ${result.meetsTarget.rss}; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`);
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, `${JSON.stringify(result, null, 2)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
  for (const name of databases) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
}
