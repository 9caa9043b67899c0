import { createContext, runInContext } from 'node:vm';
import * as core from '@tracklane/core';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { generate } from './generate.js';
import { schemaDir } from './internal/testing/schema-dir.js';
import { scratchDir, typecheck } from './internal/testing/typecheck.js';

/** Properties named like members every JavaScript object inherits. */
const NAMES = ['constructor', 'toString', 'hasOwnProperty', '__proto__'];
const dir = schemaDir({
  'com.acme/inherited_names/1-0-0': {
    'x-tracklane': { kind: 'event' },
    type: 'object',
    properties: { constructor: { type: 'integer' }, toString: { type: 'string' }, hasOwnProperty: { type: 'boolean' }, ['__proto__']: { type: 'integer' } },
    required: NAMES,
    additionalProperties: false,
  },
});
const { code } = generate({ schemas: [dir], validators: 'always' });

type Validate = (data: unknown) => { path: string; keyword: string }[];
const exports: Record<string, unknown> = {};
runInContext(ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText,
  createContext({ exports, console, require: () => core }, { codeGeneration: { strings: false, wasm: false } }));
const validate = exports['validateInheritedNames'] as Validate;

describe('properties named constructor, toString, hasOwnProperty, __proto__: own properties only', () => {
  it('the validator does not find them on {} by inheritance', () => {
    expect(validate({}).map((v) => `${v.path} ${v.keyword}`)).toEqual(NAMES.map((name) => `/${name} required`));
  });

  it('the validator accepts them as own properties (as JSON.parse makes them) and checks their values', () => {
    expect(validate(JSON.parse('{"constructor": 1, "toString": "a", "hasOwnProperty": true, "__proto__": 2}'))).toEqual([]);
    expect(validate(JSON.parse('{"constructor": "x", "toString": "a", "hasOwnProperty": true, "__proto__": "y"}')).map((v) => `${v.path} ${v.keyword}`).sort()).toEqual(['/__proto__ type', '/constructor type']);
  });

  it('enum and uniqueItems compare by own keys, as the collector does: valueOf and toString keys neither throw nor match by inheritance', () => {
    const listDir = schemaDir({ 'com.acme/tags/1-0-0': { type: 'object', properties: { tags: { type: 'array', uniqueItems: true }, kind: { enum: [{ toString: 1 }] } } } });
    const listExports: Record<string, unknown> = {};
    runInContext(ts.transpileModule(generate({ schemas: [listDir], validators: 'always' }).code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText,
      createContext({ exports: listExports, console, require: () => core }, { codeGeneration: { strings: false, wasm: false } }));
    const tags = listExports['validateTags'] as Validate;
    expect(tags(JSON.parse('{"tags": [{"valueOf": 1}, {"valueOf": 1}]}')).map((v) => v.keyword)).toEqual(['uniqueItems']);
    expect(tags(JSON.parse('{"tags": [{"valueOf": 1}, {"valueOf": 2}], "kind": {"toString": 1}}'))).toEqual([]);
    expect(tags({ kind: {} }).map((v) => v.keyword)).toEqual(['enum']);
  });

  it('the type accepts and rejects what the validator does', { timeout: 60_000 }, () => {
    const usage = `
import type { TrackerLike } from '@tracklane/core';
import { trackInheritedNames, type InheritedNames } from './index.js';
declare const tracker: TrackerLike;
declare const valid: { constructor: number; toString: string; hasOwnProperty: boolean; ['__proto__']: number };
trackInheritedNames(tracker, valid);
// @ts-expect-error every one is required: none is there by inheritance
trackInheritedNames(tracker, {});
// @ts-expect-error constructor is an integer, not the inherited function
const wrong: InheritedNames = { ...valid, constructor: Object };
// @ts-expect-error __proto__ is an integer property
const proto: InheritedNames = { ...valid, ['__proto__']: 'x' };
export { wrong, proto };
`;
    expect(typecheck(scratchDir('own-properties'), { 'index.ts': code, 'usage.ts': usage })).toEqual([]);
  });
});
