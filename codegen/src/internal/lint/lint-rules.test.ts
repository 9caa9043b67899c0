import { describe, expect, it } from 'vitest';
import { check } from '../../check.js';
import { schemaDir, type TestSchema } from '../testing/schema-dir.js';
import { DEFAULT_LEVELS, LINT_RULES, type LintRuleId } from './rules.js';

/** A property every rule accepts: described, nullable (it is optional), bounded. */
const plan = { type: ['string', 'null'], maxLength: 20, description: 'Plan.' };

/** An event schema every rule accepts; each row below breaks one thing. */
const event = (properties: Record<string, unknown> = { plan }, extra: TestSchema = {}): TestSchema => ({
  description: 'Signed up.', type: 'object', properties, additionalProperties: false,
  'x-tracklane': { kind: 'event', owner: 'growth', consent: 'marketing' }, ...extra,
});

/** `severity rule pointer` of every finding of `tracklane check` on one schema. */
const findings = (schema: TestSchema): string[] =>
  check({ schemas: [schemaDir({ 'com.acme/signup/1-0-0': schema })] }).findings.map((f) => `${f.severity} ${f.error.rule} ${f.error.pointer}`);

const prop = (extra: Record<string, unknown>): TestSchema => event({ plan: { ...plan, ...extra } });

interface Row {
  rule: LintRuleId;
  given: string;
  bad: TestSchema;
  want: string[];
  good: TestSchema;
}

