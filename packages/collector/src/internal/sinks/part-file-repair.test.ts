import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dropTornTail, truncateTo } from './part-file-repair.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tracklane-part-repair-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

async function dropTail(content: string): Promise<string> {
  const file = path.join(dir, `part-${files++}.jsonl`);
  writeFileSync(file, content);
  const handle = await open(file, 'r+');
  try {
    expect(await dropTornTail(handle, (await handle.stat()).size, false)).toBe(Buffer.byteLength(readFileSync(file, 'utf8')));
  } finally {
    await handle.close();
  }
  return readFileSync(file, 'utf8');
}

describe('dropTornTail', () => {
  it.each<[string, string, string]>([
    ['a torn last line', '{"a":1}\n{"b":', '{"a":1}\n'],
    ['a whole file', '{"a":1}\n{"b":2}\n', '{"a":1}\n{"b":2}\n'],
    ['nothing but a torn line', '{"b":', ''],
    ['a torn line longer than one read (64 KiB)', `{"a":1}\n{"b":"${'x'.repeat(200_000)}`, '{"a":1}\n'],
    ['a newline right at a read boundary', `${'y'.repeat(65_535)}\n${'z'.repeat(65_536)}`, `${'y'.repeat(65_535)}\n`],
  ])('%s', async (_name, content, left) => {
    expect(await dropTail(content)).toBe(left);
  });
});

describe('truncateTo', () => {
  it('cuts a file back to a size, leaves a shorter one, and ignores a missing one', async () => {
    const file = path.join(dir, 'cut.jsonl');
    writeFileSync(file, '{"a":1}\n{"b":2}\n{"c"');
    await truncateTo(file, 8, true);
    expect(readFileSync(file, 'utf8')).toBe('{"a":1}\n');
    await truncateTo(file, 100, false);
    expect(readFileSync(file, 'utf8')).toBe('{"a":1}\n');
    await expect(truncateTo(path.join(dir, 'missing.jsonl'), 0, false)).resolves.toBeUndefined();
  });
});
