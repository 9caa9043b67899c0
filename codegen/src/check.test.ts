import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from './check.js';
import { LINT_RULES, type LintConfig } from './internal/check/lint-rules.js';
import { schemaDir, type TestSchema } from './internal/testing/schema-dir.js';
import { scratchDir } from './internal/testing/typecheck.js';

/** A property every lint rule accepts. */
const plan = { type: ['string', 'null'], maxLength: 20, description: 'Plan.' };

/** A schema that passes every lint rule; tests break one thing at a time. */
const good = (props: Record<string, unknown> = { plan }, extra: TestSchema = {}): TestSchema => ({
  description: 'Signed up.', type: 'object', properties: props, additionalProperties: false,
  'x-tracklane': { kind: 'event', owner: 'growth', consent: 'marketing' }, ...extra,
});

/** The style warnings the rows below do not care about (internal/lint/lint-rules.test.ts covers them). */
const QUIET = { 'optional-null': 'off', 'string-max-length': 'off' } as const;

const problems = (schemas: Record<string, TestSchema | string>, lint: LintConfig = {}): string[] =>
  check({ schemas: [schemaDir(schemas)], lint: { ...lint, rules: { ...QUIET, ...lint.rules } } }).findings.map((f) => `${f.severity} ${f.error.rule} ${f.error.pointer}`);

describe('tracklane check: lint rules', () => {
  it('passes a well-formed schema', () => {
    expect(problems({ 'com.acme/signup/1-0-0': good() })).toEqual([]);
  });

  it.each<[string, TestSchema, string]>([
    ['a schema without description', good(undefined, { description: undefined }), 'error description /description'],
    ['a property without description', good({ plan: { type: 'string' } }), 'error description /properties/plan/description'],
    ['an event that is not closed', good(undefined, { additionalProperties: true }), 'error event-additional-properties /additionalProperties'],
    ['no owner', good(undefined, { 'x-tracklane': { kind: 'event', consent: 'marketing' } }), 'error owner /x-tracklane/owner'],
    ['no consent purpose on an event', good(undefined, { 'x-tracklane': { kind: 'event', owner: 'growth' } }), 'error consent /x-tracklane/consent'],
    ['no kind', good(undefined, { 'x-tracklane': { owner: 'growth', consent: 'marketing' } }), 'error kind /x-tracklane/kind'],
    ['an email without x-pii', good({ userEmail: { type: 'string', description: 'Mail.' } }), 'error pii-mark /properties/userEmail/x-pii'],
    ['a nested phone number without x-pii', good({ contact: { type: 'object', description: 'Contact.', properties: { phone_number: { type: 'string', description: 'Phone.' } } } }), 'error pii-mark /properties/contact/properties/phone_number/x-pii'],
    ['a property name with a dash', good({ 'plan-name': { type: 'string', description: 'Plan.' } }), 'error naming /properties/plan-name'],
  ])('reports %s', (_name, schema, want) => {
    expect(problems({ 'com.acme/signup/1-0-0': schema })).toEqual([want]);
  });

  it('checks vendor and name style', () => {
    expect(problems({ 'Acme/SignUp/1-0-0': good() })).toEqual(['error naming /self/vendor', 'error naming /self/name']);
  });

  it('checks the consent purpose against the configured list', () => {
    expect(problems({ 'com.acme/signup/1-0-0': good() }, { purposes: ['analytics'] })).toEqual(['error consent /x-tracklane/consent']);
  });

  it('lets each rule be turned off or down to a warning', () => {
    const schema = { 'com.acme/signup/1-0-0': good({ email: { type: 'string' } }) };
    expect(problems(schema, { rules: { description: 'off', 'pii-mark': 'warn' } })).toEqual(['warning pii-mark /properties/email/x-pii']);
    expect(check({ schemas: [schemaDir(schema)], lint: { rules: { description: 'off', 'pii-mark': 'warn' } } }).ok).toBe(true);
  });

  it('fails on an x-pii that is not hash, redact or drop even with every lint rule off: it is a load error, not a lint rule', () => {
    const off = Object.fromEntries(Object.values(LINT_RULES).map((rule) => [rule, 'off']));
    const dir = schemaDir({ 'com.acme/signup/1-0-0': good({ email: { type: 'string', description: 'Mail.', 'x-pii': 'hsah' } }) });
    const result = check({ schemas: [dir], lint: { rules: off } });
    expect(result.ok).toBe(false);
    expect(result.findings.map((f) => `${f.severity} ${f.error.format(dir)}`)).toEqual([
      'error com.acme/signup/jsonschema/1-0-0#/properties/email/x-pii: x-pii must be "hash", "redact" or "drop", not "hsah" [x-pii]',
    ]);
  });

  it('accepts a custom pattern for personal-data names', () => {
    expect(problems({ 'com.acme/signup/1-0-0': good({ iban: { type: 'string', description: 'Bank account.' } }) }, { piiPattern: '^iban$' })).toEqual(['error pii-mark /properties/iban/x-pii']);
  });
});

