import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { replayRawStore, type ReplaySummary } from './replay.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'tracklane-replay-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let stores = 0;

/** A stored good line; received `lateMs` after it was created (the store is partitioned by receive time). */
const line = (id: string, created: string, lateMs = 0): string =>
  JSON.stringify({ receivedAt: new Date(Date.parse(created) + lateMs).toISOString(), clientIp: '10.0.0.0', envelope: { id, ts: { created } } });

type Files = Record<string, string>;
function storeOf(files: Files): string {
  const dir = path.join(root, `store-${stores++}`);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

/** A raw store as the file sink writes it (receive hours), plus a bad partition, a torn line and a stray file. */
const STORE: Files = {
  'good/date=2026-01-01/hour=00/part-2.jsonl': `${line('b', '2026-01-01T00:10:00.000Z')}\n${line('a', '2026-01-01T00:10:00.000Z')}\n`,
  'good/date=2026-01-01/hour=00/part-1.jsonl': `${line('c', '2026-01-01T00:05:00.000Z')}\n{"envelope":{"id":"torn`,
  // `y` was created in 2025 and received in hour 01: a late event sits in its receive hour.
  'good/date=2026-01-01/hour=01/part-1.jsonl': `${line('d', '2026-01-01T01:00:00.000Z')}\n\n${line('e', '2026-01-01T01:59:59.999Z')}\n${line('y', '2025-06-01T00:00:00.000Z', Date.parse('2026-01-01T01:30:00Z') - Date.parse('2025-06-01T00:00:00Z'))}\n`,
  'good/date=2025-12-31/hour=23/part-9.jsonl': `${line('z', '2025-12-31T23:00:00.000Z')}\n`,
  'bad/date=2026-01-01/hour=00/part-1.jsonl': `${JSON.stringify({ errors: ['x'], payload: { id: 'bad' } })}\n`,
  'good/date=2026-01-01/hour=00/notes.txt': 'not a part file',
};

async function replayed(options: { since?: Date; until?: Date; batchSize?: number } = {}, from = storeOf(STORE)): Promise<{ summary: ReplaySummary; batches: string[][] }> {
  const batches: string[][] = [];
  const summary = await replayRawStore({ from, ...options, send: async (batch) => void batches.push(batch.map((e) => e.id)) });
  return { summary, batches };
}

describe('replayRawStore', () => {
  it('sends every good event once, receive hour by receive hour, each by creation time then id; skips bad records and counts the torn line', async () => {
    const { summary, batches } = await replayed();
    expect(batches.flat()).toEqual(['z', 'c', 'a', 'b', 'y', 'd', 'e']);
    expect(summary).toMatchObject({ replayed: 7, skippedLines: { unreadable: 1, notRecords: 0 }, refused: [] });
  });

  it('sends the same sequence every time', async () => {
    expect((await replayed({ batchSize: 2 })).batches).toEqual((await replayed({ batchSize: 2 })).batches);
  });

  it('cuts batches of batchSize within an hour partition', async () => {
    expect((await replayed({ batchSize: 2 })).batches).toEqual([['z'], ['c', 'a'], ['b'], ['y', 'd'], ['e']]);
  });

  it.each([
    [{ since: new Date('2026-01-01T00:10:00.000Z') }, ['a', 'b', 'y', 'd', 'e']],
    [{ until: new Date('2026-01-01T00:10:00.000Z') }, ['z', 'c']],
    [{ since: new Date('2026-01-01T00:06:00Z'), until: new Date('2026-01-01T01:59:59.999Z') }, ['a', 'b', 'y', 'd']],
    [{ since: new Date('2030-01-01T00:00:00Z') }, []],
  ])('receive time %j → %j (since inclusive, until exclusive)', async (window, ids) => {
    const { summary, batches } = await replayed(window);
    expect(batches.flat()).toEqual(ids);
    expect(summary.replayed).toBe(ids.length);
  });

  it('skips and counts lines that are JSON but not a good record, and lines that are not JSON; sends the rest', async () => {
    const odd = [
      '{"receivedAt":"2026-01-01T00:00:00Z"}',
      '{"receivedAt":"2026-01-01T00:00:00Z","envelope":{"id":"no-ts"}}',
      '{"receivedAt":"2026-01-01T00:00:00Z","envelope":{"id":"x","ts":{"created":17}}}',
      '{"receivedAt":"not a time","envelope":{"id":"x","ts":{"created":"2026-01-01T00:00:00Z"}}}',
      '{"receivedAt":"2026-01-01T00:00:00Z","envelope":{"id":"","ts":{"created":"2026-01-01T00:00:00Z"}}}',
      '[1,2,3]',
      'null',
      '"a string"',
    ];
    const unreadable = ['{"receivedAt":', '\u0000\u0000\u0000', 'garbage'];
    const from = storeOf({ 'good/date=2026-01-01/hour=00/part-1.jsonl': [line('a', '2026-01-01T00:01:00Z'), ...odd, ...unreadable, line('b', '2026-01-01T00:02:00Z')].join('\n') + '\n' });
    const { summary, batches } = await replayed({}, from);
    expect(batches.flat()).toEqual(['a', 'b']);
    expect(summary).toMatchObject({ replayed: 2, skippedLines: { unreadable: unreadable.length, notRecords: odd.length } });
  });

  it('reads a last line without its newline when it is whole', async () => {
    const from = storeOf({ 'good/date=2026-01-01/hour=00/part-1.jsonl': `${line('a', '2026-01-01T00:01:00Z')}\n${line('b', '2026-01-01T00:02:00Z')}` });
    expect((await replayed({}, from)).batches.flat()).toEqual(['a', 'b']);
  });

  it('refuses symlinks out of the store (partition, hour and part file) and follows those within it', async () => {
    const outside = storeOf({ 'good/date=2020-01-01/hour=00/part-x.jsonl': `${line('outside', '2020-01-01T00:00:00Z')}\n`, 'secret.jsonl': `${line('secret', '2026-01-01T00:00:00Z')}\n` });
    const from = storeOf({ 'good/date=2026-01-01/hour=00/part-1.jsonl': `${line('a', '2026-01-01T00:01:00Z')}\n` });
    symlinkSync(path.join(outside, 'secret.jsonl'), path.join(from, 'good/date=2026-01-01/hour=00/part-evil.jsonl'));
    symlinkSync(path.join(outside, 'good/date=2020-01-01'), path.join(from, 'good/date=2020-01-01'));
    mkdirSync(path.join(from, 'good/date=2026-01-02'));
    symlinkSync(path.join(outside, 'good/date=2020-01-01/hour=00'), path.join(from, 'good/date=2026-01-02/hour=00'));
    // Inside the store: followed.
    mkdirSync(path.join(from, 'good/date=2026-01-03/hour=00'), { recursive: true });
    symlinkSync(path.join(from, 'good/date=2026-01-01/hour=00/part-1.jsonl'), path.join(from, 'good/date=2026-01-03/hour=00/part-link.jsonl'));
    const { summary, batches } = await replayed({}, from);
    expect(batches.flat()).toEqual(['a', 'a']);
    expect(summary.refused.sort((x, y) => x.path.localeCompare(y.path))).toEqual([
      { path: 'good/date=2020-01-01', why: 'a symlink out of the store' },
      { path: 'good/date=2026-01-01/hour=00/part-evil.jsonl', why: 'a symlink out of the store' },
      { path: 'good/date=2026-01-02/hour=00', why: 'a symlink out of the store' },
    ]);
  });

  it('refuses a part file that is not a regular file (a FIFO would block the replay)', async () => {
    const from = storeOf({ 'good/date=2026-01-01/hour=00/part-1.jsonl': `${line('a', '2026-01-01T00:01:00Z')}\n` });
    execFileSync('mkfifo', [path.join(from, 'good/date=2026-01-01/hour=00/part-fifo.jsonl')]);
    const { summary, batches } = await replayed({}, from);
    expect(batches.flat()).toEqual(['a']);
    expect(summary.refused).toEqual([{ path: 'good/date=2026-01-01/hour=00/part-fifo.jsonl', why: 'not a regular file' }]);
  });

  it('skips a line longer than 64 MiB without holding it, and reads on', async () => {
    const huge = `{"receivedAt":"2026-01-01T00:00:00Z","pad":"${'x'.repeat(65 << 20)}"}`;
    const from = storeOf({ 'good/date=2026-01-01/hour=00/part-1.jsonl': `${huge}\n${line('a', '2026-01-01T00:01:00Z')}\n${huge}` });
    const { summary, batches } = await replayed({}, from);
    expect(batches.flat()).toEqual(['a']);
    expect(summary.skippedLines.unreadable).toBe(2);
  });

  it.each([
    ['a missing directory', () => path.join(root, 'missing'), /--from .*missing cannot be read \(ENOENT\)/],
    ['a file', () => storeOf({ 'file.txt': 'x' }) + '/file.txt', /is not a directory/],
    ['a directory that is not a raw store', () => storeOf({ 'other/x': 'x' }), /is not a raw store: it has neither good\/ nor bad\//],
  ])('fails on %s (REPLAY_SOURCE), sending nothing', async (_, from, message) => {
    const send = vi.fn();
    await expect(replayRawStore({ from: from(), send })).rejects.toMatchObject({ code: 'REPLAY_SOURCE', message: expect.stringMatching(message) });
    expect(send).not.toHaveBeenCalled();
  });

  it('replays nothing from a store that holds only bad events', async () => {
    const send = vi.fn();
    expect(await replayRawStore({ from: storeOf({ 'bad/date=2026-01-01/hour=00/part-1.jsonl': '{}\n' }), send })).toMatchObject({ replayed: 0 });
    expect(send).not.toHaveBeenCalled();
  });

  it("sums the target's answers and reports progress after each batch", async () => {
    const progress: number[] = [];
    const summary = await replayRawStore({
      from: storeOf(STORE),
      batchSize: 3,
      send: async (batch) => ({ accepted: batch.length - 1, duplicates: 1, rejected: 0 }),
      onProgress: (so) => progress.push(so.replayed),
    });
    expect(summary).toMatchObject({ replayed: 7, accepted: 4, duplicates: 3, rejected: 0 });
    expect(progress).toEqual([1, 4, 7]);
  });
});
