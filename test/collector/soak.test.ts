// 30 s of normal and hostile traffic on loopback against the real collector process, killed with
// SIGKILL and restarted (same data dir and instance id) twice. Afterwards every event answered 200 is
// in the store exactly once, and every line of the store parses as strict JSON: the tails the kills
// tore are cut off by the next instance of that id before it writes. Hostile requests are the kinds
// the collector refuses: wrong keys, server keys in URLs, numbers that overflow, lone surrogates,
// garbage and gzip garbage, wrong content types and origins, deep nesting.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BROWSER_KEY, BROWSER_ORIGIN, SERVER_KEY, partFiles, readStore } from '../helpers/collector.js';
import { spawnCollectorCli, type CollectorProcess } from '../helpers/collector-process.js';
import { expectEachOnce, expectHealthy, startNormalClient } from '../helpers/normal-client.js';
import { CLICK, PURCHASE, batch, envelope, writeTrackingPlan } from '../helpers/tracking-plan.js';

const SOAK_MS = 30_000;
/** When the collector is killed, from the start. */
const KILLS_AT_MS = [10_000, 20_000];
/** Hostile requests come from an address of their own: the per-address limit may refuse them, not the normal clients. */
const HOSTILE_ADDRESS = '127.0.0.9';

interface Hostile {
  name: string;
  method: string;
  target: string;
  headers: Record<string, string>;
  body?: Buffer | string;
}

const eventsBody = (hostile: string): string => `{"sentAt":"${new Date().toISOString()}","events":[${JSON.stringify(envelope())},${hostile}]}`;
const withData = (schema: string, data: string): string => JSON.stringify(envelope({ event: { schema, data: {} } })).replace('"data":{}', `"data":${data}`);
const json = { 'content-type': 'application/json' };
const bearer = (key: string) => ({ ...json, authorization: `Bearer ${key}` });

/** The hostile requests, made afresh each round (new ids). */
const hostileRequests = (): Hostile[] => [
  { name: 'wrong key', method: 'POST', target: '/v1/batch', headers: bearer('sk_guess_1234'), body: JSON.stringify(batch([envelope()])) },
  { name: 'no key', method: 'POST', target: '/v1/batch', headers: json, body: JSON.stringify(batch([envelope()])) },
  { name: 'server key in ?key= of a beacon', method: 'POST', target: `/v1/batch?key=${SERVER_KEY}`, headers: { 'content-type': 'text/plain' }, body: JSON.stringify(batch([envelope()])) },
  { name: 'server key in ?key= of a pixel', method: 'GET', target: `/i?e=pv&aid=shop&p=web&key=${SERVER_KEY}`, headers: {} },
  { name: 'browser key in ?key= of a JSON POST', method: 'POST', target: `/v1/batch?key=${BROWSER_KEY}`, headers: { ...json, origin: BROWSER_ORIGIN }, body: JSON.stringify(batch([envelope()])) },
  { name: 'server key from a browser origin', method: 'POST', target: '/v1/batch', headers: { ...bearer(SERVER_KEY), origin: 'https://evil.example' }, body: JSON.stringify(batch([envelope()])) },
  { name: '1e400', method: 'POST', target: '/v1/batch', headers: bearer(SERVER_KEY), body: eventsBody(withData(PURCHASE, '{"orderId":"o","total":1e400,"currency":"EUR"}')) },
  { name: '-1e999', method: 'POST', target: '/v1/batch', headers: bearer(SERVER_KEY), body: eventsBody(withData(PURCHASE, '{"orderId":"o","total":-1e999,"currency":"EUR"}')) },
  { name: 'lone surrogate', method: 'POST', target: '/v1/batch', headers: bearer(SERVER_KEY), body: eventsBody(withData(CLICK, '{"target":"\\ud800","meta":{"\\udfff":1}}')) },
  { name: 'garbage', method: 'POST', target: '/v1/batch', headers: bearer(SERVER_KEY), body: '{"events":[{"id":' },
  { name: 'gzip garbage', method: 'POST', target: '/v1/batch', headers: { ...bearer(SERVER_KEY), 'content-encoding': 'gzip' }, body: Buffer.from('not gzip at all') },
  { name: 'gzip of garbage', method: 'POST', target: '/v1/batch', headers: { ...bearer(SERVER_KEY), 'content-encoding': 'gzip' }, body: gzipSync('\u0000\u0001 not json') },
  { name: 'wrong content type', method: 'POST', target: '/v1/batch', headers: { ...bearer(SERVER_KEY), 'content-type': 'application/xml' }, body: '<events/>' },
  { name: 'deep nesting', method: 'POST', target: '/v1/batch', headers: bearer(SERVER_KEY), body: eventsBody(withData(CLICK, `{"target":"x","meta":{"a":${'['.repeat(5000)}${']'.repeat(5000)}}}`)) },
  { name: 'tp2 lone surrogate', method: 'POST', target: '/com.snowplowanalytics.snowplow/tp2', headers: bearer(SERVER_KEY), body: '{"schema":"iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4","data":[{"e":"\\ud800","aid":"shop","p":"web"}]}' },
];

