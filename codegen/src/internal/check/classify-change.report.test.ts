import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSchemas } from '../load/load-schemas.js';
import type { JsonSchema } from '../load/types.js';
import { scratchDir } from '../testing/typecheck.js';
import { checkVersions } from './check-versions.js';

/** A schema directory holding the given versions of `com.acme/signup`. */
function versions(bodies: Record<string, JsonSchema>): string {
  const root = scratchDir('schemaver');
  const dir = join(root, 'com.acme/signup/jsonschema');
  mkdirSync(dir, { recursive: true });
  for (const [version, body] of Object.entries(bodies)) {
    const self = { vendor: 'com.acme', name: 'signup', format: 'jsonschema', version };
    writeFileSync(join(dir, version), JSON.stringify({ $schema: 'http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#', self, type: 'object', additionalProperties: false, ...body }));
  }
  return root;
}

const run = (bodies: Record<string, JsonSchema>): ReturnType<typeof checkVersions> => checkVersions(loadSchemas([versions(bodies)]).schemas);

describe('checkVersions reports what the classifier can show', () => {
  it('a bump smaller than a witnessed change is an error that names the witness', () => {
    const { errors, warnings } = run({
      '1-0-0': { properties: { n: { type: 'integer' } } },
      '1-0-1': { properties: { n: { type: 'integer', maximum: 10 } } },
    });
    expect(warnings).toEqual([]);
    expect(errors.map((e) => [e.pointer, e.rule, e.message])).toEqual([
      ['/properties/n/maximum', 'schemaver', '1-0-0 -> 1-0-1 declares ADDITION but the change is REVISION: maximum added (10); valid under 1-0-0, invalid under 1-0-1: {"n":11}'],
    ]);
  });

  it('an ADDITION it cannot prove is a warning with the pointer, not an error', () => {
    const { errors, warnings } = run({
      '1-0-0': { properties: { p: { type: 'string', pattern: '^a$' } } },
      '1-0-1': { properties: { p: { type: 'string', pattern: '^(a|b)$' } } },
    });
    expect(errors).toEqual([]);
    expect(warnings.map((e) => [e.pointer, e.message])).toEqual([
      ['/properties/p/pattern', '1-0-0 -> 1-0-1 declares ADDITION but cannot prove ADDITION: pattern changed from ^a$ to ^(a|b)$ (no instance valid before and invalid now was found)'],
    ]);
  });

  it('says nothing of an undecided change under a REVISION bump, which allows it', () => {
    const { errors, warnings } = run({
      '1-0-0': { properties: { p: { type: 'string', pattern: '^a$' } } },
      '1-1-0': { properties: { p: { type: 'string', pattern: '^(a|b)$' } } },
    });
    expect([errors, warnings]).toEqual([[], []]);
  });

  it('shortens long strings of a witness in the message', () => {
    const { errors } = run({
      '1-0-0': { properties: { s: { type: 'string' } } },
      '1-0-1': { properties: { s: { type: 'string', maxLength: 100 } } },
    });
    expect(errors[0]?.message).toMatch(/invalid under 1-0-1: \{"s":"aaaaaaaaaaaa… \(101 characters\)"\}$/);
  });
});
