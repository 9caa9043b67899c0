// Load generator child of bench/collector/run.mjs: N keep-alive connections on loopback, each posting
// one batch at a time to the collector; then the JSON.parse floor on the bodies it sent.
//
//   node bench/collector/load.mjs <collector url> <write key> <batch size> <connections> <warmup s> <measure s>
//
// Prints one JSON line: requests, accepted events, latencies (measure window only) and the floor.

import http from 'node:http';
import { batchFactory } from './bodies.mjs';

const [url, key, batchArg, connArg, warmupArg, measureArg] = process.argv.slice(2);
const batchSize = Number(batchArg);
const connections = Number(connArg);
const warmupMs = Number(warmupArg) * 1000;
const measureMs = Number(measureArg) * 1000;

const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const endpoint = new URL('/v1/batch', url);
const next = batchFactory(batchSize);
/** The last bodies sent, for the JSON.parse floor. */
const sample = [];
const SAMPLE = 256;

function post(body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      endpoint,
      { method: 'POST', agent, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const totals = { requests: 0, accepted: 0, duplicates: 0, rejected: 0, statuses: {}, errors: 0, bytes: 0 };
const window = { requests: 0, accepted: 0, latenciesUs: [] };
const started = performance.now();
const cpuAtStart = process.cpuUsage();
const measureFrom = started + warmupMs;
const stopAt = measureFrom + measureMs;

async function connection() {
  while (performance.now() < stopAt) {
    const body = next();
    const t0 = performance.now();
    let answer;
    try {
      answer = await post(body);
    } catch {
      totals.errors++;
      continue;
    }
    const t1 = performance.now();
    totals.requests++;
    totals.bytes += body.length;
    totals.statuses[answer.status] = (totals.statuses[answer.status] ?? 0) + 1;
    let accepted = 0;
    if (answer.status === 200) {
      const parsed = JSON.parse(answer.text);
      accepted = parsed.accepted;
      totals.accepted += accepted;
      totals.duplicates += parsed.duplicates;
      totals.rejected += parsed.rejected.length;
    }
    if (t0 >= measureFrom && t1 <= stopAt) {
      window.requests++;
      window.accepted += accepted;
      window.latenciesUs.push((t1 - t0) * 1000);
    }
    if (sample.length < SAMPLE) sample.push(body);
    else sample[totals.requests % SAMPLE] = body;
  }
}

await Promise.all(Array.from({ length: connections }, connection));
agent.destroy();
const cpu = process.cpuUsage(cpuAtStart);
const loadGeneratorCpuPercent = (100 * (cpu.user + cpu.system)) / 1000 / (performance.now() - started);

const sorted = Float64Array.from(window.latenciesUs).sort();
const pct = (p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] / 1000 : null);

// Floor: JSON.parse alone on the same bodies, in this process, right after the load.
let parsedEvents = 0;
let sink = 0;
const floorStart = performance.now();
while (performance.now() - floorStart < 2000) {
  for (const body of sample) {
    sink += JSON.parse(body).events.length;
    parsedEvents += batchSize;
  }
}
const floorSeconds = (performance.now() - floorStart) / 1000;
if (sink !== parsedEvents) throw new Error('floor miscounted');

process.stdout.write(
  `${JSON.stringify({
    batchSize,
    connections,
    seconds: measureMs / 1000,
    totals,
    requestsPerSec: window.requests / (measureMs / 1000),
    eventsPerSec: window.accepted / (measureMs / 1000),
    p50Ms: pct(50),
    p99Ms: pct(99),
    maxMs: sorted.length ? sorted[sorted.length - 1] / 1000 : null,
    bytesPerEvent: totals.bytes / Math.max(1, totals.requests * batchSize),
    floorEventsPerSec: parsedEvents / floorSeconds,
    loadGeneratorCpuPercent,
  })}\n`,
);
