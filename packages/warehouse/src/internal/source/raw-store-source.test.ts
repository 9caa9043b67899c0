import { appendFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTracklaneError } from '@tracklane/core';
import { rawStoreSource } from './raw-store-source.js';
import type { Source, SourcePosition } from './source.js';

let store: string;
beforeEach(() => {
  store = mkdtempSync(path.join(tmpdir(), 'warehouse-source-'));
});
afterEach(() => rmSync(store, { recursive: true, force: true }));

const write = (key: string, text: string): void => {
  mkdirSync(path.dirname(path.join(store, key)), { recursive: true });
  appendFileSync(path.join(store, key), text);
};

/** Reads like the loader: from the committed positions, committing each batch's. */
async function drain(source: Source, positions: Map<string, SourcePosition>, maxLines = 1000): Promise<{ texts: string[]; rewritten: string[] }> {
  const texts: string[] = [];
  const rewritten: string[] = [];
  for (;;) {
    const batch = await source.read(positions, maxLines);
    for (const p of batch.positions) positions.set(p.key, p);
    texts.push(...batch.lines.map((l) => `${l.kind}:${l.text}`));
    rewritten.push(...batch.rewritten);
    if (batch.lines.length === 0) return { texts, rewritten };
  }
}

describe('rawStoreSource', () => {
  it('finds part files at any depth under good/ and bad/, whatever the partitioning', async () => {
    write('good/date=2026-01-01/hour=00/part-a.jsonl', 'g1\n');
    write('good/received=2026-01-01T01/part-b.jsonl', 'g2\n');
    write('good/flat.jsonl', 'g3\n');
    write('bad/date=2026-01-01/hour=00/part-a.jsonl', 'b1\n');
    write('good/notes.txt', 'not a part file\n');
    const { texts } = await drain(rawStoreSource({ dir: store }), new Map());
    expect(texts.sort()).toEqual(['bad:b1', 'good:g1', 'good:g2', 'good:g3']);
  });

  it('follows a file by byte offset: what grew later is read, nothing twice, a torn last line waits', async () => {
    const source = rawStoreSource({ dir: store });
    const positions = new Map<string, SourcePosition>();
    write('good/p/part-a.jsonl', 'one\ntwo\nthr');
    expect((await drain(source, positions)).texts).toEqual(['good:one', 'good:two']);
    expect(positions.get('good/p/part-a.jsonl')!.offset).toBe(8);
    expect((await drain(source, positions)).texts).toEqual([]);
    write('good/p/part-a.jsonl', 'ee\nfour\n');
    write('good/q/part-a.jsonl', 'late\n');
    expect((await drain(source, positions)).texts).toEqual(['good:three', 'good:four', 'good:late']);
    expect((await drain(source, positions)).texts).toEqual([]);
  });

  it('stops a batch at maxLines and resumes at the next line', async () => {
    write('good/p/part-a.jsonl', 'a\nb\nc\n');
    write('good/p/part-b.jsonl', 'd\n');
    const source = rawStoreSource({ dir: store });
    const first = await source.read(new Map(), 2);
    expect(first.lines.map((l) => [l.text, l.offset])).toEqual([['a', 0], ['b', 2]]);
    const positions = new Map(first.positions.map((p) => [p.key, p]));
    expect((await drain(source, positions, 2)).texts).toEqual(['good:c', 'good:d']);
  });

  it('skips empty lines and keeps only the head of a line longer than maxLineBytes, once its end is written', async () => {
    const long = 'x'.repeat(10_000);
    write('good/p/part-a.jsonl', `\na\n${long}`);
    const source = rawStoreSource({ dir: store, maxLineBytes: 1024 });
    const positions = new Map<string, SourcePosition>();
    expect((await drain(source, positions)).texts).toEqual(['good:a']);
    write('good/p/part-a.jsonl', '\nb\n');
    const batch = await source.read(positions, 10);
    expect(batch.lines.map((l) => [l.text.length, l.truncated])).toEqual([[1024, true], [1, false]]);
  });

  it('a file rewritten under the loader (cut back and written again) is read again from its start', async () => {
    const source = rawStoreSource({ dir: store });
    const positions = new Map<string, SourcePosition>();
    write('good/p/part-a.jsonl', 'one\nunacknowledged\n');
    await drain(source, positions);
    writeFileSync(path.join(store, 'good/p/part-a.jsonl'), 'one\nretried-after-the-cut\n');
    expect(await drain(source, positions)).toEqual({ texts: ['good:one', 'good:retried-after-the-cut'], rewritten: ['good/p/part-a.jsonl'] });
  });

  it('follows a symlink inside the store, not one out of it', async () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'warehouse-outside-'));
    try {
      writeFileSync(path.join(outside, 'part-x.jsonl'), 'outside\n');
      write('good/p/part-a.jsonl', 'inside\n');
      symlinkSync(path.join(outside, 'part-x.jsonl'), path.join(store, 'good/p/part-x.jsonl'));
      symlinkSync(path.join(store, 'good/p/part-a.jsonl'), path.join(store, 'good/p/part-y.jsonl'));
      expect((await drain(rawStoreSource({ dir: store }), new Map())).texts).toEqual(['good:inside', 'good:inside']);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('a path that is not a raw store is an error, not an empty load', async () => {
    const error = await rawStoreSource({ dir: path.join(store, 'missing') }).read(new Map(), 1).catch((e: unknown) => e);
    expect(isTracklaneError(error) && error.code).toBe('SOURCE_UNREADABLE');
    const notStore = await rawStoreSource({ dir: store }).read(new Map(), 1).catch((e: unknown) => e);
    expect((notStore as Error).message).toMatch(/neither good\/ nor bad\//);
  });

  it('backlog: per file, bytes loaded and bytes there are', async () => {
    write('good/p/part-a.jsonl', 'one\ntwo\n');
    write('bad/p/part-a.jsonl', 'bad\n');
    const source = rawStoreSource({ dir: store });
    const first = await source.read(new Map(), 1);
    expect(await source.backlog(new Map(first.positions.map((p) => [p.key, p])))).toEqual([
      { key: 'bad/p/part-a.jsonl', kind: 'bad', loaded: 4, total: 4 },
      { key: 'good/p/part-a.jsonl', kind: 'good', loaded: 0, total: 8 },
    ]);
  });
});
