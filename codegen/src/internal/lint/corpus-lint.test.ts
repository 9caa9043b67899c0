import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSchemas } from '../load/load-schemas.js';
import { lintStructure } from './structure-rules.js';

const CORPUS = join(import.meta.dirname, '../../../../test/corpora/iglu-central/schemas');

describe('the structural lint rules on Iglu Central (538 JSON Schemas)', () => {
  it('find what igluctl would: style warnings by the thousand, and errors only where the schema is wrong', { timeout: 60_000 }, () => {
    const counts: Record<string, number> = {};
    for (const schema of loadSchemas([CORPUS]).schemas) {
      for (const problem of lintStructure(schema.schema)) counts[problem.rule] = (counts[problem.rule] ?? 0) + 1;
    }
    expect(counts).toEqual({
      // errors: the only ones are Snowplow's bad-row schemas requiring "repository" in lookupHistory items that declare no such property
      'required-defined': 12,
      // warnings
      'known-keyword': 4, // "examples", a later draft's keyword
      'known-format': 1, // "strict-uri"
      'root-object': 22,
      'string-max-length': 3256,
      'warehouse-max-length': 4,
      'optional-null': 2966,
      // and no min-max or keyword-type finding
    });
  });
});
