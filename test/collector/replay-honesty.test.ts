// `tracklane-collector replay` says what happened. Against targets on loopback that are not a
// collector (a redirect, an HTML page, an answer whose counts do not add up) it fails with exit 1
// and a message, and the place a redirect points to gets nothing; from a store with odd lines,
// torn lines and a symlink out of it, it replays the good records into the real collector process
// (each once, beside a normal client's events, the collector healthy throughout) and counts what it
// skipped; a missing --from is an error; on a terminal it shows progress. Before: 301 and HTML 200
// were reported as `{"replayed": 8}` with exit 0, a JSON line that was not a record aborted the
// replay, symlinks were followed, skipped lines were not counted, and a missing --from succeeded.
import { appendFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_KEY, partFiles, readStore, startCollector, type TestCollector } from '../helpers/collector.js';
import { runCollectorCli, spawnCollectorCli, type CollectorProcess } from '../helpers/collector-process.js';
import { expectEachOnce, expectHealthy, startNormalClient } from '../helpers/normal-client.js';
import { batch, envelope, writeTrackingPlan } from '../helpers/tracking-plan.js';

const EVENTS = 1200;

let temp: string;
let source: TestCollector;
let sourceIds: string[];
let target: CollectorProcess;
let targetData: string;
const servers: ReturnType<typeof createServer>[] = [];

beforeAll(async () => {
  temp = mkdtempSync(path.join(os.tmpdir(), 'tracklane-replay-honesty-'));
  source = await startCollector();
  const events = Array.from({ length: EVENTS }, () => envelope());
  for (let i = 0; i < EVENTS; i += 400) expect((await source.post(batch(events.slice(i, i + 400)))).status).toBe(200);
  sourceIds = events.map((e) => e.id);
  writeTrackingPlan(path.join(temp, 'schemas'));
  targetData = path.join(temp, 'target');
  target = await spawnCollectorCli(['--schemas', path.join(temp, 'schemas'), '--data', targetData, '--write-key', SERVER_KEY, '--port', '0']);
}, 60_000);

afterAll(async () => {
  target.child.kill('SIGKILL');
  await target.exited;
  await source.close();
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
  rmSync(temp, { recursive: true, force: true });
});

/** A server on loopback standing in for a replay target. */
async function fakeTarget(answer: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => answer(req, body, res));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const replay = (from: string, to: string, options: { tty?: boolean } = {}) => runCollectorCli(['replay', '--from', from, '--to', to, '--write-key', SERVER_KEY], options);
const targetHolds = (ids: readonly string[]): number => {
  const wanted = new Set(ids);
  return readStore(targetData, 'good').filter((r) => wanted.has(r.envelope!.id)).length;
};

describe('replay against a target that is not a collector', () => {
  it.each<[string, (res: ServerResponse, url: string) => void, RegExp]>([
    ['a 301 to the real collector', (res, url) => res.writeHead(301, { location: `${url}/v1/batch` }).end(), /answered HTTP 301 \(a redirect to http:\/\/127\.0\.0\.1:\d+\/v1\/batch\): replay follows no redirect/],
    ['an HTML 200', (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Login</title>'), /answered 200 with a body that is not JSON: not a collector's answer/],
    ['JSON of another shape', (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'), /answered 200 with no \{accepted, duplicates, rejected\}/],
    ['counts that do not add up to the batch', (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"accepted":8,"duplicates":0,"rejected":[]}'), /counts for 8 events .* where \d+ were sent/],
  ])('%s: exit 1 with a message, nothing reported as replayed, nothing lands', async (_, answer, message) => {
    const to = await fakeTarget((_req, _body, res) => answer(res, target.url));
    const result = await replay(source.dataDir, to);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/^tracklane-collector: replay target http:\/\/127\.0\.0\.1:\d+\/v1\/batch /);
    expect(result.stderr).not.toContain(SERVER_KEY);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(targetHolds(sourceIds)).toBe(0);
    await expectHealthy(target.url);
  });
});

describe('replay from a store with odd lines, torn lines and a symlink out of it', () => {
  it('replays each good record once into the real collector beside a normal client, and counts what it skipped', { timeout: 120_000 }, async () => {
    const [file] = partFiles(path.join(source.dataDir, 'good'));
    const odd = ['{"receivedAt":"2026-01-01T00:00:00Z","payload":{"not":"an envelope"}}', '[]', '{"receivedAt":"2026-01-01T00:00:00Z","envelope":{"id":"x","ts":{"created":7}}}'];
    appendFileSync(file!, `${odd.join('\n')}\n\u0000\u0000garbage\n{"receivedAt":"${new Date().toISOString()}","envelope":{"id":"torn`);
    const outside = path.join(temp, 'outside.jsonl');
    writeFileSync(outside, `${JSON.stringify({ receivedAt: new Date().toISOString(), envelope: envelope() })}\n`);
    symlinkSync(outside, path.join(path.dirname(file!), 'part-elsewhere.jsonl'));

    const normal = startNormalClient(() => target.url);
    const result = await replay(source.dataDir, target.url);
    await normal.stop();
    expect(result.code).toBe(0);
    const relative = path.relative(source.dataDir, path.join(path.dirname(file!), 'part-elsewhere.jsonl'));
    expect(JSON.parse(result.stdout)).toEqual({
      replayed: EVENTS,
      accepted: EVENTS,
      duplicates: 0,
      rejected: 0,
      skippedLines: { unreadable: 2, notRecords: 3 },
      refused: [{ path: relative, why: 'a symlink out of the store' }],
      to: target.url,
    });
    expect(result.stderr).toBe(`tracklane-collector: replay did not read ${relative}: a symlink out of the store\n`);
    await expectHealthy(target.url);
    const stored = readStore(targetData, 'good');
    expectEachOnce(new Set(sourceIds), stored);
    expectEachOnce(normal.acked, stored);
  });

  it('a missing --from is an error, and nothing is sent', async () => {
    let requests = 0;
    const to = await fakeTarget((_req, _body, res) => (requests++, res.writeHead(500).end()));
    const result = await replay(path.join(temp, 'no-such-store'), to);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^tracklane-collector: --from .*no-such-store cannot be read \(ENOENT\)\n$/);
    expect(requests).toBe(0);
  });
});

describe('replay progress', () => {
  // A collector that takes 150 ms per batch: three batches, long enough for progress lines.
  const slowCollector = (): Promise<string> =>
    fakeTarget((_req, body, res) => {
      const events = (JSON.parse(body) as { events: unknown[] }).events.length;
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: events, duplicates: 0, rejected: [] })), 150);
    });

  it('on a terminal: one line rewritten on stderr, then the summary', { timeout: 60_000 }, async () => {
    const store = await startCollector();
    try {
      const events = Array.from({ length: EVENTS }, () => envelope());
      expect((await store.post(batch(events.slice(0, 1000)))).status).toBe(200);
      expect((await store.post(batch(events.slice(1000)))).status).toBe(200);
      const result = await replay(store.dataDir, await slowCollector(), { tty: true });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/\rreplay: (500|1,000) events sent, 0 lines skipped, hour \d{4}-\d\d-\d\dT\d\d/);
      expect(result.stdout).toContain('\u001b[K'); // the rest of the line cleared
      expect(result.stdout).toContain(`"replayed":${EVENTS}`);
    } finally {
      await store.close();
    }
  });

  it('not on a terminal (a pipe): stderr stays empty', { timeout: 60_000 }, async () => {
    const result = await replay(source.dataDir, await slowCollector());
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('\r');
  });
});
