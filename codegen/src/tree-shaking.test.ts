import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { rollup, type Plugin } from 'rollup';
import { minify } from 'terser';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { scratchDir } from './internal/testing/typecheck.js';
import { tracklane } from './rollup-plugin.js';

const PLAN = join(import.meta.dirname, '../../examples/tracking-plan/schemas');
const EVENTS = ['trackPageView', 'trackSignup', 'trackCheckoutStarted', 'trackOrderCompleted', 'trackFeatureUsed', 'trackSubscriptionChanged'];

/** TypeScript to JavaScript for the bundle (type-only imports vanish), and a virtual entry. */
function testBundlePlugins(entry: string): Plugin[] {
  return [{
    name: 'test-entry-and-ts',
    resolveId: (id) => (id === 'entry' ? id : id === '@tracklane/core' ? { id, external: true } : null),
    load: (id) => (id === 'entry' ? entry : null),
    transform: (code, id) => (id.endsWith('.ts') ? ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false } }).outputText : null),
  }];
}

/** Bundles an app that calls the given track functions, generating the module with the Rollup plugin; returns minified code and its gzip size. */
async function bundle(out: string, used: readonly string[], validators: 'off' | 'always' = 'off'): Promise<{ code: string; gzip: number }> {
  const entry = `import { ${used.join(', ')} } from ${JSON.stringify(join(out, 'index.ts'))};\nconst tracker = globalThis.tracker;\n${used.map((f) => `${f}(tracker, globalThis.data);`).join('\n')}\n`;
  const build = await rollup({ input: 'entry', plugins: [tracklane({ cwd: out, schemas: [PLAN], out, validators }), ...testBundlePlugins(entry)], treeshake: true });
  const { output } = await build.generate({ format: 'es' });
  await build.close();
  const minified = (await minify(output[0].code, { module: true, compress: { passes: 2 }, mangle: true })).code ?? '';
  return { code: minified, gzip: gzipSync(minified, { level: 9 }).length };
}

describe('tree-shaking (Rollup, validators off)', () => {
  it('each further track function costs less than 150 bytes gzip, and unused ones are absent', { timeout: 60_000 }, async () => {
    const out = scratchDir('treeshake');
    const sizes: number[] = [];
    for (let n = 1; n <= EVENTS.length; n++) {
      const { code, gzip } = await bundle(out, EVENTS.slice(0, n));
      sizes.push(gzip);
      for (const unused of EVENTS.slice(n)) {
        const schema = unused.replace(/^track/, '').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
        expect(code).not.toContain(`iglu:com.acme/${schema}/`);
      }
    }
    const growth = sizes.slice(1).map((size, i) => size - sizes[i]!);
    process.stdout.write(`tree-shaking: gzip bytes for 1..${EVENTS.length} functions: ${sizes.join(', ')}; growth per function: ${growth.join(', ')}\n`);
    for (const g of growth) expect(g).toBeLessThan(150);
    // The generated module was written by the plugin at build start.
    expect(readFileSync(join(out, 'index.ts'), 'utf8')).toContain('export function trackSignup(');
  });

  it('a bundle with one function carries no other schema, PII table or entity factory', { timeout: 60_000 }, async () => {
    const { code } = await bundle(scratchDir('treeshake'), ['trackPageView']);
    expect(code).toContain('iglu:com.acme/page_view/jsonschema/1-0-0');
    expect(code).not.toMatch(/signup|product|\/email|hash/);
  });
});

describe('tree-shaking (Rollup, validators always)', () => {
  it('a bundle with one function carries its own validator and no other schema’s', { timeout: 60_000 }, async () => {
    const { code } = await bundle(scratchDir('treeshake-validators'), ['trackPageView'], 'always');
    // page_view's own checks (its path pattern, its closed property list)...
    expect(code).toContain('iglu:com.acme/page_view/jsonschema/1-0-0');
    expect(code).toContain('referrer');
    // ...and none of signup's, checkout's or order's: no other property name, enum or format.
    expect(code).not.toMatch(/signup|referral_code|enterprise|utm_campaign|checkout|order_completed|feature_used/);
  });
});
