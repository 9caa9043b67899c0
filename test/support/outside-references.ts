import path from 'node:path';

/** A reference in a file to a place outside the repository. */
export interface OutsideReference {
  /** 1-based line of the file. */
  line: number;
  reference: string;
}

/**
 * Directories of the machines the repository is developed and tested on, and of the workspace
 * around the checkout. A path under one of them in a committed file only works on that machine.
 */
const MACHINE_ROOTS = ['/work', '/root', '/home', '/Users', '/mnt', '/srv'];
const machinePath = new RegExp(`(?<![\\w.~-])(?:${MACHINE_ROOTS.map((dir) => dir.replace('/', '\\/')).join('|')})\\/[\\w.@+-]+(?:\\/[\\w.@+-]+)*`, 'g');
/** A relative path that starts by climbing: `../x`, `../../x/y`. */
const climbingPath = /(?<![\w./-])(?:\.\.\/)+[\w.@+-]*(?:\/[\w.@+-]+)*/g;
/** The workspace's sibling checkout, however it is reached. */
const siblingCheckout = /(?:\.\.\/)+shared\b|(?<![\w-])shared\/(?:corpora|peer-bench|DESIGN\.md|STYLE\.md|hooks)\b/g;

/**
 * Finds what `text`, the content of `file` (a path relative to the repository root), names
 * outside the repository: absolute paths under the machine roots above, the sibling `shared/`
 * checkout, and relative paths that climb above the repository root from the file's directory to
 * something the repository does not hold. (Lock files and comments write paths relative to a
 * package's directory, not the file's: `../core` in pnpm-lock.yaml is `packages/core`. A path
 * whose target is one of `repositoryPaths`, the repository's files and directories and their
 * trailing segments, is taken to be such a path.)
 */
export function outsideReferences(text: string, file: string, repositoryPaths: ReadonlySet<string>): OutsideReference[] {
  const found: OutsideReference[] = [];
  const lines = text.split('\n');
  const fileDir = path.posix.dirname(file);
  lines.forEach((content, index) => {
    const add = (reference: string): void => void found.push({ line: index + 1, reference });
    for (const match of content.matchAll(machinePath)) add(match[0]);
    for (const match of content.matchAll(climbingPath)) {
      const resolved = path.posix.normalize(path.posix.join(fileDir, match[0]));
      // `../../core/src/...` in prose: the target is `core/src`.
      const target = match[0].replace(/^(?:\.\.\/)+/, '').replace(/\/?\.{3}$/, '').replace(/\/$/, '');
      if ((resolved === '..' || resolved.startsWith('../')) && !repositoryPaths.has(target)) add(match[0]);
    }
    for (const match of content.matchAll(siblingCheckout)) {
      if (!found.some((hit) => hit.line === index + 1)) add(match[0]);
    }
  });
  return found;
}

/** Every file and directory of `files` (repository-relative) and each of their trailing segments. */
export function pathSuffixes(files: readonly string[]): Set<string> {
  const suffixes = new Set<string>(['']);
  for (const file of files) {
    const segments = file.split('/');
    for (let end = segments.length; end > 0; end--) {
      for (let start = 0; start < end; start++) suffixes.add(segments.slice(start, end).join('/'));
    }
  }
  return suffixes;
}
