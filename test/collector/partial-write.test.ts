// A write that fails halfway: the real collector process gets a file size limit (RLIMIT_FSIZE, set
// on the running process with prlimit) just above its good part file, so the next append writes
// part of a line and fails (EFBIG), while the same commit's bad records are written whole. The 503
// must leave nothing a retry would land twice, and no torn line for a strict line reader.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVER_KEY, httpRequest, partFiles, readStore } from '../helpers/collector.js';
import { eventually } from '../helpers/eventually.js';
import { spawnCollectorCli, type CollectorProcess } from '../helpers/collector-process.js';
import { expectEachOnce, expectHealthy, startNormalClient } from '../helpers/normal-client.js';
import { batch, envelope, invalidEnvelope, writeTrackingPlan } from '../helpers/tracking-plan.js';

const temps: string[] = [];
const running: CollectorProcess[] = [];
afterEach(() => {
  for (const collector of running.splice(0)) collector.child.kill('SIGKILL');
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const limitFileSize = (pid: number, bytes: number | 'unlimited'): void => void execFileSync('prlimit', ['--pid', String(pid), `--fsize=${bytes}:unlimited`]);

/**
 * Every line of every part file, parsed strictly: a line that is not JSON fails. With
 * `writesInFlight` (a normal client is sending meanwhile), a file's last line may still be on its
 * way to disk, as in any append-only file that is being written: that unfinished tail is left out,
 * as a line reader following the file leaves it for its next read. Otherwise a file must end in a
 * newline. Returns the ids of the events stored.
 */
function strictLines(dataDir: string, options: { writesInFlight?: boolean } = {}): string[] {
  const ids: string[] = [];
  for (const kind of ['good', 'bad']) {
    for (const file of partFiles(path.join(dataDir, kind))) {
      const text = readFileSync(file, 'utf8');
      if (text === '') continue;
      if (!options.writesInFlight) expect(text.endsWith('\n'), `${file} ends with a whole line`).toBe(true);
      for (const line of text.split('\n').slice(0, -1)) {
        let record: { envelope?: { id?: string }; payload?: { id?: string } } = {};
        expect(() => (record = JSON.parse(line) as typeof record), `${file}: ${line.slice(0, 60)}`).not.toThrow();
        ids.push(record.envelope?.id ?? record.payload?.id ?? '');
      }
    }
  }
  return ids;
}

describe('a 503 after a partial write', () => {
  it('leaves no torn line and nothing the retry lands twice, in the file that failed or in the one that did not', { timeout: 60_000 }, async () => {
    const temp = mkdtempSync(path.join(os.tmpdir(), 'tracklane-partial-'));
    temps.push(temp);
    const schemas = path.join(temp, 'schemas');
    const data = path.join(temp, 'data');
    writeTrackingPlan(schemas);
    const collector = await spawnCollectorCli(['--schemas', schemas, '--data', data, '--write-key', SERVER_KEY, '--port', '0', '--validation-threads', '0']);
    running.push(collector);
    const post = (body: unknown) => httpRequest(new URL('/v1/batch', collector.url), 'POST', { authorization: `Bearer ${SERVER_KEY}`, 'content-type': 'application/json' }, JSON.stringify(body));
    // A bad event first, so the bad part file exists and the commit below appends to it.
    expect((await post(batch([envelope(), invalidEnvelope()]))).status).toBe(200);
    const [goodFile] = partFiles(path.join(data, 'good'));
    const [badFile] = partFiles(path.join(data, 'bad'));
    const sizes = { good: statSync(goodFile!).size, bad: statSync(badFile!).size };

    // 2 kB more fit in any file: the good lines of the next batch (20 kB) do not, its 1 bad line does.
    limitFileSize(collector.child.pid!, sizes.good + 2048);
    const hostile = [...Array.from({ length: 20 }, () => envelope()), invalidEnvelope()];
    const normal = startNormalClient(() => collector.url, { batchSize: 5 });
    for (let attempt = 0; attempt < 2; attempt++) {
      const answer = await post(batch(hostile));
      expect(answer.status).toBe(503);
      expect(answer.headers['retry-after']).toMatch(/^[1-9]\d*$/);
      // Cut back to where it was: no torn good line, no bad line of a batch that was refused.
      expect(statSync(goodFile!).size).toBeLessThanOrEqual(sizes.good + 2048);
      // The normal client keeps sending: a file's last line may be mid-append right now.
      const stored = new Set(strictLines(data, { writesInFlight: true }));
      expect(stored.size).toBeGreaterThan(0);
      expect(hostile.filter((e) => stored.has(e.id))).toEqual([]);
    }
    expect(statSync(badFile!).size - sizes.bad, 'the bad line of the refused batch is gone').toBeLessThan(2048);
    expect((await httpRequest(new URL('/healthz', collector.url), 'GET', {})).status).toBe(200);
    expect((await httpRequest(new URL('/readyz', collector.url), 'GET', {})).status).toBe(503);

    // The disk has room again: ready on its own, and the retry lands each event once.
    limitFileSize(collector.child.pid!, 'unlimited');
    await eventually(async () => expect((await httpRequest(new URL('/readyz', collector.url), 'GET', {})).status).toBe(200), { timeoutMs: 10_000, intervalMs: 100, what: 'the collector ready again' });
    const retried = await post(batch(hostile));
    expect(retried.status).toBe(200);
    expect(retried.json).toMatchObject({ accepted: 20, duplicates: 0 });
    expect((await post(batch(hostile))).json).toMatchObject({ accepted: 0, duplicates: 20 });
    await normal.stop();
    await expectHealthy(collector.url);

    collector.child.kill('SIGTERM');
    await collector.exited;
    strictLines(data);
    const good = readStore(data, 'good');
    expectEachOnce(new Set(hostile.slice(0, 20).map((e) => e.id)), good);
    expectEachOnce(normal.acked, good);
    const hostileBad = hostile[20]!.id;
    expect(readStore(data, 'bad').filter((r) => (r.payload as { id: string }).id === hostileBad)).toHaveLength(2); // bad events are not deduplicated: one per 200
  });
});
