import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileSink } from './file-sink.js';
import type { SinkRecord } from './sink.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'tracklane-file-sink-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (): string => path.join(root, `store-${dirs++}`);

const record = (kind: 'good' | 'bad', id: string, time: string): SinkRecord => ({
  kind,
  id,
  time: Date.parse(time),
  key: undefined,
  value: JSON.stringify({ id }),
});

const lines = (file: string): string[] => readFileSync(file, 'utf8').split('\n').slice(0, -1);

describe('createFileSink', () => {
  it('partitions good and bad records by date and hour (UTC) into part-<instance>.jsonl', async () => {
    const dir = freshDir();
    const sink = createFileSink({ dir, instanceId: 'i1' });
    await sink.write([
      record('good', 'a', '2026-03-04T05:59:59.999Z'),
      record('good', 'b', '2026-03-04T06:00:00.000Z'),
      record('bad', 'c', '2026-03-04T05:10:00.000Z'),
      record('good', 'd', '2026-03-04T07:30:00.000+01:00'),
    ]);
    await sink.close();
    expect(lines(path.join(dir, 'good/date=2026-03-04/hour=05/part-i1.jsonl'))).toEqual(['{"id":"a"}']);
    expect(lines(path.join(dir, 'good/date=2026-03-04/hour=06/part-i1.jsonl'))).toEqual(['{"id":"b"}', '{"id":"d"}']);
    expect(lines(path.join(dir, 'bad/date=2026-03-04/hour=05/part-i1.jsonl'))).toEqual(['{"id":"c"}']);
  });

  it('names files after the process id by default', async () => {
    const dir = freshDir();
    const sink = createFileSink({ dir });
    await sink.write([record('good', 'a', '2026-01-01T00:00:00Z')]);
    await sink.close();
    expect(readdirSync(path.join(dir, 'good/date=2026-01-01/hour=00'))).toEqual([`part-${process.pid}.jsonl`]);
  });

  it.each(['fsync', 'write'] as const)('durability %s: every concurrent write lands as whole lines, in one file per partition', async (durability) => {
    const dir = freshDir();
    const sink = createFileSink({ dir, durability, instanceId: 'i' });
    const writes = Array.from({ length: 50 }, (_, w) =>
      sink.write(Array.from({ length: 20 }, (_, r) => record('good', `${w}-${r}`, '2026-01-01T00:00:00Z'))),
    );
    await Promise.all(writes);
    const landed = lines(path.join(dir, 'good/date=2026-01-01/hour=00/part-i.jsonl'));
    expect(landed).toHaveLength(1000);
    expect(new Set(landed).size).toBe(1000);
    for (const line of landed) expect(() => JSON.parse(line)).not.toThrow();
    await sink.close();
  });

  it('resolves an empty write at once', async () => {
    const sink = createFileSink({ dir: freshDir() });
    await expect(sink.write([])).resolves.toBeUndefined();
    await sink.close();
  });

  it('falls back to the current hour when a record has no usable time', async () => {
    const dir = freshDir();
    const sink = createFileSink({ dir, instanceId: 'i' });
    const now = new Date().toISOString();
    await sink.write([{ kind: 'bad', id: undefined, time: Number.NaN, key: undefined, value: '{}' }]);
    await sink.close();
    expect(existsSync(path.join(dir, `bad/date=${now.slice(0, 10)}`))).toBe(true);
  });

  it('rejects writes and reports not ready while a partition cannot be created; recovers once it can', async () => {
    const dir = freshDir();
    const sink = createFileSink({ dir, instanceId: 'i' });
    mkdirSync(path.join(dir, 'good'), { recursive: true });
    const blocker = path.join(dir, 'good/date=2026-05-05');
    writeFileSync(blocker, 'a file where a directory should be');
    expect(sink.isReady()).toBe(true);
    await expect(sink.write([record('good', 'a', '2026-05-05T01:00:00Z')])).rejects.toThrow(/ENOTDIR|EEXIST/);
    expect(sink.isReady()).toBe(false);
    rmSync(blocker);
    await sink.write([record('good', 'a', '2026-05-05T01:00:00Z')]);
    expect(sink.isReady()).toBe(true);
    await sink.close();
    expect(lines(path.join(dir, 'good/date=2026-05-05/hour=01/part-i.jsonl'))).toEqual(['{"id":"a"}']);
  });

  it('starts on a fresh line after a torn last line (a crash mid-append by an instance of the same id)', async () => {
    const dir = freshDir();
    const file = path.join(dir, 'good/date=2026-01-01/hour=00/part-same.jsonl');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '{"id":"whole"}\n{"id":"to');
    const sink = createFileSink({ dir, instanceId: 'same' });
    await sink.write([record('good', 'after', '2026-01-01T00:00:00Z')]);
    await sink.close();
    expect(lines(file)).toEqual(['{"id":"whole"}', '{"id":"to', '{"id":"after"}']);
  });

  it('close() waits for writes still queued', async () => {
    const dir = freshDir();
    const sink = createFileSink({ dir, instanceId: 'i' });
    const pending = sink.write([record('good', 'late', '2026-01-01T00:00:00Z')]);
    await sink.close();
    await pending;
    expect(lines(path.join(dir, 'good/date=2026-01-01/hour=00/part-i.jsonl'))).toEqual(['{"id":"late"}']);
  });
});
