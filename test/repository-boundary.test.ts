// The repository stands alone: a fresh clone passes its own tests with nothing beside it. Every
// tracked text file is read; none may name a place outside the repository: a sibling checkout
// (`../shared`), an absolute path of the machine it was written on, or a relative path that climbs
// above the repository root from where the file sits.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { outsideReferences, pathSuffixes } from './support/outside-references.js';

const root = path.resolve(import.meta.dirname, '..');

/** This file: its table of examples names outside places on purpose. */
const SELF = 'test/repository-boundary.test.ts';

/** Tracked files (and new ones not ignored), as git sees them: what a clone gets. */
function repositoryFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8' });
  return out.split('\0').filter((file) => file !== '' && file !== SELF && !file.startsWith('test/corpora/'));
}

describe('outsideReferences: what counts as reaching outside', () => {
  const repository = pathSuffixes(['packages/core/src/index.ts', 'test/corpora/iglu-central/LICENSE', 'rollup.config.mjs']);
  const cases: { given: string; file: string; want: string[] }[] = [
    { given: "const corpus = '../shared/corpora/iglu-central';", file: 'test/a.mjs', want: ['../shared'] },
    { given: 'the corpus in shared/corpora/iglu-central', file: 'README.md', want: ['shared/corpora'] },
    { given: 'see /work/main/README.md', file: 'docs/x.md', want: ['/work/main/README.md'] },
    { given: "join(here, '../../../x/y')", file: 'bench/codegen/run.ts', want: ['../../../x/y'] },
    { given: "join(here, '../../test/corpora')", file: 'bench/codegen/run.ts', want: [] },
    { given: "import x from '../../core/src/index.js';", file: 'packages/node/src/index.ts', want: [] },
    { given: 'link: ../core (from a package directory)', file: 'pnpm-lock.yaml', want: [] },
    { given: 'rollup -c ../../rollup.config.mjs', file: 'rollup.config.mjs', want: [] },
    { given: 'no deep imports (../../core/src/...)', file: 'eslint.config.mjs', want: [] },
    { given: 'rollup -c ../../elsewhere.mjs', file: 'rollup.config.mjs', want: ['../../elsewhere.mjs'] },
    { given: 'cd /root/project && make', file: 'docs/y.md', want: ['/root/project'] },
    { given: 'files under /tmp and /usr/bin/chromium', file: 'docs/z.md', want: [] },
  ];
  for (const { given, file, want } of cases) {
    it(`${file}: ${given}`, () => {
      expect(outsideReferences(given, file, repository).map((hit) => hit.reference)).toEqual(want);
    });
  }
});

describe('the repository', () => {
  it('names no path outside itself in any of its files', () => {
    const hits: string[] = [];
    const files = repositoryFiles();
    const repository = pathSuffixes(files);
    for (const file of files) {
      const bytes = readFileSync(path.join(root, file));
      if (bytes.includes(0)) continue; // binary
      for (const hit of outsideReferences(bytes.toString('utf8'), file, repository)) hits.push(`${file}:${hit.line}: ${hit.reference}`);
    }
    expect(hits).toEqual([]);
  });

  it('holds every page of docs/ that a file cites', () => {
    const missing: string[] = [];
    for (const file of repositoryFiles()) {
      if (file === 'CHANGELOG.md') continue; // history: it names pages as they were then
      const text = readFileSync(path.join(root, file), 'utf8');
      for (const match of text.matchAll(/\bdocs\/[\w-]+\.md\b|(?<![\w/.-])(?:DESIGN|STYLE)\.md\b/g)) {
        // A bare DESIGN.md or STYLE.md named a page outside the repository; they are docs/ pages now.
        if (!match[0].startsWith('docs/') || !existsSync(path.join(root, match[0]))) missing.push(`${file}: ${match[0]}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
