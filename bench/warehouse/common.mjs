// What the warehouse benchmarks share: where the loader's CLI and the example schemas are, the
// command line of the throughput runs (run.mjs, postgres.mjs), the store they load, the check that
// every event landed, the floor's empty tables and how a result is printed and written.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure } from './measure.mjs';
import { writeStore } from './store.mjs';

export const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');
/** `tracklane-warehouse` from its TypeScript sources: run with `--import tsx`, cwd the repo root. */
export const CLI = join(repoRoot, 'packages/warehouse/src/cli.ts');
export const SCHEMAS = join(repoRoot, 'examples/tracking-plan/schemas');

/** `--events 1000000 --batch-size 10000 --out <file.json>` (also `--flag=value`); `out` defaults to bench/results/<resultName>. */
export function throughputOptions(argv, resultName) {
  const options = { events: 1_000_000, batchSize: 10_000, out: join(repoRoot, 'bench', 'results', resultName) };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--events') options.events = Number(value());
    else if (flag === '--batch-size') options.batchSize = Number(value());
    else if (flag === '--out') options.out = resolve(value());
    else throw new Error(`unknown flag ${flag}`);
  }
  return options;
}

/** Writes the synthetic raw store of `events` events under `store`, saying so; its size in bytes. */
export function writeBenchStore(store, events, suffix = () => '') {
  process.stdout.write(`writing a raw store of ${events} events... `);
  const bytes = writeStore(store, events);
  console.log(`${(bytes / 2 ** 20).toFixed(0)} MiB${suffix()}`);
  return bytes;
}

/** The counts of the loader's last `done:` line, or undefined. */
export function doneLine(out) {
  const done = [...out.matchAll(/done: (\d+) lines, (\d+) events, (\d+) quarantined/g)].at(-1);
  return done && { lines: Number(done[1]), events: Number(done[2]), quarantined: Number(done[3]) };
}

/** Runs `tracklane-warehouse load --from <store>` with `targetArgs`, measured; fails unless all `events` landed and none was quarantined. */
export async function measureLoad(store, targetArgs, batchSize, events) {
  const loader = await measure(['--import', 'tsx', CLI, 'load', '--from', store, '--schemas', SCHEMAS, ...targetArgs, '--batch-size', String(batchSize)]);
  const done = doneLine(loader.out);
  if (!done || done.events !== events || done.quarantined !== 0) throw new Error(`the loader did not load every event:\n${loader.out}`);
  return loader;
}

/** The floor's tables: the loader's own DDL, made by a load of an empty store under `dir`. */
export async function createLoaderTables(dir, targetArgs) {
  const empty = join(dir, 'empty');
  mkdirSync(join(empty, 'good'), { recursive: true });
  await measure(['--import', 'tsx', CLI, 'load', '--from', empty, '--schemas', SCHEMAS, ...targetArgs]);
}

/** Runs a floor script (its last stdout line is JSON with `rows`), measured; fails unless it loaded all `events`. */
export async function measureFloor(args, events) {
  const floor = await measure(args);
  const result = JSON.parse(floor.out.trim().split('\n').at(-1));
  if (result.rows !== events) throw new Error(`the floor loaded ${result.rows} rows`);
  return { ...floor, result };
}

/**
 * The result of a throughput run, printed and written to `options.out`: `fields` (after events,
 * storeMiB, batchSize), the loader's rate and RSS, `floor` (its seconds, with `floorExtra`), the
 * ratio and issue 15's targets (at least 50% of the floor's rate, peak RSS under 512 MiB).
 */
export function reportThroughput({ options, bytes, fields = {}, loader, floorSeconds, floorExtra, floorLine }) {
  const rate = (s) => Math.round(options.events / s);
  const result = {
    events: options.events,
    storeMiB: Math.round(bytes / 2 ** 20),
    batchSize: options.batchSize,
    ...fields,
    loader: { seconds: +loader.seconds.toFixed(2), eventsPerSecond: rate(loader.seconds), peakRssMiB: Math.round(loader.peakMiB) },
    floor: { seconds: +floorSeconds.toFixed(2), eventsPerSecond: rate(floorSeconds), ...floorExtra },
  };
  result.ratioToFloor = +(result.loader.eventsPerSecond / result.floor.eventsPerSecond).toFixed(3);
  result.meetsTarget = { rate: result.ratioToFloor >= 0.5, rss: result.loader.peakRssMiB < 512 };
  console.log(`loader: ${result.loader.eventsPerSecond} events/s (${result.loader.seconds} s, process start included), peak RSS ${result.loader.peakRssMiB} MiB`);
  console.log(floorLine(result.floor));
  console.log(`ratio to floor: ${result.ratioToFloor} (target >= 0.5); RSS under 512 MiB: ${result.meetsTarget.rss}; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`);
  writeResult(options.out, result);
  return result;
}

/** Writes a result as indented JSON, creating its directory. */
export function writeResult(file, result) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
}
