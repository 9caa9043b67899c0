import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from './generate.js';
import { scratchDir, typecheck } from './internal/testing/typecheck.js';

/** 557 real schemas from Iglu Central, by many teams, vendored under test/corpora/ (its README names the commit). */
const CORPUS = join(import.meta.dirname, '../../test/corpora/iglu-central/schemas');

describe('the Iglu Central corpus', () => {
  it('generates in one run, and the output passes tsc --strict --noEmit', { timeout: 120_000 }, () => {
    const result = generate({ schemas: [CORPUS] });
    // Every JSON Schema generates; the Avro, Thrift and Protobuf files are not JSON Schema.
    expect(result.load.schemas.length + result.load.skipped.length).toBe(557);
    expect(result.load.skipped.every((s) => !s.file.includes('/jsonschema/'))).toBe(true);
    expect(result.load.schemas).toHaveLength(538);
    expect(typecheck(scratchDir('corpus'), { 'index.ts': result.code })).toEqual([]);
    expect(generate({ schemas: [CORPUS] }).code).toBe(result.code);
  });

  it('generates validators for every schema that compile too', { timeout: 180_000 }, () => {
    const code = generate({ schemas: [CORPUS], validators: 'always' }).code;
    expect(typecheck(scratchDir('corpus-validators'), { 'index.ts': code })).toEqual([]);
  });
});
