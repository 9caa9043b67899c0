// Hostile client for bench/collector/run.mjs --hostile: while the normal load runs, N connections
// send, round robin, the attacks of issue 14 with the bench's write key (a public key lets anyone
// do this): gzip bodies that inflate to just under the collector's maxInflatedBytes, an event with
// 400,000 unknown keys, and a tp2 body of 700,000 payloads. Each connection sends its next attack
// as soon as the last one is answered, whatever the answer (no backoff: an attacker ignores Retry-After).
//
//   node bench/collector/hostile.mjs <collector url> <write key> <connections> <seconds> <max inflated bytes>
//
// Builds its bodies first, prints `ready`, and starts on the first line it reads from stdin (so
// building them takes no CPU from the measured window); then prints one JSON line: requests and
// answers by attack and status.

import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';

const [url, key, connArg, secondsArg, inflatedArg] = process.argv.slice(2);
const connections = Number(connArg);
const maxInflated = Number(inflatedArg);

const envelope = (data) => ({
  id: randomUUID(),
  event: { schema: 'iglu:com.acme/button_click/jsonschema/1-0-0', data },
  ts: { created: new Date().toISOString() },
  app: { id: 'acme-web', platform: 'web' },
  tracker: { name: 'hostile', version: '0.0.0' },
  user: { anonymousId: 'anon-hostile' },
  consent: { purposes: {} },
});

const wideData = { button_id: 'b' };
for (let i = 0; i < 400_000; i++) wideData[`k${i}`] = 1;
const ATTACKS = [
  { name: 'gzip bomb (inflates to just under maxInflatedBytes)', path: '/v1/batch', body: gzipSync(JSON.stringify({ events: [envelope({ button_id: 'b', pad: 'x'.repeat(maxInflated - 1024) })] })) },
  { name: 'event with 400,000 unknown keys', path: '/v1/batch', body: gzipSync(JSON.stringify({ events: [envelope(wideData)] })) },
  {
    name: 'tp2 body of 700,000 payloads',
    path: '/com.snowplowanalytics.snowplow/tp2',
    body: gzipSync(JSON.stringify({ schema: 'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4', data: Array.from({ length: 700_000 }, () => ({ e: 'pv' })) })),
  },
];

function post({ path, body }) {
  return new Promise((resolve) => {
    const req = http.request(
      new URL(path, url),
      { method: 'POST', agent: false, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': body.length } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
        res.on('error', () => resolve(0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

process.stdout.write('ready\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
process.stdin.pause();
const stopAt = performance.now() + Number(secondsArg) * 1000;

const answers = Object.fromEntries(ATTACKS.map((a) => [a.name, {}]));
let requests = 0;
async function connection(offset) {
  for (let i = offset; performance.now() < stopAt; i++) {
    const attack = ATTACKS[i % ATTACKS.length];
    const status = await post(attack);
    requests++;
    answers[attack.name][status] = (answers[attack.name][status] ?? 0) + 1;
  }
}

await Promise.all(Array.from({ length: connections }, (_, i) => connection(i)));
process.stdout.write(`${JSON.stringify({ connections, requests, answers, bodyBytes: Object.fromEntries(ATTACKS.map((a) => [a.name, a.body.length])) })}\n`);
