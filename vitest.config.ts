// One vitest config for the whole repo, one project per package (`vitest run --project core`).
// Workspace package names resolve to their sources (src/), so no test needs a build first.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import type { Alias } from 'vite';
import type { TestProjectInlineConfiguration } from 'vitest/config';

const root = path.dirname(fileURLToPath(import.meta.url));
const at = (...segments: string[]): string => path.join(root, ...segments);

interface Manifest {
  name: string;
  exports?: Record<string, unknown>;
  tracklane?: { entries?: Record<string, string> };
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * Aliases from each package's `exports`: `@tracklane/x[/sub]` -> the source of the entry whose
 * `dist/<entry>.js` it exports (`tracklane.entries`, else `src/<entry>.ts`); wildcard subpaths
 * outside dist (e.g. `./schemas/*`) -> the package's files.
 */
function aliasesOf(dir: string): Alias[] {
  const manifestPath = at(dir, 'package.json');
  if (!existsSync(manifestPath)) return [];
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  const aliases: Alias[] = [];
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    const file = JSON.stringify(target).match(/"\.\/dist\/([\w.-]+)\.js"/)?.[1];
    const specifier = manifest.name + subpath.slice(1);
    if (file !== undefined) {
      const source = manifest.tracklane?.entries?.[file] ?? `src/${file}.ts`;
      aliases.push({ find: new RegExp(`^${escape(specifier)}$`), replacement: at(dir, source) });
    } else if (typeof target === 'string' && subpath.endsWith('/*') && target.endsWith('/*')) {
      aliases.push({
        find: new RegExp(`^${escape(specifier.slice(0, -1))}(.*)$`),
        replacement: `${at(dir, target.slice(0, -1))}$1`,
      });
    }
  }
  return aliases;
}

const packageDirs = [...readdirSync(at('packages')).map((name) => `packages/${name}`), 'codegen'];

/** A unit-test project for a package: its tests live next to the code as src/**\/*.test.ts. */
function unit(name: string, dir: string, environment: 'node' | 'happy-dom'): TestProjectInlineConfiguration {
  return {
    extends: true,
    test: {
      name,
      root: at(dir),
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment,
    },
  };
}

/**
 * Every package's project, listed: a package that is renamed or added without its line here fails
 * test/vitest-projects.test.ts instead of silently losing its tests. The browser package runs in
 * happy-dom.
 */
export const PACKAGE_PROJECTS = [
  unit('core', 'packages/core', 'node'),
  unit('node', 'packages/node', 'node'),
  unit('browser', 'packages/browser', 'happy-dom'),
  unit('snowplow', 'packages/snowplow', 'node'),
  unit('collector', 'packages/collector', 'node'),
  unit('schema', 'packages/schema', 'node'),
  unit('warehouse', 'packages/warehouse', 'node'),
  unit('codegen', 'codegen', 'node'),
];

const projects: TestProjectInlineConfiguration[] = [
  ...PACKAGE_PROJECTS,
  {
    // Cross-package end-to-end tests: real collector on loopback, real Chromium, real Kafka.
    extends: true,
    test: {
      name: 'e2e',
      root: at('test'),
      include: ['**/*.test.ts'],
      environment: 'node',
      testTimeout: 60_000,
      hookTimeout: 120_000,
      // They start servers and browsers: one file at a time on a 2-core machine.
      fileParallelism: false,
    },
  },
];

export default defineConfig({
  root,
  resolve: { alias: packageDirs.flatMap(aliasesOf) },
  test: {
    projects,
    reporters: ['default', './test/support/closing-line-reporter.ts'],
    restoreMocks: true,
    unstubEnvs: true,
    unstubGlobals: true,
  },
});