function send(base: string, request: Hostile): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(new URL(request.target, base), { method: request.method, headers: request.headers, localAddress: HOSTILE_ADDRESS, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.on('error', () => resolve(0));
    req.end(request.body);
  });
}

describe('soak: hostile and normal traffic, kill -9 twice', () => {
  it('every event answered 200 is stored once, every line of the store parses, the collector stays healthy', { timeout: 90_000 }, async () => {
    const temp = mkdtempSync(path.join(os.tmpdir(), 'tracklane-soak-'));
    const schemas = path.join(temp, 'schemas');
    const data = path.join(temp, 'data');
    writeTrackingPlan(schemas);
    const args = ['--schemas', schemas, '--data', data, '--port', '0', '--instance-id', 'soak', '--write-key', SERVER_KEY, '--write-key', `${BROWSER_KEY},kind=browser,app=shop,origin=${BROWSER_ORIGIN}`];
    let current: CollectorProcess = await spawnCollectorCli(args);
    const normals = [startNormalClient(() => current.url, { batchSize: 50 }), startNormalClient(() => current.url, { batchSize: 10 })];
    const answers = new Map<string, Map<number, number>>();
    let hostileSent = 0;
    const started = Date.now();
    let stopping = false;
    const hostileLoop = async (): Promise<void> => {
      while (!stopping) {
        for (const request of hostileRequests()) {
          const status = await send(current.url, request);
          hostileSent++;
          const byStatus = answers.get(request.name) ?? new Map<number, number>();
          byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
          answers.set(request.name, byStatus);
        }
      }
    };
    const hostiles = [hostileLoop(), hostileLoop()];
    try {
      for (const at of KILLS_AT_MS) {
        await new Promise((resolve) => setTimeout(resolve, at - (Date.now() - started)));
        await expectHealthy(current.url);
        const victim = current;
        victim.child.kill('SIGKILL'); // requests of every kind are in flight right now
        await victim.exited;
        current = await spawnCollectorCli(args);
      }
      await new Promise((resolve) => setTimeout(resolve, SOAK_MS - (Date.now() - started)));
      await expectHealthy(current.url);
      stopping = true;
      await Promise.all(hostiles);
      await Promise.all(normals.map((normal) => normal.stop()));
      current.child.kill('SIGTERM');
      expect(await current.exited).toBe(0);

      // No hostile request got a 500 (an error the collector did not expect), and each kind met its refusal.
      const summary = Object.fromEntries([...answers].map(([name, byStatus]) => [name, Object.fromEntries(byStatus)]));
      console.log(`soak: ${hostileSent} hostile requests`, JSON.stringify(summary));
      for (const [name, byStatus] of answers) expect([...byStatus.keys()].filter((status) => status >= 500 && status !== 503), name).toEqual([]);
      const refusals: Record<string, number> = { 'wrong key': 401, 'no key': 401, 'server key in ?key= of a beacon': 401, 'server key in ?key= of a pixel': 401, 'browser key in ?key= of a JSON POST': 401, 'server key from a browser origin': 403, garbage: 400, 'gzip garbage': 400, 'gzip of garbage': 400, 'wrong content type': 415 };
      for (const [name, status] of Object.entries(refusals)) expect(answers.get(name)?.get(status), name).toBeGreaterThan(0);

      // Every line of every part file parses; no file ends in a torn line.
      let lines = 0;
      for (const kind of ['good', 'bad']) {
        for (const file of partFiles(path.join(data, kind))) {
          const text = readFileSync(file, 'utf8');
          expect(text === '' || text.endsWith('\n'), `${file} ends in a whole line`).toBe(true);
          for (const line of text.split('\n').slice(0, -1)) {
            expect(() => JSON.parse(line), `${file}: ${line.slice(0, 80)}`).not.toThrow();
            expect(line, 'no lone surrogate escape is stored').not.toMatch(/(?<!\\)(\\\\)*\\ud[89a-f]/i);
            lines++;
          }
        }
      }
      const good = readStore(data, 'good');
      const acked = new Set(normals.flatMap((normal) => [...normal.acked]));
      console.log(`soak: ${acked.size} events acknowledged, ${good.length} good and ${lines - good.length} bad lines stored`);
      expectEachOnce(acked, good);
      // A normal client's event stored twice would be a duplicate however it got there.
      const ids = good.map((r) => r.envelope!.id);
      expect(ids.length - new Set(ids).size, 'good events stored twice').toBe(0);
      expect(acked.size).toBeGreaterThan(1000);
    } finally {
      stopping = true;
      current.child.kill('SIGKILL');
      rmSync(temp, { recursive: true, force: true });
    }
  });
});
