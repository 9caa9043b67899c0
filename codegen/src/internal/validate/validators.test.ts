import { join } from 'node:path';
import { runInContext, createContext } from 'node:vm';
import * as core from '@tracklane/core';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { generate } from '../../generate.js';
import { schemaDir } from '../testing/schema-dir.js';
import type { ValidatorMode } from '../emit/emit-model.js';

const PLAN = join(import.meta.dirname, '../../../../examples/tracking-plan/schemas');

interface Violation { path: string; keyword: string; message: string }
type Module = Record<string, (...args: unknown[]) => unknown>;

const transpiled: Partial<Record<ValidatorMode, string>> = {};

/** The generated module's only import: @tracklane/core (its format checks). */
const requireCore = (id: string): unknown => {
  if (id !== '@tracklane/core') throw new Error(`generated code imports ${id}`);
  return core;
};

/**
 * Loads the generated module in a context where eval and new Function throw (what a strict
 * Content-Security-Policy does in a browser), with a recording tracker.
 */
function load(mode: ValidatorMode, nodeEnv?: string): { mod: Module; sent: unknown[]; reported: [string, Violation[]][] } {
  const js = transpiled[mode] ??= ts.transpileModule(generate({ schemas: [PLAN], validators: mode }).code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const exports: Module = {};
  const context = createContext({ exports, console, require: requireCore, ...(nodeEnv === undefined ? {} : { process: { env: { NODE_ENV: nodeEnv } } }) }, { codeGeneration: { strings: false, wasm: false } });
  runInContext(js, context);
  const reported: [string, Violation[]][] = [];
  exports['setViolationHandler']?.((schema: string, violations: Violation[]) => reported.push([schema, violations]));
  const sent: unknown[] = [];
  const tracker = { track: (event: unknown) => (sent.push(event), 'id') };
  const mod = new Proxy(exports, { get: (target, key: string) => (key.startsWith('track') ? (data: unknown) => target[key]!(tracker, data) : target[key]) });
  return { mod, sent, reported };
}

const validCheckout = { cart_id: '6f1c1b9e-2a54-4c8e-9a53-0d6f9e3b7a10', items: [{ sku: 'a', quantity: 1, unit_price: 9.5 }], currency: 'EUR', total: 9.5 };

describe('validators (CSP-safe: run where eval and new Function are disabled)', () => {
  it('the code has no eval or Function constructor', () => {
    const { code } = generate({ schemas: [PLAN], validators: 'always' });
    expect(code).not.toMatch(/\beval\s*\(|new Function|\bFunction\s*\(/);
  });

  it.each<[string, unknown, [string, string][]]>([
    ['valid data', validCheckout, []],
    ['a missing required field', { ...validCheckout, total: undefined }, [['/total', 'required']]],
    ['a wrong type', { ...validCheckout, total: '9.5' }, [['/total', 'type']]],
    ['a wrong enum value', { ...validCheckout, currency: 'JPY' }, [['/currency', 'enum']]],
    ['an extra field', { ...validCheckout, coupon: 'X' }, [['/coupon', 'additionalProperties']]],
    ['a bad format', { ...validCheckout, cart_id: 'nope' }, [['/cart_id', 'format']]],
    ['a violation inside an array item', { ...validCheckout, items: [validCheckout.items[0], { sku: 'b', quantity: 0, unit_price: 1 }] }, [['/items/1/quantity', 'minimum']]],
    ['an integer that is not whole', { ...validCheckout, items: [{ sku: 'a', quantity: 1.5, unit_price: 1 }] }, [['/items/0/quantity', 'type']]],
    ['too few items', { ...validCheckout, items: [] }, [['/items', 'minItems']]],
    ['not an object at all', 'checkout', [['', 'type']]],
  ])('validateCheckoutStarted: %s', (_name, data, want) => {
    const { mod } = load('always');
    const violations = mod['validateCheckoutStarted']!(data) as Violation[];
    expect(violations.map((v) => [v.path, v.keyword])).toEqual(want);
  });

  it('checks patterns, maxLength and nullable types', () => {
    const { mod } = load('always');
    const violations = (d: unknown): string[] => (mod['validatePageView']!(d) as Violation[]).map((v) => `${v.path} ${v.keyword}`);
    expect(violations({ path: '/pricing', title: null })).toEqual([]);
    expect(violations({ path: 'pricing', title: 'x'.repeat(513) })).toEqual(['/path pattern', '/title maxLength']);
  });

  it('always: an invalid event goes to the handler with its field paths and is not sent', () => {
    const { mod, sent, reported } = load('always');
    expect(mod['trackCheckoutStarted']!({ ...validCheckout, currency: 'JPY' })).toBeUndefined();
    expect(sent).toEqual([]);
    expect(reported).toEqual([['iglu:com.acme/checkout_started/jsonschema/1-0-0', [{ path: '/currency', keyword: 'enum', message: 'must be one of "EUR", "USD", "GBP"' }]]]);
    expect(mod['trackCheckoutStarted']!(validCheckout)).toBe('id');
    expect(sent).toHaveLength(1);
  });

  it('dev: an invalid event goes to the handler and is still sent', () => {
    const { mod, sent, reported } = load('dev', 'development');
    expect(mod['trackCheckoutStarted']!({ ...validCheckout, currency: 'JPY' })).toBe('id');
    expect(sent).toHaveLength(1);
    expect(reported).toHaveLength(1);
  });

  it('dev: nothing is checked when NODE_ENV is production', () => {
    const { mod, sent, reported } = load('dev', 'production');
    mod['trackCheckoutStarted']!({ ...validCheckout, currency: 'JPY' });
    expect([sent.length, reported.length]).toEqual([1, 0]);
  });

  it('dev: checks when there is no process at all (a browser without a bundler define)', () => {
    const { mod, reported } = load('dev');
    mod['trackCheckoutStarted']!({ ...validCheckout, currency: 'JPY' });
    expect(reported).toHaveLength(1);
  });

  it('entities are checked and reported, and always returned', () => {
    const { mod, reported } = load('always');
    expect(mod['createProductEntity']!({ sku: 'a', name: 'A', price: -1, currency: 'EUR' })).toEqual({ schema: 'iglu:com.acme/product/jsonschema/1-0-0', data: { sku: 'a', name: 'A', price: -1, currency: 'EUR' } });
    expect(reported.map(([, v]) => v.map((x) => x.path))).toEqual([['/price']]);
  });

  it('off: no validator code at all', () => {
    const { code } = generate({ schemas: [PLAN], validators: 'off' });
    expect(code).not.toMatch(/validate|Violation|checkData/);
  });

  it('an Iglu $ref to another schema of the set is checked by that schema\'s validator, under the referring path', () => {
    const dir = schemaDir({
      'com.acme/money/1-0-0': { type: 'object', properties: { amount: { type: 'number', minimum: 0 } }, required: ['amount'], additionalProperties: false },
      'com.acme/refund/1-0-0': { type: 'object', properties: { total: { $ref: 'http://iglucentral.com/schemas/com.acme/money/jsonschema/1-0-0#' } }, additionalProperties: false },
    });
    const js = ts.transpileModule(generate({ schemas: [dir], validators: 'always' }).code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
    const exports: Module = {};
    runInContext(js, createContext({ exports, console, require: requireCore }, { codeGeneration: { strings: false, wasm: false } }));
    expect((exports['validateRefund']!({ total: { amount: -1 } }) as Violation[]).map((v) => `${v.path} ${v.keyword}`)).toEqual(['/total/amount minimum']);
  });
});
