import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isTracklaneError } from '@tracklane/core';
import { SchemaRegistry } from './schema-registry.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'tracklane-schema-registry-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

const META = 'http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#';

function selfDescribing(vendor: string, name: string, version: string, body: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    $schema: META,
    self: { vendor, name, format: 'jsonschema', version },
    type: 'object',
    properties: { label: { type: 'string', maxLength: 5 } },
    required: ['label'],
    additionalProperties: false,
    ...body,
  };
}

/** A fresh directory holding `files` (path -> JSON value or raw text). */
function tree(files: Record<string, unknown>): string {
  const dir = path.join(root, `tree-${dirs++}`);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}

function loadError(source: string): string {
  try {
    new SchemaRegistry().load(source);
  } catch (error) {
    expect(isTracklaneError(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected the load to fail');
}

describe('SchemaRegistry', () => {
  describe('from an Iglu-layout directory', () => {
    it('loads extensionless and .json files, keyed by their self URI', () => {
      const dir = tree({
        'com.acme/click/jsonschema/1-0-0': selfDescribing('com.acme', 'click', '1-0-0'),
        'com.acme/click/jsonschema/1-0-1.json': selfDescribing('com.acme', 'click', '1-0-1'),
        'com.acme/user/jsonschema/2-0-0': selfDescribing('com.acme', 'user', '2-0-0'),
      });
      const registry = new SchemaRegistry().load(dir);
      expect(registry.size).toBe(3);
      for (const uri of ['iglu:com.acme/click/jsonschema/1-0-0', 'iglu:com.acme/click/jsonschema/1-0-1', 'iglu:com.acme/user/jsonschema/2-0-0']) {
        expect(registry.get(uri)?.uri, uri).toBe(uri);
      }
      expect(registry.get('iglu:com.acme/click/jsonschema/9-9-9')).toBeUndefined();
    });

    it('ignores files that are not schema versions (READMEs, lock files, editor backups)', () => {
      const dir = tree({
        'README.md': '# not a schema',
        'tracklane.lock.json': '{"not": "a schema"}',
        'com.acme/click/jsonschema/1-0-0': selfDescribing('com.acme', 'click', '1-0-0'),
        'com.acme/click/jsonschema/1-0-0~': '{ broken',
        'com.acme/click/jsonschema/notes.txt': 'x',
      });
      expect(new SchemaRegistry().load(dir).size).toBe(1);
    });

    it('loads several sources into one registry', () => {
      const a = tree({ 'v/a/jsonschema/1-0-0': selfDescribing('v', 'a', '1-0-0') });
      const b = tree({ 'v/b/jsonschema/1-0-0.json': selfDescribing('v', 'b', '1-0-0') });
      expect(new SchemaRegistry().load(a).load(b).size).toBe(2);
    });

    it('loads the example tracking plan of this repository', () => {
      const plan = path.resolve(import.meta.dirname, '../../../../examples/tracking-plan/schemas');
      const registry = new SchemaRegistry().load(plan);
      expect(registry.size).toBeGreaterThan(5);
      expect(registry.get('iglu:com.acme/order_completed/jsonschema/1-0-0')).toBeDefined(); // a .json file there
    });
  });

  describe('a broken schema names its file', () => {
    it('invalid JSON', () => {
      const dir = tree({ 'com.acme/click/jsonschema/1-0-0': '{ "self": ' });
      const message = loadError(dir);
      expect(message).toContain(path.join(dir, 'com.acme/click/jsonschema/1-0-0'));
      expect(message).toContain('not valid JSON');
    });

    it('no self block', () => {
      const dir = tree({ 'com.acme/click/jsonschema/1-0-0.json': { type: 'object' } });
      const message = loadError(dir);
      expect(message).toContain(path.join(dir, 'com.acme/click/jsonschema/1-0-0.json'));
      expect(message).toContain('not a self-describing schema');
    });

    it('a schema the validator cannot compile', () => {
      const dir = tree({ 'com.acme/click/jsonschema/1-0-0': selfDescribing('com.acme', 'click', '1-0-0', { type: 'no-such-type' }) });
      const message = loadError(dir);
      expect(message).toContain(path.join(dir, 'com.acme/click/jsonschema/1-0-0'));
      expect(message).toContain('cannot compile iglu:com.acme/click/jsonschema/1-0-0');
    });

    it('a source that does not exist', () => {
      expect(loadError(path.join(root, 'nowhere'))).toContain('schema source not found');
    });
  });

  describe('from registry.json', () => {
    const click = selfDescribing('com.acme', 'click', '1-0-0');
    const user = selfDescribing('com.acme', 'user', '1-0-0');

    it.each([
      ['what `tracklane docs` emits: {format, schemas: {uri: {…, schema}}}', {
        format: 'tracklane-registry/1',
        schemas: {
          'iglu:com.acme/click/jsonschema/1-0-0': { vendor: 'com.acme', name: 'click', format: 'jsonschema', version: '1-0-0', hash: 'x', pii: {}, schema: click },
          'iglu:com.acme/user/jsonschema/1-0-0': { vendor: 'com.acme', name: 'user', format: 'jsonschema', version: '1-0-0', hash: 'y', pii: {}, schema: user },
        },
      }],
      ['{schemas: [{schema}]}', { schemas: [{ schema: click }, { schema: user }] }],
      ['{schemas: {uri: schema}}', { schemas: { a: click, b: user } }],
      ['a bare array of schemas', [click, user]],
    ])('%s', (_name, content) => {
      const file = path.join(tree({ 'registry.json': content }), 'registry.json');
      const registry = new SchemaRegistry().load(file);
      expect(registry.size).toBe(2);
      expect(registry.get('iglu:com.acme/click/jsonschema/1-0-0')).toBeDefined();
      expect(registry.get('iglu:com.acme/user/jsonschema/1-0-0')).toBeDefined();
    });

    it.each([
      ['an object without schemas', { format: 'x' }],
      ['schemas that is a string', { schemas: 'nope' }],
    ])('refuses %s, naming the file', (_name, content) => {
      const file = path.join(tree({ 'registry.json': content }), 'registry.json');
      const message = loadError(file);
      expect(message).toContain(file);
      expect(message).toContain('"schemas" list');
    });

    it('names the entry of a broken schema', () => {
      const file = path.join(tree({ 'registry.json': { schemas: [{ schema: click }, { schema: { type: 'object' } }] } }), 'registry.json');
      expect(loadError(file)).toContain(`${file}#/schemas/1`);
    });
  });

  describe('compiled validators', () => {
    const registry = new SchemaRegistry();
    const uri = registry.add(selfDescribing('com.acme', 'click', '1-0-0', { properties: { label: { type: 'string', maxLength: 5 }, at: { type: 'string', format: 'date-time' } } }), 'inline');

    it.each<[unknown, string[]]>([
      [{ label: 'ok' }, []],
      [{ label: 'ok', at: '2026-01-01T00:00:00Z' }, []],
      [{}, ["/event/data: must have required property 'label'"]],
      [{ label: 'too long' }, ['/event/data/label: must NOT have more than 5 characters']],
      [{ label: 'ok', extra: 1 }, ["/event/data: must NOT have additional properties 'extra'"]],
      [{ label: 'ok', at: 'yesterday' }, ['/event/data/at: must match format "date-time"']],
      [{ label: 1, extra: true }, ['/event/data: must NOT have additional properties \'extra\'', '/event/data/label: must be string']],
    ])('%j → %j', (data, errors) => {
      expect(registry.get(uri)!.validate(data, '/event/data').sort()).toEqual([...errors].sort());
    });

    it('reports "/" for a root error without a prefix', () => {
      expect(registry.get(uri)!.validate('text', '')).toEqual(['/: must be object']);
    });
  });

  describe('listeners of added schemas', () => {
    it('hear each schema that compiled, with its origin, until removed; a broken one throws in add() and reaches none', () => {
      const registry = new SchemaRegistry();
      const heard: [Record<string, unknown>, string][] = [];
      const remove = registry.onAdded((schema, origin) => heard.push([schema, origin]));
      const click = selfDescribing('com.acme', 'click', '1-0-0');
      registry.add(click, 'inline');
      expect(() => registry.add(selfDescribing('com.acme', 'broken', '1-0-0', { type: 'no-such-type' }), 'broken')).toThrow(/cannot compile/);
      const file = path.join(tree({ 'registry.json': [selfDescribing('com.acme', 'user', '1-0-0')] }), 'registry.json');
      registry.load(file);
      remove();
      registry.add(selfDescribing('com.acme', 'late', '1-0-0'), 'after removal');
      expect(heard).toEqual([
        [click, 'inline'],
        [selfDescribing('com.acme', 'user', '1-0-0'), `${file}#/schemas/0`],
      ]);
    });

    it('refuse a schema that is not plain data (it could not reach the validation workers) and register nothing', () => {
      const registry = new SchemaRegistry();
      const heard: string[] = [];
      registry.onAdded((_schema, origin) => heard.push(origin));
      const withFunction = selfDescribing('com.acme', 'odd', '1-0-0', { properties: { label: { type: 'string', format: () => true } } });
      expect(() => registry.add(withFunction, 'made in code')).toThrow(/made in code: a schema must be plain JSON data/);
      expect(registry.get('iglu:com.acme/odd/jsonschema/1-0-0')).toBeUndefined();
      expect(heard).toEqual([]);
    });

    it('keep their own copy: changing the added object later changes no validator and no listener copy', () => {
      const registry = new SchemaRegistry();
      const heard: Record<string, unknown>[] = [];
      registry.onAdded((schema) => heard.push(schema));
      const click = selfDescribing('com.acme', 'click', '1-0-0');
      registry.add(click, 'inline');
      (click.properties as Record<string, Record<string, unknown>>).label!.maxLength = 100;
      expect(registry.get('iglu:com.acme/click/jsonschema/1-0-0')!.validate({ label: 'too long' }, '')).toHaveLength(1);
      expect(heard[0]).toEqual(selfDescribing('com.acme', 'click', '1-0-0'));
    });
  });
});
