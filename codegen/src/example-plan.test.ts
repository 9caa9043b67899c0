import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { check } from './check.js';
import { loadConfig } from './config.js';
import { generate, OUTPUT_FILE } from './generate.js';
import { scratchDir, typecheck } from './internal/testing/typecheck.js';

const EXAMPLE = join(import.meta.dirname, '../../examples/tracking-plan');
const config = loadConfig(EXAMPLE);

describe('the example tracking plan (examples/tracking-plan)', () => {
  it('has its generated code committed: regenerating changes nothing (update with `pnpm --filter @tracklane/codegen tracklane generate --config ../examples/tracking-plan/tracklane.config.json`)', () => {
    const { code } = generate({ schemas: config.schemas, validators: config.validators, naming: config.naming });
    expect(readFileSync(join(config.out, OUTPUT_FILE), 'utf8')).toBe(code);
  });

  it('passes tracklane check against its lock file', () => {
    const result = check({ schemas: config.schemas, lock: config.lock, lint: config.lint });
    expect(result.findings.filter((f) => f.severity === 'error').map((f) => f.error.format())).toEqual([]);
    // Its published optional fields refuse null (igluctl's optionalNull style); a warning, and they cannot change.
    expect([...new Set(result.findings.map((f) => `${f.severity} ${f.error.rule}`))]).toEqual(['warning optional-null']);
    expect(result.steps.map((s) => [s.from.uri, s.to.uri, s.declared, s.real])).toEqual([
      ['iglu:com.acme/signup/jsonschema/1-0-0', 'iglu:com.acme/signup/jsonschema/1-0-1', 'ADDITION', 'ADDITION'],
    ]);
  });

  it('compiles with tsc --strict', { timeout: 60_000 }, () => {
    const code = readFileSync(join(config.out, OUTPUT_FILE), 'utf8');
    expect(typecheck(scratchDir('example'), { 'index.ts': code })).toEqual([]);
  });

  it('type-checks against the real @tracklane/core sources (examples/tracking-plan/tsconfig.json)', { timeout: 60_000 }, () => {
    const parsed = ts.getParsedCommandLineOfConfigFile(join(EXAMPLE, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); } })!;
    const program = ts.createProgram(parsed.fileNames, parsed.options);
    // Only the example's own files: core's work in progress is core's tests' business.
    const mine = ts.getPreEmitDiagnostics(program).filter((d) => d.file?.fileName.startsWith(EXAMPLE));
    expect(mine.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
    expect(parsed.fileNames.some((f) => f.endsWith('generated/index.ts'))).toBe(true);
  });
});
