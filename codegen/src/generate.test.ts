import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isCodegenError, type CodegenError } from './errors.js';
import { generate } from './generate.js';
import { schemaDir } from './internal/testing/schema-dir.js';
import { scratchDir } from './internal/testing/typecheck.js';

// Draft-04 allows no empty `required` (the collector refuses it): absent when there is none.
const closed = (properties: Record<string, unknown>, required: string[] = []): Record<string, unknown> => ({ type: 'object', properties, ...(required.length > 0 ? { required } : {}), additionalProperties: false });

const errorsOf = (fn: () => unknown): CodegenError[] => {
  try {
    fn();
  } catch (error) {
    if (isCodegenError(error)) return (error as CodegenError & { errors: CodegenError[] }).errors;
    throw error;
  }
  throw new Error('expected a CodegenError');
};

describe('generate', () => {
  it('emits a type, a track function with purpose and PII rules, for an event', () => {
    const dir = schemaDir({
      'com.acme/signup/1-0-0': { ...closed({ email: { type: 'string', 'x-pii': 'hash' }, plan: { enum: ['free', 'pro'] } }, ['email']), 'x-tracklane': { kind: 'event', consent: 'marketing' } },
    });
    const { code } = generate({ schemas: [dir] });
    expect(code).toContain("const SIGNUP_PII: PiiRules = { '/email': 'hash' };");
    expect(code).toContain("const SIGNUP_OPTIONS: TrackOptions = { purpose: 'marketing', pii: SIGNUP_PII };");
    expect(code).toContain([
      'export function trackSignup(tracker: TrackerLike, data: Signup, options?: UserTrackOptions): string | undefined {',
      '  return tracker.track({ schema: SIGNUP_SCHEMA, data }, options ? { ...options, ...SIGNUP_OPTIONS } : SIGNUP_OPTIONS);',
      '}',
    ].join('\n'));
    expect(code).not.toContain('createSignupEntity');
  });

  it('emits only an entity factory for an entity, and both for a schema of no kind', () => {
    const dir = schemaDir({
      'com.acme/product/1-0-0': { ...closed({ sku: { type: 'string' } }, ['sku']), 'x-tracklane': { kind: 'entity' } },
      'com.acme/thing/1-0-0': closed({ id: { type: 'string' } }),
    });
    const { code } = generate({ schemas: [dir] });
    expect(code).toContain('export function createProductEntity(data: Product): SelfDescribing<Product> {\n  return { schema: PRODUCT_SCHEMA, data };\n}');
    expect(code).not.toContain('trackProduct');
    expect(code).toContain('export function trackThing(tracker: TrackerLike, data: Thing, options?: UserTrackOptions): string | undefined {\n  return tracker.track({ schema: THING_SCHEMA, data }, options);\n}');
    expect(code).toContain('export function createThingEntity(');
  });

  it('addresses PII inside arrays with *', () => {
    const dir = schemaDir({ 'com.acme/invite/1-0-0': closed({ contacts: { type: 'array', items: closed({ email: { type: 'string', 'x-pii': 'redact' }, phone: { type: 'string', 'x-pii': 'drop' } }) } }) });
    expect(generate({ schemas: [dir] }).code).toContain("const INVITE_PII: PiiRules = {\n  '/contacts/*/email': 'redact',\n  '/contacts/*/phone': 'drop'\n};");
  });

  it('marks deprecated schemas @deprecated on the type and the functions', () => {
    const dir = schemaDir({ 'com.acme/old_click/1-0-0': { ...closed({}), 'x-tracklane': { kind: 'event', deprecated: 'use feature_used' } } });
    expect(generate({ schemas: [dir] }).code.match(/@deprecated use feature_used/g)).toHaveLength(2);
  });

  it('generates the latest version of each model, older models with a V suffix', () => {
    const dir = schemaDir({
      'com.acme/signup/1-0-0': closed({ a: { type: 'string' } }),
      'com.acme/signup/1-0-1': closed({ a: { type: 'string' }, b: { type: 'string' } }),
      'com.acme/signup/2-0-0': closed({ c: { type: 'string' } }, ['c']),
    });
    const { code } = generate({ schemas: [dir] });
    expect(code).toContain("const SIGNUP_V1_SCHEMA = 'iglu:com.acme/signup/jsonschema/1-0-1';");
    expect(code).toContain("const SIGNUP_SCHEMA = 'iglu:com.acme/signup/jsonschema/2-0-0';");
    expect(code).toContain('export function trackSignupV1(');
  });

  it('exports TRACKING_PLAN: every version’s consent purpose and PII marks, for raw track() calls', () => {
    const dir = schemaDir({
      'com.acme/signup/1-0-0': { ...closed({ email: { type: 'string', 'x-pii': 'redact' } }), 'x-tracklane': { kind: 'event', consent: 'marketing' } },
      'com.acme/signup/1-0-1': { ...closed({ email: { type: 'string', 'x-pii': 'hash' }, name: { type: 'string' } }), 'x-tracklane': { kind: 'event', consent: 'marketing' } },
      'com.acme/user/1-0-0': { ...closed({ name: { type: 'string', 'x-pii': 'drop' } }), 'x-tracklane': { kind: 'entity', consent: 'ignored-for-entities' } },
      'com.acme/click/1-0-0': { ...closed({ id: { type: 'string' } }), 'x-tracklane': { kind: 'event' } },
    });
    const { code } = generate({ schemas: [dir] });
    expect(code).toContain([
      'export const TRACKING_PLAN: TrackingPlan = {',
      "  'iglu:com.acme/signup/jsonschema/1-0-0': { purpose: 'marketing', pii: { '/email': 'redact' } },",
      "  'iglu:com.acme/signup/jsonschema/1-0-1': { purpose: 'marketing', pii: SIGNUP_PII },",
      "  'iglu:com.acme/user/jsonschema/1-0-0': { pii: USER_PII }",
      '};',
    ].join('\n'));
    expect(code).toMatch(/^import type \{[^}]*\bTrackingPlan\b[^}]*\} from '@tracklane\/core';$/m);
  });

  it('is byte-identical from run to run and independent of directory order', () => {
    const a = schemaDir({ 'com.acme/click/1-0-0': closed({ x: { type: 'string' } }) });
    const b = schemaDir({ 'io.other/click/1-0-0': closed({ y: { type: 'number' } }), 'io.other/view/1-0-0': closed({}) });
    const first = generate({ schemas: [a, b] }).code;
    expect(generate({ schemas: [a, b] }).code).toBe(first);
    expect(generate({ schemas: [b, a] }).code).toBe(first);
    expect(first.startsWith('// Generated by tracklane')).toBe(true);
  });

  it('writes index.ts into out, and nothing when a schema is broken', () => {
    const out = scratchDir('out');
    const good = schemaDir({ 'com.acme/click/1-0-0': closed({}) });
    expect(generate({ schemas: [good], out }).written).toBe(join(out, 'index.ts'));
    expect(generate({ schemas: [good], out }).written).toBeUndefined(); // unchanged: not rewritten
    const before = readFileSync(join(out, 'index.ts'), 'utf8');
    const broken = schemaDir({ 'com.acme/view/1-0-0': '{ "self": ', 'com.acme/other/1-0-0': closed({}) });
    const errors = errorsOf(() => generate({ schemas: [good, broken], out }));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'SCHEMA_PARSE', file: join(broken, 'com.acme/view/jsonschema/1-0-0'), pointer: '', rule: 'valid-json' });
    expect(readFileSync(join(out, 'index.ts'), 'utf8')).toBe(before);
  });

  it.each([
    ['no self', '{"type": "object"}', 'SCHEMA_SELF', '/self'],
    ['self disagrees with the path', JSON.stringify({ self: { vendor: 'com.acme', name: 'other', format: 'jsonschema', version: '1-0-0' } }), 'SCHEMA_SELF', '/self/name'],
    ['not an object', '[1, 2]', 'SCHEMA_PARSE', ''],
    ['unknown kind', JSON.stringify({ self: { vendor: 'com.acme', name: 'bad', format: 'jsonschema', version: '1-0-0' }, 'x-tracklane': { kind: 'evnt' } }), 'SCHEMA_EXTENSION', '/x-tracklane/kind'],
  ])('names the file and the pointer of a broken schema: %s', (_name, text, code, pointer) => {
    const dir = schemaDir({ 'com.acme/bad/1-0-0': text });
    expect(errorsOf(() => generate({ schemas: [dir] }))[0]).toMatchObject({ code, pointer, file: join(dir, 'com.acme/bad/jsonschema/1-0-0') });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a misspelled key (the event would get the default purpose)', { kind: 'event', consnet: 'marketing' }, '/x-tracklane/consnet: x-tracklane has no key "consnet" (kind, owner, consent or deprecated)'],
    ['a consent purpose that is not a string', { kind: 'event', consent: true }, '/x-tracklane/consent: x-tracklane.consent must be a non-empty string, not true'],
    ['an empty consent purpose', { kind: 'event', consent: '' }, '/x-tracklane/consent: x-tracklane.consent must be a non-empty string, not ""'],
  ])('refuses x-tracklane with %s', (_name, meta, want) => {
    const dir = schemaDir({ 'com.acme/signup/1-0-0': { ...closed({}), 'x-tracklane': meta } });
    expect(errorsOf(() => generate({ schemas: [dir] })).map((e) => e.format(dir))).toEqual([`com.acme/signup/jsonschema/1-0-0#${want} [x-tracklane]`]);
  });

  it('reports a missing schema directory', () => {
    expect(errorsOf(() => generate({ schemas: ['/nonexistent/schemas'] }))[0]).toMatchObject({ code: 'SCHEMA_DIR', file: '/nonexistent/schemas' });
  });
});