describe('lint rules (igluctl lint checks): the bad schema fails with the rule and pointer, the good one passes', () => {
  it.each<Row>([
    { rule: 'known-keyword', given: 'a misspelt keyword (maxLenght)', bad: event({ plan: { type: ['string', 'null'], maxLenght: 20, description: 'Plan.' } }), want: ['warning known-keyword /properties/plan/maxLenght', 'warning string-max-length /properties/plan/maxLength'], good: event() },
    { rule: 'known-keyword', given: 'a later draft\'s keyword (const)', bad: prop({ const: 'team' }), want: ['warning known-keyword /properties/plan/const'], good: prop({ enum: ['team', null] }) },
    { rule: 'root-object', given: 'a root without "type": "object"', bad: event(undefined, { type: undefined }), want: ['warning root-object /type'], good: event() },
    { rule: 'root-object', given: 'a root object without properties', bad: event(undefined, { properties: undefined }), want: ['warning root-object /properties'], good: event({}) },
    { rule: 'min-max', given: 'minLength above maxLength', bad: prop({ minLength: 30 }), want: ['error min-max /properties/plan/maxLength'], good: prop({ minLength: 20 }) },
    { rule: 'min-max', given: 'minimum above maximum', bad: event({ seats: { type: ['integer', 'null'], minimum: 10, maximum: 1, description: 'Seats.' } }), want: ['error min-max /properties/seats/maximum'], good: event({ seats: { type: ['integer', 'null'], minimum: 1, maximum: 10, description: 'Seats.' } }) },
    { rule: 'min-max', given: 'equal bounds, one exclusive', bad: event({ seats: { type: ['integer', 'null'], minimum: 1, maximum: 1, exclusiveMaximum: true, description: 'Seats.' } }), want: ['error min-max /properties/seats/maximum'], good: event({ seats: { type: ['integer', 'null'], minimum: 1, maximum: 1, description: 'Seats.' } }) },
    { rule: 'min-max', given: 'minItems above maxItems', bad: event({ tags: { type: ['array', 'null'], items: { type: 'string', maxLength: 9, description: 'Tag.' }, minItems: 3, maxItems: 2, description: 'Tags.' } }), want: ['error min-max /properties/tags/maxItems'], good: event({ tags: { type: ['array', 'null'], items: { type: 'string', maxLength: 9, description: 'Tag.' }, maxItems: 2, description: 'Tags.' } }) },
    { rule: 'required-defined', given: 'a required name no property has', bad: event({ plan: { ...plan, type: 'string' } }, { required: ['plna'] }), want: ['error required-defined /required/0', 'warning optional-null /properties/plan/type'], good: event({ plan: { ...plan, type: 'string' } }, { required: ['plan'] }) },
    { rule: 'known-format', given: 'a format the collector does not know', bad: prop({ format: 'e-mail' }), want: ['warning known-format /properties/plan/format'], good: prop({ format: 'email' }) },
    { rule: 'string-max-length', given: 'a string without maxLength', bad: prop({ maxLength: undefined }), want: ['warning string-max-length /properties/plan/maxLength'], good: prop({ maxLength: undefined, format: 'date-time' }) },
    { rule: 'warehouse-max-length', given: 'a maxLength above 65535', bad: prop({ maxLength: 65_536 }), want: ['warning warehouse-max-length /properties/plan/maxLength'], good: prop({ maxLength: 65_535 }) },
    { rule: 'optional-null', given: 'an optional property that refuses null', bad: prop({ type: 'string' }), want: ['warning optional-null /properties/plan/type'], good: event({ plan: { ...plan, type: 'string' } }, { required: ['plan'] }) },
    { rule: 'optional-null', given: 'an optional enum without null', bad: prop({ enum: ['team', 'solo'] }), want: ['warning optional-null /properties/plan/enum'], good: prop({ enum: ['team', 'solo', null] }) },
    { rule: 'keyword-type', given: 'a number bound on a string', bad: prop({ minimum: 1 }), want: ['warning keyword-type /properties/plan/minimum'], good: prop({ minLength: 1 }) },
    { rule: 'keyword-type', given: 'a string bound on an integer', bad: event({ seats: { type: ['integer', 'null'], maxLength: 3, description: 'Seats.' } }), want: ['warning keyword-type /properties/seats/maxLength'], good: event({ seats: { type: ['integer', 'null'], maximum: 999, description: 'Seats.' } }) },
  ])('$rule: $given', ({ bad, want, good }) => {
    expect(findings(bad)).toEqual(want);
    expect(findings(good)).toEqual([]);
  });

  it('gives every rule a default level: errors where no data can be valid, warnings for style', () => {
    expect(Object.keys(DEFAULT_LEVELS).sort()).toEqual(Object.values(LINT_RULES).sort());
  });

  it('reads nested objects, list items, branches and definitions, never data keywords', () => {
    const nested = event({
      place: { type: ['object', 'null'], description: 'Where.', properties: { city: { type: 'string', description: 'City.' } }, required: ['city'], additionalProperties: false },
      tags: { type: ['array', 'null'], description: 'Tags.', items: { type: 'string', maxLength: 0, minLength: 1, description: 'Tag.' } },
      either: { description: 'Either.', anyOf: [{ type: 'string', maxLength: 1, minLength: 2 }, { type: 'null' }] },
    }, { definitions: { unused: { type: 'string', maxLenght: 3 } }, default: { maxLenght: 1 }, enum: [{ maxLenght: 1 }] });
    expect(findings(nested)).toEqual([
      'warning string-max-length /properties/place/properties/city/maxLength',
      'error min-max /properties/tags/items/maxLength',
      'error min-max /properties/either/anyOf/0/maxLength',
      'warning known-keyword /definitions/unused/maxLenght',
      'warning string-max-length /definitions/unused/maxLength',
    ]);
  });

  it('lets each new rule be set to error, warn or off like the others', () => {
    const dir = schemaDir({ 'com.acme/signup/1-0-0': prop({ type: 'string', maxLength: undefined }) });
    const levels = (rules: Record<string, string>) => check({ schemas: [dir], lint: { rules } }).findings.map((f) => `${f.severity} ${f.error.rule}`);
    expect(levels({ 'optional-null': 'error', 'string-max-length': 'off' })).toEqual(['error optional-null']);
  });
});
