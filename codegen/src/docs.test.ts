import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDocs } from './docs.js';
import { isCodegenError } from './errors.js';
import { REGISTRY_FORMAT, type Registry } from './internal/docs/registry.js';
import { schemaDir } from './internal/testing/schema-dir.js';
import { scratchDir } from './internal/testing/typecheck.js';

const PLAN = join(import.meta.dirname, '../../examples/tracking-plan/schemas');

describe('tracklane docs', () => {
  const out = scratchDir('docs');
  const result = buildDocs({ schemas: [PLAN], out });

  it('writes an index, one page per schema and registry.json', () => {
    expect(result.files).toContain('index.html');
    expect(result.files).toContain('registry.json');
    expect(result.files).toContain('schemas/com.acme/signup.html');
    expect(result.pages).toBe(11);
  });

  it('registry.json lists every version by Iglu URI with metadata, PII rules, hash and the schema', () => {
    const registry = JSON.parse(readFileSync(join(out, 'registry.json'), 'utf8')) as Registry;
    expect(registry.format).toBe(REGISTRY_FORMAT);
    expect(Object.keys(registry.schemas)).toHaveLength(11);
    expect(registry.schemas['iglu:com.acme/signup/jsonschema/1-0-1']).toMatchObject({
      vendor: 'com.acme', name: 'signup', version: '1-0-1', kind: 'event', owner: 'growth', consent: 'marketing', deprecated: null,
      pii: { '/email': 'hash' }, hash: expect.stringMatching(/^sha256-[0-9a-f]{64}$/), schema: { self: { version: '1-0-1' } },
    });
  });

  it('a schema page shows fields, constraints, owner, consent, PII and what changed between versions', () => {
    const signup = readFileSync(join(out, 'schemas/com.acme/signup.html'), 'utf8');
    for (const text of ['growth', 'marketing', '<span class="chip pii">hash</span>', 'maxLength: 320', '<code>/utm_campaign</code>', 'optional property &quot;utm_campaign&quot; added', 'trackSignup()']) {
      expect(signup).toContain(text);
    }
    expect(readFileSync(join(out, 'schemas/com.acme/button_click.html'), 'utf8')).toContain('<strong>Deprecated:</strong> Use feature_used');
  });

  it('escapes schema text in HTML', () => {
    const dir = schemaDir({ 'com.acme/xss/1-0-0': { description: '<script>alert(1)</script>', type: 'object', properties: {} } });
    const target = scratchDir('docs');
    buildDocs({ schemas: [dir], out: target });
    const index = readFileSync(join(target, 'index.html'), 'utf8');
    expect(index).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(index).not.toContain('<script>alert(1)');
  });

  it('is reproducible: the same bytes twice', () => {
    const again = scratchDir('docs');
    buildDocs({ schemas: [PLAN], out: again });
    for (const file of result.files) expect(readFileSync(join(again, file), 'utf8')).toBe(readFileSync(join(out, file), 'utf8'));
  });

  it('writes nothing for a broken schema directory', () => {
    const target = join(scratchDir('docs'), 'site');
    let thrown: unknown;
    try {
      buildDocs({ schemas: [schemaDir({ 'com.acme/bad/1-0-0': '{' })], out: target });
    } catch (error) {
      thrown = error;
    }
    expect(isCodegenError(thrown)).toBe(true);
    expect(() => readFileSync(join(target, 'index.html'))).toThrow();
  });
});
