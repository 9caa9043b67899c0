// The official JSON Schema Test Suite (draft-04) against both sides of the contract: the validators
// `tracklane generate --validators always` emits and the collector's schema registry.
import { describe, expect, it } from 'vitest';
import { suiteGroups, verdictsFor } from './json-schema-suite.js';

const groups = suiteGroups();
const required = groups.filter((g) => !g.file.startsWith('optional'));

/** Every group's verdicts, computed once for all the tests below. */
const results = groups.map((group, index) => {
  const verdicts = verdictsFor(group.schema, `group_${index}`);
  return { group, outcomes: group.tests.map((test) => ({ test, ...verdicts(test.data) })) };
});

describe('JSON Schema Test Suite, draft-04', () => {
  it('has the required and optional tests it had when vendored', () => {
    const count = (list: typeof groups): number => list.reduce((n, g) => n + g.tests.length, 0);
    expect([count(required), count(groups)]).toEqual([expect.any(Number), expect.any(Number)]);
    expect(count(required)).toBeGreaterThan(500);
    process.stdout.write(`JSON Schema Test Suite draft-04: ${count(required)} required tests, ${count(groups)} with the optional ones\n`);
  });

  describe.each(required.map((group) => [`${group.file}: ${group.description}`, group] as const))('%s', (_name, group) => {
    const { outcomes } = results.find((r) => r.group === group)!;
    it.each(outcomes.map((o) => [o.test.description, o] as const))('%s', (_test, { test, client, collector }) => {
      expect({ client, collector }).toEqual({ client: test.valid, collector: test.valid });
    });
  });

  it('every instance, optional tests and formats included, gets the same verdict from the client and the collector', () => {
    const all = results.flatMap((r) => r.outcomes.map((o) => ({ where: `${r.group.file}: ${r.group.description}: ${o.test.description}`, ...o })));
    const disagreements = all.filter((o) => o.client !== o.collector).map((o) => o.where);
    const passed = (side: 'client' | 'collector'): number => all.filter((o) => o[side] === o.test.valid).length;
    process.stdout.write(`JSON Schema Test Suite draft-04, all ${all.length} instances: client ${passed('client')} as specified, collector ${passed('collector')}; ${disagreements.length} disagreements\n`);
    expect(disagreements).toEqual([]);
  });
});
