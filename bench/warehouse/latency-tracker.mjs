// The tracker of latency.mjs: a real @tracklane/node tracker (run under tsx from the repo root, so
// the import is the package's TypeScript sources) sending to the collector at <url>.
//   node --import tsx latency-tracker.mjs <url> <write key> <warm-up events> <events/s> <seconds> <tracker flush interval ms>
// First it tracks the warm-up events and flushes them, then waits for `go` on stdin (the bench
// starts measuring once the loader has them), then tracks at a steady rate for the given seconds
// and shuts down (its last flush). Each event is a stdout line `<phase> <event id> <epoch ms just
// before track()>` (phase W or T); the last line is the tracker's stats as JSON.
import { createInterface } from 'node:readline';
import { collectorDestination, createNodeTracker } from '@tracklane/node';

const [url, writeKey, warmup, rate, seconds, flushIntervalMs] = process.argv.slice(2);
const warnings = [];
const tracker = createNodeTracker({
  appId: 'bench-warehouse-latency',
  destinations: [collectorDestination({ url, writeKey })],
  flushIntervalMs: Number(flushIntervalMs),
  warn: (message) => warnings.push(message),
});

let n = 0;
let out = '';
function track(phase) {
  const at = Date.now();
  const id = tracker.track({ schema: 'iglu:com.acme/feature_used/jsonschema/1-0-0', data: { feature: 'export', workspace_id: `ws-${n % 50}`, duration_ms: n++ } });
  if (id === undefined) throw new Error('the tracker dropped an event');
  out += `${phase} ${id} ${at}\n`;
}
/** Writes the lines gathered so far: one write per tick, not one per event. */
function emit() {
  if (out !== '') process.stdout.write(out);
  out = '';
}

for (let i = 0; i < Number(warmup); i++) track('W');
emit();
await tracker.flush();
process.stdout.write('warmed\n');
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
while ((await lines.next()).value !== 'go');

// Steady rate: every tick tracks the events due by now, each timed on its own.
const total = Math.round(Number(rate) * Number(seconds));
const started = Date.now();
await new Promise((resolve) => {
  const timer = setInterval(() => {
    const due = Math.min(total, Math.floor(((Date.now() - started) * Number(rate)) / 1000));
    while (n - Number(warmup) < due) track('T');
    emit();
    if (n - Number(warmup) >= total) {
      clearInterval(timer);
      resolve();
    }
  }, 5);
});
await tracker.shutdown({ timeoutMs: 60_000 });
process.stdout.write(`${JSON.stringify({ stats: tracker.getStats(), warnings })}\n`);
process.exit(0);
