// One Rollup config for every package. Run it from the package's directory:
//   packages/*: `rollup -c ../../rollup.config.mjs`     codegen: `rollup -c ../rollup.config.mjs`
// It reads that package.json and builds each entry to
//   dist/<name>.js (ESM), dist/<name>.cjs (CJS), dist/<name>.d.ts and dist/<name>.d.cts,
// with sourcemaps. Entries default to {index: 'src/index.ts'}; a package with more declares them:
//   "tracklane": {"entries": {"index": "src/index.ts", "cli": "src/cli.ts"}}
// An entry whose dist/<name>.js is a `bin` target is an executable: ESM only, no types, shebang.
import { readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import esbuild from 'rollup-plugin-esbuild';
import { dts } from 'rollup-plugin-dts';

const cwd = process.cwd();
const pkg = JSON.parse(readFileSync(path.join(cwd, 'package.json'), 'utf8'));

/** @type {Record<string, string>} entry name -> source file */
const entries = pkg.tracklane?.entries ?? { index: 'src/index.ts' };
const bins = new Set(
  Object.values(typeof pkg.bin === 'string' ? { bin: pkg.bin } : (pkg.bin ?? {})).map((p) =>
    path.posix.normalize(p),
  ),
);
const isBin = (name) => bins.has(`dist/${name}.js`);
/** Rollup keeps a shebang written in the source; add one only where there is none. */
const hasShebang = (chunk) => readFileSync(chunk.facadeModuleId ?? '', 'utf8').startsWith('#!');
const libraryEntries = Object.fromEntries(Object.entries(entries).filter(([name]) => !isBin(name)));

// Dependencies are never bundled: the consumer's package manager installs them.
const dependencies = [
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.peerDependencies ?? {}),
  ...Object.keys(pkg.optionalDependencies ?? {}),
];
const builtins = new Set(builtinModules);
/** @param {string} id */
const external = (id) =>
  id.startsWith('node:') ||
  builtins.has(id) ||
  dependencies.some((dep) => id === dep || id.startsWith(`${dep}/`));

/** A bare import that is neither a dependency nor a builtin would be bundled or lost: fail. */
const onwarn = (warning, warn) => {
  if (warning.code === 'UNRESOLVED_IMPORT') {
    throw new Error(
      `${pkg.name}: ${warning.message}. Add it to "dependencies" (or "peerDependencies") in package.json.`,
    );
  }
  warn(warning);
};

rmSync(path.join(cwd, 'dist'), { recursive: true, force: true });

const common = {
  external,
  onwarn,
};

/** @type {import('rollup').RollupOptions[]} */
const configs = [
  {
    ...common,
    input: entries,
    plugins: [esbuild({ target: 'es2022', sourceMap: true, tsconfig: 'tsconfig.json' })],
    output: {
      dir: 'dist',
      format: 'es',
      entryFileNames: '[name].js',
      chunkFileNames: 'chunks/[name]-[hash].js',
      sourcemap: true,
      banner: (chunk) => (chunk.isEntry && isBin(chunk.name) && !hasShebang(chunk) ? '#!/usr/bin/env node' : ''),
    },
  },
  {
    ...common,
    input: libraryEntries,
    plugins: [esbuild({ target: 'es2022', sourceMap: true, tsconfig: 'tsconfig.json' })],
    output: {
      dir: 'dist',
      format: 'cjs',
      entryFileNames: '[name].cjs',
      chunkFileNames: 'chunks/[name]-[hash].cjs',
      exports: 'named',
      sourcemap: true,
    },
  },
  {
    ...common,
    input: libraryEntries,
    plugins: [dts({ tsconfig: 'tsconfig.json' })],
    // The same declarations twice: .d.ts types the ESM files, .d.cts the CJS ones.
    output: ['d.ts', 'd.cts'].map((ext) => ({
      dir: 'dist',
      format: 'es',
      entryFileNames: `[name].${ext}`,
      chunkFileNames: `chunks/[name]-[hash].${ext}`,
    })),
  },
];

export default configs;
