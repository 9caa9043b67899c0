// Benchmark: `tracklane generate` over the whole Iglu Central corpus beside json-schema-to-typescript
// on the same schemas, in one run; tsc --strict --noEmit over each output reported separately.
// Run: pnpm --filter @tracklane/codegen exec tsx ../bench/codegen/run.ts   (prints a markdown table)
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import ts from 'typescript';
import { generate } from '../../codegen/src/generate.js';
import { loadSchemas } from '../../codegen/src/internal/load/load-schemas.js';
import { CORE_STUB } from '../../codegen/src/internal/testing/typecheck.js';

const here = import.meta.dirname;
const CORPUS = process.env['CORPUS'] ?? join(here, '../../test/corpora/iglu-central/schemas');
const RUNS = Number(process.env['RUNS'] ?? 5);
/** The one json-schema-to-typescript call the bench makes (it is a devDependency of @tracklane/codegen). */
interface Jstt {
  compile(schema: object, name: string, options: Record<string, unknown>): Promise<string>;
}
const jstt = createRequire(join(here, '../../codegen/package.json'))('json-schema-to-typescript') as Jstt;
const out = join(here, '../results/codegen');
mkdirSync(out, { recursive: true });

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number): string => `${Math.round(x)} ms`;

async function timeRuns(fn: () => unknown): Promise<{ first: number; median: number }> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return { first: times[0]!, median: median(times.slice(1).length > 0 ? times.slice(1) : times) };
}

function tscTime(files: Record<string, string>): { ms: number; errors: number } {
  const dir = join(out, `tsc-${Object.keys(files).length}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const paths = Object.entries({ 'core-stub.d.ts': CORE_STUB, ...files }).map(([name, text]) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  });
  const start = performance.now();
  const program = ts.createProgram(paths, { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, lib: ['lib.es2022.d.ts'], types: [], skipLibCheck: true });
  const errors = ts.getPreEmitDiagnostics(program).length;
  return { ms: performance.now() - start, errors };
}

const { schemas, skipped } = loadSchemas([CORPUS]);
console.error(`corpus: ${schemas.length} JSON Schemas (+${skipped.length} avro/thrift/protobuf files skipped), ${RUNS} runs each`);

// 1. tracklane generate: load + emit + print, in-process, the same work the CLI does.
let tracklaneCode = '';
const tracklane = await timeRuns(() => (tracklaneCode = generate({ schemas: [CORPUS] }).code));
const tracklaneAlways = await timeRuns(() => generate({ schemas: [CORPUS], validators: 'always' }));

// 2. json-schema-to-typescript 16 on the same schemas (no network: external $refs are not fetched).
let jsttFiles: Record<string, string> = {};
let jsttFailures = 0;
const jsttTimes = await timeRuns(async () => {
  jsttFiles = {};
  jsttFailures = 0;
  for (const [i, s] of schemas.entries()) {
    const { self: _self, $schema: _meta, ...body } = s.schema;
    try {
      jsttFiles[`s${i}.ts`] = await jstt.compile(body, `${s.vendor}_${s.name}_${s.version.model}`, {
        bannerComment: '', format: false, additionalProperties: true, declareExternallyReferenced: true,
        $refOptions: { resolve: { external: false } },
      });
    } catch {
      jsttFailures++;
    }
  }
});

// 3. tsc --strict --noEmit over each output, separately.
const tscTracklane = tscTime({ 'index.ts': tracklaneCode });
const tscJstt = tscTime(jsttFiles);

const rows = [
  ['tracklane generate (types + track functions)', ms(tracklane.first), ms(tracklane.median), `${schemas.length}/${schemas.length}`, `${Math.round(tracklaneCode.length / 1024)} KiB`],
  ['tracklane generate --validators always', ms(tracklaneAlways.first), ms(tracklaneAlways.median), `${schemas.length}/${schemas.length}`, ''],
  ['json-schema-to-typescript 16 (types only)', ms(jsttTimes.first), ms(jsttTimes.median), `${schemas.length - jsttFailures}/${schemas.length}`, `${Math.round(Object.values(jsttFiles).join('').length / 1024)} KiB`],
];
const table = [
  `Codegen over Iglu Central (${schemas.length} JSON Schemas), Node ${process.version}, ${RUNS} runs (median excludes the first, cold run)`,
  '',
  '| tool | first run | median | schemas generated | output |',
  '|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
  '',
  '| tsc --strict --noEmit | time | errors |',
  '|---|---|---|',
  `| over tracklane output | ${ms(tscTracklane.ms)} | ${tscTracklane.errors} |`,
  `| over json-schema-to-typescript output | ${ms(tscJstt.ms)} | ${tscJstt.errors} |`,
].join('\n');
console.log(table);
writeFileSync(join(out, 'results.md'), `${table}\n`);
