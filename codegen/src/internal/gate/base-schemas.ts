import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { CodegenError, CodegenErrorCode } from '../../errors.js';
import { loadSchemas } from '../load/load-schemas.js';
import type { LoadedSchema } from '../load/types.js';
import { filesAt, realPath, resolveCommit, workTreeRoot } from './git.js';

/** The schemas of the same directories at another commit. */
export interface BaseSchemas {
  ref: string;
  commit: string;
  /** Their `file` is where the file sits in the work tree (it may no longer exist there). */
  schemas: LoadedSchema[];
}

/**
 * Reads the schema directories as they are at `ref`: their files are copied out of git into a
 * temporary directory and loaded by the same loader as the work tree, so both sides are read
 * alike. Files that did not load at the base are left out (fixing one is not this change's fault).
 */
export function readBaseSchemas(ref: string, dirs: readonly string[]): BaseSchemas {
  if (dirs.length === 0) return { ref, commit: '', schemas: [] };
  const root = workTreeRoot(dirs[0]!);
  const commit = resolveCommit(root, ref);
  const inRepo = dirs.map((dir) => {
    const path = relative(root, realPath(dir));
    if (path.startsWith('..') || isAbsolute(path)) throw new CodegenError(CodegenErrorCode.INVALID_CONFIG, `--base: schema directory ${dir} is outside the git repository at ${root}`, { file: dir });
    return path;
  });
  const scratch = mkdtempSync(join(tmpdir(), 'tracklane-base-'));
  try {
    for (const file of filesAt(root, commit, inRepo.map((p) => (p === '' ? '.' : p.split(sep).join('/'))))) {
      const target = join(scratch, ...file.path.split('/'));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, file.content);
    }
    const schemas = dirs.flatMap((dir, i) => {
      const copy = join(scratch, inRepo[i]!);
      if (!existsDir(copy)) return []; // the base has no such directory: no published version yet
      return loadSchemas([copy]).schemas.map((s): LoadedSchema => ({ ...s, file: join(dir, relative(copy, s.file)) }));
    });
    return { ref, commit, schemas };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function existsDir(dir: string): boolean {
  return statSync(dir, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