describe('tracklane check: versions', () => {
  it('fails when the declared bump is smaller than the change, naming the newer file and the pointer', () => {
    const dir = schemaDir({
      'com.acme/signup/1-0-0': good(),
      'com.acme/signup/1-0-1': good({ plan, seats: { type: 'integer', description: 'Seats.' } }, { required: ['seats'] }),
    });
    const [finding] = check({ schemas: [dir] }).findings;
    expect(finding?.error).toMatchObject({ rule: 'schemaver', code: 'SCHEMAVER', file: join(dir, 'com.acme/signup/jsonschema/1-0-1'), pointer: '/properties/seats' });
    expect(finding?.error.message).toMatch(/declares ADDITION but the change is MODEL/);
  });

  it('accepts a bump at least as large as the change, and reports gaps in the sequence', () => {
    const dir = schemaDir({ 'com.acme/signup/1-0-0': good(), 'com.acme/signup/2-0-0': good({}), 'com.acme/signup/2-1-1': good({}) });
    expect(check({ schemas: [dir] }).findings.map((f) => `${f.error.rule} ${f.error.message}`)).toEqual(['schemaver 2-1-1 does not follow 2-0-0 (expected the next ADDITION, REVISION or MODEL)']);
  });

  it('records content hashes in the lock, and fails when a published version changes or disappears', () => {
    const dir = schemaDir({ 'com.acme/signup/1-0-0': good(), 'com.acme/view/1-0-0': good() });
    const lock = join(scratchDir('lock'), 'tracklane.lock.json');
    expect(check({ schemas: [dir], lock, updateLock: true }).lockWritten).toBe(lock);
    expect(Object.keys(JSON.parse(readFileSync(lock, 'utf8')).schemas)).toEqual(['iglu:com.acme/signup/jsonschema/1-0-0', 'iglu:com.acme/view/jsonschema/1-0-0']);
    const file = join(dir, 'com.acme/signup/jsonschema/1-0-0');
    writeFileSync(file, JSON.stringify(JSON.parse(readFileSync(file, 'utf8')), null, 4)); // reformatting is not a change
    expect(check({ schemas: [dir], lock }).ok).toBe(true);
    const changed = JSON.parse(readFileSync(file, 'utf8'));
    changed.properties.plan.maxLength = 3;
    writeFileSync(file, JSON.stringify(changed));
    const result = check({ schemas: [dir], lock, updateLock: true });
    expect(result.findings.map((f) => [f.error.rule, f.error.file, f.error.pointer])).toEqual([['immutable', file, '']]);
    expect(result.lockWritten).toBeUndefined();
  });

  it('does not write a lock when there are errors', () => {
    const lock = join(scratchDir('lock'), 'tracklane.lock.json');
    check({ schemas: [schemaDir({ 'com.acme/signup/1-0-0': '{' })], lock, updateLock: true });
    expect(existsSync(lock)).toBe(false);
  });
});