describe('generate: x-pii marks', () => {
  it.each(['hash', 'redact', 'drop'])('turns x-pii "%s" into a PII rule of the track function', (action) => {
    const dir = schemaDir({ 'com.acme/signup/1-0-0': closed({ email: { type: 'string', 'x-pii': action } }) });
    expect(generate({ schemas: [dir] }).code).toContain(`const SIGNUP_PII: PiiRules = { '/email': '${action}' };`);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a top-level property of an event', { ...closed({ email: { type: 'string', 'x-pii': 'hsah' } }), 'x-tracklane': { kind: 'event' } }, '/properties/email/x-pii'],
    ['a property nested in array items of an entity', { ...closed({ contacts: { type: 'array', items: closed({ email: { type: 'string', 'x-pii': true } }) } }), 'x-tracklane': { kind: 'entity' } }, '/properties/contacts/items/properties/email/x-pii'],
    ['a definition reached through $ref', { ...closed({ contact: { $ref: '#/definitions/contact' } }), definitions: { contact: closed({ email: { type: 'string', 'x-pii': 'yes' } }) } }, '/definitions/contact/properties/email/x-pii'],
  ])('fails on an x-pii that is not hash, redact or drop in %s, and writes nothing', (_name, body, pointer) => {
    const out = scratchDir('out');
    const dir = schemaDir({ 'com.acme/signup/1-0-0': body });
    const errors = errorsOf(() => generate({ schemas: [dir], out }));
    expect(errors.map((e) => ({ code: e.code, rule: e.rule, file: e.file, pointer: e.pointer }))).toEqual([
      { code: 'SCHEMA_EXTENSION', rule: 'x-pii', file: join(dir, 'com.acme/signup/jsonschema/1-0-0'), pointer },
    ]);
    expect(errors[0]?.message).toMatch(/^x-pii must be "hash", "redact" or "drop", not ("hsah"|true|"yes")$/);
    expect(existsSync(join(out, 'index.ts'))).toBe(false);
  });
});
