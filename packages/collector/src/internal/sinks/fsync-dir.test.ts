import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fsyncDir, fsyncDirSync } from './fsync-dir.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tracklane-fsync-dir-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fsyncDir', () => {
  it('syncs a directory', async () => {
    await expect(fsyncDir(dir)).resolves.toBeUndefined();
    expect(() => fsyncDirSync(dir)).not.toThrow();
  });

  it('fails on an error other than "not supported here", so nothing is acknowledged on it', async () => {
    const missing = path.join(dir, 'missing');
    await expect(fsyncDir(missing)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(() => fsyncDirSync(missing)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});
