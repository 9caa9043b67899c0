// The bytes a generated validator adds to a browser bundle: for each schema, an app that calls only
// `validate<X>` is bundled (Rollup, tree-shaken, @tracklane/core included so the format checks it
// imports count), minified (terser) and gzipped. Prints one line per schema of SCHEMAS (default:
// the example plan) and a summary.
// Run: pnpm --filter @tracklane/codegen exec tsx ../bench/codegen/validator-sizes.ts   (SCHEMAS=<dir> for another set)
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Plugin, rollup as Rollup } from 'rollup';
import ts from 'typescript';
import { generate } from '../../codegen/src/generate.js';

const here = import.meta.dirname;
// Rollup and terser are devDependencies of @tracklane/codegen.
const fromCodegen = (name: string): string => pathToFileURL(createRequire(join(here, '../../codegen/package.json')).resolve(name)).href;
const { rollup } = (await import(fromCodegen('rollup'))) as { rollup: typeof Rollup };
const { minify } = (await import(fromCodegen('terser'))) as { minify: (code: string, options: object) => Promise<{ code?: string }> };
const SCHEMAS = process.env['SCHEMAS'] ?? join(here, '../../examples/tracking-plan/schemas');
/** Measure every EVERY-th schema only (a bundle of the whole corpus module takes a second each). */
const EVERY = Number(process.env['EVERY'] ?? 1);
const CORE = join(here, '../../packages/core/src/index.ts');
const out = join(here, '../results/codegen-validators');
mkdirSync(out, { recursive: true });

const result = generate({ schemas: [SCHEMAS], validators: 'always' });
const module = join(out, 'index.ts');
writeFileSync(module, result.code);

const transpiled = new Map<string, string>();

/** The entry, @tracklane/core from its sources, TypeScript to JavaScript (once per file). */
function plugins(entry: string): Plugin[] {
  return [{
    name: 'validator-size',
    resolveId: (id, importer) => (id === 'entry' ? id : id === '@tracklane/core' ? CORE : importer?.endsWith('.ts') && id.startsWith('.') ? join(importer, '..', id.replace(/\.js$/, '.ts')) : null),
    load: (id) => (id === 'entry' ? entry : null),
    transform: (code, id) => {
      if (!id.endsWith('.ts')) return null;
      const js = transpiled.get(id) ?? ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
      transpiled.set(id, js);
      return js;
    },
  }];
}

async function gzipBytes(entry: string): Promise<number> {
  const build = await rollup({ input: 'entry', plugins: plugins(entry), treeshake: true, onwarn: () => {} });
  const { output } = await build.generate({ format: 'es' });
  await build.close();
  const minified = (await minify(output[0].code, { module: true, compress: { passes: 2 }, mangle: true })).code ?? '';
  return gzipSync(minified, { level: 9 }).length;
}

const baseline = await gzipBytes('globalThis.out = globalThis.data;');
const sizes: number[] = [];
for (const model of result.models.filter((_, i) => i % EVERY === 0)) {
  const name = result.names.get(model)!.validate;
  const bytes = (await gzipBytes(`import { ${name} } from ${JSON.stringify(module)};\nglobalThis.out = ${name}(globalThis.data);\n`)) - baseline;
  sizes.push(bytes);
  process.stdout.write(`${model.latest.uri}\t${bytes}\n`);
}
const sorted = [...sizes].sort((a, b) => a - b);
const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
process.stdout.write(`${sizes.length} validators, gzip bytes: min ${sorted[0]}, median ${at(0.5)}, p90 ${at(0.9)}, max ${sorted[sorted.length - 1]}, total ${sizes.reduce((a, b) => a + b, 0)}\n`);
