import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rollup, watch, type RollupWatcherEvent } from 'rollup';
import { describe, expect, it } from 'vitest';
import { schemaDir } from './internal/testing/schema-dir.js';
import { scratchDir } from './internal/testing/typecheck.js';
import { tracklane as rollupTracklane } from './rollup-plugin.js';
import { tracklane as viteTracklane, type ViteDevServerLike } from './vite-plugin.js';
import { eventually } from '../../test/helpers/eventually.js';

const event = (props: Record<string, unknown> = {}) => ({ type: 'object', properties: props, additionalProperties: false, 'x-tracklane': { kind: 'event' } });
const virtualEntry = { name: 'entry', resolveId: (id: string) => (id === 'entry' ? id : null), load: (id: string) => (id === 'entry' ? 'export default 1;' : null) };

describe('Rollup plugin', () => {
  it('generates at build start and fails the build on a broken schema, naming the file', async () => {
    const out = scratchDir('rollup');
    const dir = schemaDir({ 'com.acme/click/1-0-0': event() });
    await (await rollup({ input: 'entry', plugins: [rollupTracklane({ schemas: [dir], out }), virtualEntry] })).close();
    expect(readFileSync(join(out, 'index.ts'), 'utf8')).toContain('trackClick');
    const broken = schemaDir({ 'com.acme/click/1-0-0': '{' });
    await expect(rollup({ input: 'entry', plugins: [rollupTracklane({ schemas: [broken], out: scratchDir('rollup') }), virtualEntry] })).rejects.toThrow(/com\.acme\/click\/jsonschema\/1-0-0: invalid JSON/);
  });

  it('fails the build on an x-pii that is not hash, redact or drop', async () => {
    const dir = schemaDir({ 'com.acme/click/1-0-0': event({ email: { type: 'string', 'x-pii': 'hsah' } }) });
    await expect(rollup({ input: 'entry', plugins: [rollupTracklane({ schemas: [dir], out: scratchDir('rollup') }), virtualEntry] }))
      .rejects.toThrow('com.acme/click/jsonschema/1-0-0#/properties/email/x-pii: x-pii must be "hash", "redact" or "drop", not "hsah" [x-pii]');
  });

  it('regenerates in watch mode when a schema changes', { timeout: 30_000 }, async () => {
    const out = scratchDir('rollup-watch');
    const dir = schemaDir({ 'com.acme/click/1-0-0': event() });
    const watcher = watch({ input: 'entry', plugins: [rollupTracklane({ schemas: [dir], out }), virtualEntry], output: { dir: join(out, 'dist') }, watch: { buildDelay: 10 } });
    const builds = { count: 0 };
    watcher.on('event', (e: RollupWatcherEvent) => {
      if (e.code === 'BUNDLE_END') {
        builds.count++;
        void e.result.close();
      }
    });
    try {
      await eventually(() => builds.count === 1, { timeoutMs: 20_000, intervalMs: 25, what: 'the first build' });
      const file = join(dir, 'com.acme/click/jsonschema/1-0-0');
      const schema = JSON.parse(readFileSync(file, 'utf8'));
      schema.properties.label = { type: 'string' };
      const regenerated = () => readFileSync(join(out, 'index.ts'), 'utf8').includes('label?: string');
      // Rollup arms its file watches as the first build ends: a change saved in that instant can go
      // unseen. Like a user, save it again (every 2 s) until the build picks it up.
      for (let saves = 0; !regenerated(); saves++) {
        if (saves === 10) throw new Error('the schema change was saved 10 times and never regenerated the code');
        writeFileSync(file, JSON.stringify(schema));
        await eventually(regenerated, { timeoutMs: 2000, intervalMs: 25, what: 'the code regenerated' }).catch(() => undefined);
      }
    } finally {
      await watcher.close();
    }
  });
});

describe('Vite plugin', () => {
  it('regenerates in the dev server when a schema changes, and ignores other files', async () => {
    const out = scratchDir('vite');
    const dir = schemaDir({ 'com.acme/click/1-0-0': event() });
    const plugin = viteTracklane({ schemas: [dir], out });
    const emitter = new EventEmitter();
    const logs: string[] = [];
    const server: ViteDevServerLike = { watcher: { add: () => undefined, on: (name, fn) => emitter.on(name, fn) }, config: { logger: { info: (m) => logs.push(m), error: (m) => logs.push(`error ${m}`) } } };
    plugin.configureServer?.(server);
    emitter.emit('change', join(out, 'unrelated.ts'));
    expect(existsSync(join(out, 'index.ts'))).toBe(false);
    const file = join(dir, 'com.acme/click/jsonschema/1-0-0');
    emitter.emit('change', file);
    expect(readFileSync(join(out, 'index.ts'), 'utf8')).toContain('trackClick');
    writeFileSync(file, '{');
    emitter.emit('change', file);
    expect(logs.at(-1)).toMatch(/^error tracklane: 1 schema error\(s\), nothing generated/);
    expect(readFileSync(join(out, 'index.ts'), 'utf8')).toContain('trackClick');
  });
});
