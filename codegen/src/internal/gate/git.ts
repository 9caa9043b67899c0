import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CodegenError, CodegenErrorCode } from '../../errors.js';

/** Big enough for a whole schema directory's blobs in one `cat-file --batch` answer. */
const MAX_BUFFER = 512 * 1024 * 1024;

/** Runs git with an argument list (never a shell), in `cwd`; a failure is an INVALID_CONFIG error with git's own message. */
export function git(cwd: string, args: readonly string[], input?: Buffer): Buffer {
  try {
    return execFileSync('git', args, { cwd, input, maxBuffer: MAX_BUFFER, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (cause) {
    const stderr = (cause as { stderr?: Buffer }).stderr?.toString().trim();
    throw new CodegenError(CodegenErrorCode.INVALID_CONFIG, `git ${args[0]} failed: ${stderr || (cause as Error).message}`, { file: cwd }, { cause });
  }
}

/** The top directory of the git work tree holding `path` (or its nearest existing parent). */
export function workTreeRoot(path: string): string {
  let dir = path;
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  return git(dir, ['rev-parse', '--show-toplevel']).toString().trim();
}

/** The commit `ref` names; `--end-of-options` keeps a ref that starts with `-` from being read as a flag. */
export function resolveCommit(root: string, ref: string): string {
  try {
    return git(root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]).toString().trim();
  } catch (cause) {
    throw new CodegenError(CodegenErrorCode.INVALID_CONFIG, `--base ${ref} is not a commit of the repository at ${root}`, { file: root }, { cause });
  }
}

/** One file of a commit's tree. */
export interface TreeFile {
  /** Path from the work tree root, with `/`. */
  path: string;
  content: Buffer;
}

/** Every file under `dirs` (paths from the root) in `commit`, read with one `ls-tree` and one `cat-file --batch`. */
export function filesAt(root: string, commit: string, dirs: readonly string[]): TreeFile[] {
  if (dirs.length === 0) return [];
  const listing = git(root, ['ls-tree', '-r', '-z', '--full-tree', commit, '--', ...dirs]).toString();
  const blobs: { path: string; sha: string }[] = [];
  for (const entry of listing.split('\0')) {
    const match = /^\d+ blob ([0-9a-f]+)\t(.*)$/s.exec(entry);
    if (match) blobs.push({ sha: match[1]!, path: match[2]! });
  }
  if (blobs.length === 0) return [];
  const out = git(root, ['cat-file', '--batch'], Buffer.from(blobs.map((b) => `${b.sha}\n`).join('')));
  const files: TreeFile[] = [];
  let at = 0;
  for (const blob of blobs) {
    const header = out.indexOf(0x0a, at);
    const size = Number(/ (\d+)$/.exec(out.subarray(at, header).toString())?.[1]);
    files.push({ path: blob.path, content: out.subarray(header + 1, header + 1 + size) });
    at = header + 1 + size + 1; // the content, then a newline
  }
  return files;
}

/** `path` with symbolic links resolved (git reports real paths); a path that does not exist yet keeps its missing tail. */
export function realPath(path: string): string {
  if (existsSync(path)) return realpathSync(path);
  const parent = dirname(path);
  return parent === path ? path : join(realPath(parent), basename(path));
}
