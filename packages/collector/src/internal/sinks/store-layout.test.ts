import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOUR_MS, isDateDir, isPartFileName, partFilePath, partitionStart } from './store-layout.js';

describe('the raw store layout', () => {
  it('writes a record into the part file of its UTC receive hour', () => {
    const time = Date.parse('2026-12-07T14:59:59.999Z');
    expect(partFilePath('/store', 'good', time, 'a')).toBe(path.join('/store', 'good', 'date=2026-12-07', 'hour=14', 'part-a.jsonl'));
    expect(partFilePath('/store', 'bad', time + 1, 'a')).toBe(path.join('/store', 'bad', 'date=2026-12-07', 'hour=15', 'part-a.jsonl'));
  });

  it('parses back the hour it wrote, for every hour of a year', () => {
    const from = Date.parse('2026-01-01T00:00:00Z');
    for (let start = from; start < from + 365 * 24 * HOUR_MS; start += HOUR_MS) {
      const file = partFilePath('/store', 'good', start + 1234, 'x');
      const [date, hour, name] = file.split(path.sep).slice(-3);
      expect(isDateDir(date!)).toBe(true);
      expect(partitionStart(date!, hour!)).toBe(start);
      expect(isPartFileName(name!)).toBe(true);
    }
  });

  it('takes other names for something else than a partition', () => {
    expect(isDateDir('date=2026-1-1')).toBe(false);
    expect(isDateDir('.probe-a')).toBe(false);
    expect(partitionStart('date=2026-12-07', 'hour=7')).toBeUndefined();
    expect(partitionStart('date=2026-12-07', 'hours=07')).toBeUndefined();
    expect(partitionStart('dates=2026-12-07', 'hour=07')).toBeUndefined();
    expect(isPartFileName('part-a.jsonl.tmp')).toBe(false);
  });

  it('reads any *.jsonl of a partition as a part file, as the warehouse does', () => {
    expect(isPartFileName('copied-by-hand.jsonl')).toBe(true);
  });
});
