import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileSink } from './file-sink.js';
import { readRecentIds } from './file-store-ids.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'tracklane-store-ids-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (): string => path.join(root, `store-${dirs++}`);

const NOW = Date.now();
const HOUR = 3_600_000;
const id = (n: number): string => `0190a0b0-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
/** A good line as the collector writes it, for event `n` received `agoMs` before NOW. */
const line = (n: number, agoMs: number): string =>
  JSON.stringify({ receivedAt: new Date(NOW - agoMs).toISOString(), clientIp: '203.0.113.0', envelope: { id: id(n), event: { schema: 'iglu:com.acme/click/jsonschema/1-0-0', data: {} } } });

/** Writes a part file of `<dir>/good` with `text`; returns its path. */
function part(dir: string, name: string, text: string): string {
  const file = path.join(dir, 'good', 'date=2026-03-04', 'hour=10', name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

const lines = (...text: string[]): string => text.map((t) => `${t}\n`).join('');

describe('readRecentIds', () => {
  it.each([
    [1 << 20, 1 << 20],
    [300, 300],
    [64, 64],
    [7, 7],
    [7, 4096],
  ])('gives the ids of every good line, oldest first, with their receive times (chunks of %i bytes, growing up to %i)', async (first, max) => {
    const dir = freshDir();
    // Two collectors' files, their events received interleaved.
    part(dir, 'part-a.jsonl', lines(line(1, 50), line(3, 30), line(5, 10)));
    part(dir, 'part-b.jsonl', lines(line(2, 40), line(4, 20)));
    const found = await readRecentIds(dir, 0, 100, { first, max });
    expect(found.ids).toEqual([1, 2, 3, 4, 5].map(id));
    expect(found.receivedAt).toEqual([50, 40, 30, 20, 10].map((ago) => NOW - ago));
    expect(found).toMatchObject({ files: 2, skipped: 0 });
  });

  it('finds nothing in a new store', async () => {
    expect(await readRecentIds(freshDir(), 0, 100)).toEqual({ ids: [], receivedAt: [], files: 0, bytes: 0, skipped: 0 });
  });

  it('leaves out events received before `since`, and does not open files last written before it', async () => {
    const dir = freshDir();
    part(dir, 'part-a.jsonl', lines(line(1, 3 * HOUR), line(2, 2 * HOUR), line(3, 0)));
    const old = part(dir, 'part-old.jsonl', lines(line(4, 0)));
    utimesSync(old, new Date(NOW - 5 * HOUR), new Date(NOW - 5 * HOUR));
    const found = await readRecentIds(dir, NOW - 2.5 * HOUR, 100);
    expect(found.ids).toEqual([id(2), id(3)]);
    expect(found.files).toBe(1);
  });

  it.each([64, 1 << 20])('gives the most recent `maxIds`, reading about as much as they need (chunks of %i bytes)', async (chunk) => {
    const dir = freshDir();
    const perFile = 2000;
    for (const name of ['a', 'b']) {
      const text = Array.from({ length: perFile }, (_, i) => line(name === 'a' ? 2 * i : 2 * i + 1, (perFile - i) * 1000 + (name === 'a' ? 500 : 0)));
      part(dir, `part-${name}.jsonl`, lines(...text));
    }
    const found = await readRecentIds(dir, 0, 10, { first: chunk, max: chunk });
    expect(found.ids).toEqual(Array.from({ length: 10 }, (_, i) => id(2 * perFile - 10 + i)));
    if (chunk === 64) expect(found.bytes).toBeLessThan(20 * line(0, 0).length);
  });

  it('skips a torn last line, and a torn line a restart ended with the mark, but keeps a whole line the crash did not end', async () => {
    const dir = freshDir();
    const torn = line(2, 10).slice(0, -20);
    part(dir, 'part-a.jsonl', `${lines(line(1, 20))}${torn}`);
    // The same instance started again: the file sink ended the torn line with an empty line (openAppend).
    const tornEndingLikeARecord = `{"receivedAt":"${new Date(NOW).toISOString()}","envelope":{"id":"${id(3)}","event":{"data":{"a":{}}}`;
    const wholeButUnended = line(4, 5);
    part(dir, 'part-b.jsonl', `${lines(line(5, 30), tornEndingLikeARecord)}\n${lines(line(6, 4), wholeButUnended)}\n${lines(line(7, 1))}`);
    for (const chunk of [1 << 20, 50, 7]) {
      const found = await readRecentIds(dir, 0, 100, { first: chunk, max: chunk });
      expect(found.ids, `chunks of ${chunk} bytes`).toEqual([5, 1, 4, 6, 7].map(id));
      expect(found.skipped).toBe(2);
    }
  });

  it('reads what the file sink wrote after a restart cut off the torn line a crash left', async () => {
    const dir = freshDir();
    const file = part(dir, 'part-same.jsonl', lines(line(1, 30)));
    appendFileSync(file, line(2, 20).slice(0, 90));
    const sink = createFileSink({ dir, instanceId: 'same', durability: 'write' });
    await sink.write([{ kind: 'good', id: id(3), time: Date.parse('2026-03-04T10:30:00Z'), key: undefined, value: line(3, 10) }]);
    const found = await sink.recentIds!(0, 100);
    await sink.close();
    expect(found.ids).toEqual([id(1), id(3)]);
    expect(found.skipped).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(lines(line(1, 30), line(3, 10)));
  });

  it('skips lines that are not good records, without failing', async () => {
    const dir = freshDir();
    part(dir, 'part-a.jsonl', lines(line(1, 10), 'not json', '{"receivedAt":"yesterday","envelope":{"id":"x"}}', '\0\0\0', line(2, 5)));
    const found = await readRecentIds(dir, 0, 100);
    expect(found.ids).toEqual([id(1), id(2)]);
    expect(found.skipped).toBe(3);
  });
});
