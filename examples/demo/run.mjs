#!/usr/bin/env node
// `pnpm demo`: generate typed trackers from the example plan, start the native collector with the
// file sink, run the example Node service against it, show what landed where, and load it into
// DuckDB with tracklane-warehouse.
// Ctrl-C stops the collector cleanly. `--exit` stops right after the summary (used by tests).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const plan = path.join(root, 'examples/tracking-plan');
const dataDir = path.join(here, '.data');
const writeKey = 'demo-server-key';
const exitAfterSummary = process.argv.includes('--exit');

const step = (text) => console.log(`\n▸ ${text}`);

function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], ...options });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${path.basename(args[0] ?? command)} exited with ${code}\n${out}`))));
  });
}

/** Starts the collector CLI and resolves with its URL once it logs that it listens. */
function startCollector() {
  const child = spawn(
    process.execPath,
    [path.join(root, 'packages/collector/dist/cli.js'), '--schemas', path.join(plan, 'schemas'), '--data', dataDir, '--write-key', `${writeKey},app=acme-billing`, '--port', process.env.DEMO_PORT ?? '0'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line);
        if (entry.msg === 'collector listening') resolve({ child, url: entry.url });
        else if (entry.level !== 'info') console.log(`  collector: ${entry.msg}`);
      } catch {
        console.log(`  collector: ${line}`);
      }
    });
    child.on('exit', (code) => reject(new Error(`collector exited with ${code}`)));
  });
}

function landed(kind) {
  const files = [];
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.jsonl')) files.push(full);
    }
  };
  walk(path.join(dataDir, kind));
  const records = files.flatMap((file) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line)));
  return { files, records };
}

step('tracklane generate: typed track functions from examples/tracking-plan/schemas');
process.stdout.write(await run(process.execPath, [path.join(root, 'codegen/dist/cli.js'), 'generate'], { cwd: plan }));

step('tracklane-collector: validating collector with the embedded raw store');
rmSync(dataDir, { recursive: true, force: true });
const { child: collector, url } = await startCollector();
console.log(`  listening on ${url}, raw store in ${path.relative(root, dataDir)}`);

step('examples/node-service: typed server-side events through @tracklane/node');
const serviceOut = await run(process.execPath, ['--import', 'tsx', path.join(root, 'examples/node-service/src/main.ts')], {
  cwd: path.join(root, 'examples/node-service'),
  env: { ...process.env, TRACKLANE_COLLECTOR_URL: url, TRACKLANE_WRITE_KEY: writeKey },
});
console.log(`  tracker: ${serviceOut.trim()}`);

step('what landed where');
const good = landed('good');
const bad = landed('bad');
console.log(`  good: ${good.records.length} events in ${good.files.map((f) => path.relative(root, f)).join(', ')}`);
console.log(`  bad:  ${bad.records.length} events in ${bad.files.map((f) => path.relative(root, f)).join(', ')}`);
const sample = good.records.find((r) => r.envelope.event.schema.includes('/signup/'));
if (sample) console.log(`  sample good record (the email is hashed on the device):\n${JSON.stringify(sample, null, 2).replace(/^/gm, '    ')}`);
if (bad.records[0]) console.log(`  sample bad record reasons: ${JSON.stringify(bad.records[0].errors)}`);
const metrics = await (await fetch(`${url}/metrics`)).text();
for (const line of metrics.split('\n').filter((l) => l.startsWith('tracklane_collector_events_total'))) console.log(`  ${line}`);
console.log(`\n  metrics: ${url}/metrics   health: ${url}/healthz   ready: ${url}/readyz`);

step('tracklane-warehouse: what landed, loaded into DuckDB tables derived from the same schemas');
const duckdbFile = path.join(dataDir, 'warehouse.duckdb');
// Its progress and summary go to stderr.
await run(process.execPath, [path.join(root, 'packages/warehouse/dist/cli.js'), 'load', '--from', dataDir, '--schemas', path.join(plan, 'schemas'), '--duckdb', duckdbFile]);
const { DuckDBInstance } = await import('@duckdb/node-api');
const warehouse = await DuckDBInstance.create(duckdbFile);
const sql = await warehouse.connect();
const rowsOf = async (text) => (await sql.runAndReadAll(text)).getRowObjectsJson();
const signupsSql = 'select plan, count(*)::int as signups from com_acme_signup_1 group by plan order by signups desc, plan';
console.log(`  ${signupsSql}`);
for (const { plan: name, signups } of await rowsOf(signupsSql)) console.log(`    ${String(name).padEnd(12)} ${signups}`);
const [{ events }] = await rowsOf('select count(*)::int as events from events');
const [{ quarantined }] = await rowsOf('select count(*)::int as quarantined from quarantine');
console.log(`  events: ${events} rows; quarantine: ${quarantined} rows (the collector's bad store, with reasons)`);
sql.closeSync();
warehouse.closeSync();
console.log(`  database: ${path.relative(root, duckdbFile)} (open it with the duckdb CLI, or @duckdb/node-api)`);

const stop = () => {
  if (collector.exitCode !== null || collector.signalCode !== null) process.exit(0);
  collector.once('exit', () => process.exit(0));
  collector.kill('SIGTERM');
};
if (exitAfterSummary) stop();
else {
  console.log('  The collector keeps running: press Ctrl-C to stop.');
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
