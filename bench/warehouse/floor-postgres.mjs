// The PostgreSQL floor: the same `events` rows the loader writes, prepared as CSV beforehand (not
// timed), then one `COPY events FROM STDIN (FORMAT csv)` into the same table (the loader's DDL, made
// by a load of an empty store), timed alone. Run as a child so its peak RSS is its own.
//   node floor-postgres.mjs <postgres url> <raw store>
import { createReadStream, createWriteStream, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

// pg is the warehouse package's dependency: resolved from there.
const require = createRequire(join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'), 'packages/warehouse/package.json'));
const pg = require('pg');
const { from: copyFrom } = require('pg-copy-streams');

const [url, store] = process.argv.slice(2);

// The events columns in the loader's order (EVENTS_COLUMNS), from a good record.
const COLUMNS = ['event_id', 'event_tstamp', 'event_date', 'dvce_created_tstamp', 'dvce_sent_tstamp', 'true_tstamp', 'collector_tstamp', 'load_tstamp',
  'app_id', 'app_version', 'platform', 'tracker_name', 'tracker_version', 'tracker_namespace', 'user_id', 'anonymous_id', 'session_id', 'session_index',
  'page_url', 'page_referrer', 'page_title', 'useragent', 'device_language', 'device_timezone', 'device_screen', 'consent_purposes', 'consent_policy_version',
  'consent_source', 'event_schema', 'event_vendor', 'event_name', 'event_version'];

function row({ receivedAt, envelope: e }, loadedAt) {
  const happened = e.ts.true ?? e.ts.created;
  const [, vendor, name, , version] = /^iglu:([^/]+)\/([^/]+)\/(jsonschema)\/(.+)$/.exec(e.event.schema) ?? [];
  return [e.id, happened, happened.slice(0, 10), e.ts.created, e.ts.sent, e.ts.true, receivedAt, loadedAt,
    e.app?.id, e.app?.version, e.app?.platform, e.tracker?.name, e.tracker?.version, e.tracker?.namespace,
    e.user?.userId, e.user?.anonymousId, e.user?.sessionId, e.user?.sessionIndex,
    e.page?.url, e.page?.referrer, e.page?.title, e.device?.userAgent, e.device?.language, e.device?.timezone, e.device?.screen,
    e.consent?.purposes === undefined ? undefined : JSON.stringify(e.consent.purposes), e.consent?.policyVersion, e.consent?.source,
    e.event.schema, vendor, name, version];
}

const csv = (value) => (value === undefined || value === null ? '' : `"${String(value).replace(/"/g, '""')}"`);

function partFiles(dir) {
  return readdirSync(dir, { recursive: true }).map((f) => join(dir, f)).filter((f) => f.endsWith('.jsonl') && statSync(f).isFile()).sort();
}

// Prepared, not timed: every good line as a CSV row.
const tmp = mkdtempSync(join(os.tmpdir(), 'tracklane-floor-pg-'));
const file = join(tmp, 'events.csv');
try {
  const out = createWriteStream(file);
  const loadedAt = new Date().toISOString();
  let rows = 0;
  for (const part of partFiles(join(store, 'good'))) {
    for await (const line of createInterface({ input: createReadStream(part), crlfDelay: Infinity })) {
      if (line === '') continue;
      if (!out.write(`${row(JSON.parse(line), loadedAt).map(csv).join(',')}\n`)) await new Promise((r) => out.once('drain', r));
      rows++;
    }
  }
  await new Promise((r, j) => out.end((error) => (error ? j(error) : r())));

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const started = performance.now();
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), client.query(copyFrom(`COPY events (${COLUMNS.join(', ')}) FROM STDIN (FORMAT csv)`)));
  const seconds = (performance.now() - started) / 1000;
  const { rows: [{ n }] } = await client.query('SELECT count(*)::int AS n FROM events');
  await client.end();
  if (n !== rows) throw new Error(`the floor prepared ${rows} rows and events has ${n}`);
  process.stdout.write(`${JSON.stringify({ rows: n, seconds, csvMiB: Math.round(statSync(file).size / 2 ** 20) })}\n`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
