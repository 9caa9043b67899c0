import { CodegenError, CodegenErrorCode } from './errors.js';
import { checkVersions, type VersionStep } from './internal/check/check-versions.js';
import { lintSchema, ruleLevel, type LintConfig } from './internal/check/lint-rules.js';
import { readLock, updatedLock, verifyLock } from './internal/check/lock-file.js';
import { readBaseSchemas } from './internal/gate/base-schemas.js';
import { compareWithBase, type BaseComparison } from './internal/gate/compare-base.js';
import { loadSchemas } from './internal/load/load-schemas.js';
import type { LoadedSchema } from './internal/load/types.js';
import { writeIfChanged } from './generate.js';

/** Options of {@link check}. */
export interface CheckOptions {
  /** Schema directories in the Iglu layout. */
  schemas: readonly string[];
  /** Lock file path; immutability is checked when it exists. @default undefined (no immutability check) */
  lock?: string;
  /** Rule levels and settings. @default each rule at its level in DEFAULT_LEVELS */
  lint?: LintConfig;
  /** Record versions that are not in the lock yet (only when there are no errors). @default false */
  updateLock?: boolean;
  /** A git ref (branch, tag, commit): versions published there must be unchanged and present. @default undefined (no comparison) */
  base?: string;
}

/** One problem found, at its rule's level. */
export interface Finding {
  severity: 'error' | 'warning';
  error: CodegenError;
}

export interface CheckResult {
  /** No finding at error level. */
  ok: boolean;
  findings: Finding[];
  /** Every consecutive version pair with its declared and real change. */
  steps: VersionStep[];
  schemas: LoadedSchema[];
  /** The lock file written, if any. */
  lockWritten?: string;
  /** What changed since `base`, when it was given. */
  base?: Omit<BaseComparison, 'errors'>;
}

/** Lints the schemas, checks published versions against the lock (and the `base` commit) and classifies every version step. */
export function check(options: CheckOptions): CheckResult {
  const load = loadSchemas(options.schemas);
  const findings: Finding[] = load.errors.map((error) => ({ severity: 'error', error }));
  for (const schema of load.schemas) {
    for (const problem of lintSchema(schema, options.lint ?? {})) {
      const level = ruleLevel(problem.rule, options.lint ?? {});
      if (level === 'off') continue;
      const error = new CodegenError(CodegenErrorCode.LINT, problem.message, { file: schema.file, pointer: problem.pointer, rule: problem.rule });
      findings.push({ severity: level === 'warn' ? 'warning' : 'error', error });
    }
  }
  const lock = options.lock === undefined ? undefined : readLock(options.lock);
  if (lock && options.lock) findings.push(...verifyLock(lock, load.schemas, options.lock).map((error): Finding => ({ severity: 'error', error })));
  const versions = checkVersions(load.schemas);
  findings.push(...versions.errors.map((error): Finding => ({ severity: 'error', error })));
  findings.push(...versions.warnings.map((error): Finding => ({ severity: 'warning', error })));
  const base = options.base === undefined ? undefined : compareWithBase(readBaseSchemas(options.base, options.schemas), load.schemas, versions.steps);
  if (base) findings.push(...base.errors.map((error): Finding => ({ severity: 'error', error })));
  const ok = findings.every((f) => f.severity !== 'error');
  const result: CheckResult = { ok, findings, steps: versions.steps, schemas: load.schemas };
  if (base) {
    const { errors: _reported, ...summary } = base;
    result.base = summary;
  }
  if (ok && options.updateLock && options.lock) {
    const next = updatedLock(lock, load.schemas);
    if (writeIfChanged(options.lock, `${JSON.stringify(next, null, 2)}\n`)) result.lockWritten = options.lock;
  }
  return result;
}

/** The report of `tracklane check --format json`. */
export function checkReport(result: CheckResult): Record<string, unknown> {
  const item = (f: Finding): Record<string, unknown> => ({ severity: f.severity, ...f.error.toJSON() });
  return {
    ok: result.ok,
    errors: result.findings.filter((f) => f.severity === 'error').map(item),
    warnings: result.findings.filter((f) => f.severity === 'warning').map(item),
    changes: result.steps.map((s) => ({ schema: `${s.to.vendor}/${s.to.name}`, from: s.from.uri, to: s.to.uri, declared: s.declared, real: s.real, changes: s.changes })),
    ...(result.base && { base: result.base }),
  };
}
