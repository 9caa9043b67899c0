import { CodegenError, CodegenErrorCode } from '../../errors.js';
import type { LoadedSchema } from '../load/types.js';
import { changeRank, declaredBump, formatSchemaVer, type ChangeKind } from '../schemaver.js';
import { classifyChange, type SchemaChange } from './classify-change.js';

/** The rule id SchemaVer errors carry. */
export const SCHEMAVER_RULE = 'schemaver';

/** The real change between two consecutive versions of a schema, and the bump they declare. */
export interface VersionStep {
  from: LoadedSchema;
  to: LoadedSchema;
  declared: ChangeKind;
  real: ChangeKind;
  changes: SchemaChange[];
}

/**
 * Every consecutive pair of versions of every schema, classified. Errors for gaps and for bumps
 * smaller than a witnessed change (the message carries the witness); warnings for an ADDITION
 * the classifier cannot prove ("cannot prove ADDITION", with the pointer).
 */
export function checkVersions(schemas: readonly LoadedSchema[]): { steps: VersionStep[]; errors: CodegenError[]; warnings: CodegenError[] } {
  const byName = new Map<string, LoadedSchema[]>();
  for (const s of schemas) {
    const key = `${s.vendor}/${s.name}/${s.format}`;
    byName.set(key, [...(byName.get(key) ?? []), s]);
  }
  const steps: VersionStep[] = [];
  const errors: CodegenError[] = [];
  const warnings: CodegenError[] = [];
  for (const key of [...byName.keys()].sort()) {
    const versions = byName.get(key)!.sort((a, b) => a.version.model - b.version.model || a.version.revision - b.version.revision || a.version.addition - b.version.addition);
    const first = versions[0]!;
    if (formatSchemaVer(first.version) !== '1-0-0') {
      errors.push(new CodegenError(CodegenErrorCode.SCHEMAVER, `the first version of ${key} is ${formatSchemaVer(first.version)}, not 1-0-0`, { file: first.file, pointer: '/self/version', rule: SCHEMAVER_RULE }));
    }
    for (let i = 1; i < versions.length; i++) {
      const from = versions[i - 1]!;
      const to = versions[i]!;
      const declared = declaredBump(from.version, to.version);
      const { kind: real, changes } = classifyChange(from.schema, to.schema);
      steps.push({ from, to, declared, real, changes });
      if (!isNextVersion(from, to)) {
        errors.push(new CodegenError(CodegenErrorCode.SCHEMAVER, `${formatSchemaVer(to.version)} does not follow ${formatSchemaVer(from.version)} (expected the next ADDITION, REVISION or MODEL)`, { file: to.file, pointer: '/self/version', rule: SCHEMAVER_RULE }));
      }
      const span = `${formatSchemaVer(from.version)} -> ${formatSchemaVer(to.version)}`;
      if (changeRank(real) > changeRank(declared)) {
        const worst = changes.find((c) => c.kind === real && !c.undecided)!;
        const message = `${span} declares ${declared} but the change is ${real}: ${worst.message}; valid under ${formatSchemaVer(from.version)}, invalid under ${formatSchemaVer(to.version)}: ${witnessText(worst.witness)}`;
        errors.push(new CodegenError(CodegenErrorCode.SCHEMAVER, message, { file: to.file, pointer: worst.pointer, rule: SCHEMAVER_RULE }));
      } else if (declared === 'ADDITION') {
        for (const c of changes.filter((change) => change.undecided)) {
          warnings.push(new CodegenError(CodegenErrorCode.SCHEMAVER, `${span} declares ADDITION but ${c.message}`, { file: to.file, pointer: c.pointer, rule: SCHEMAVER_RULE }));
        }
      }
    }
  }
  return { steps, errors, warnings };
}

function isNextVersion(a: LoadedSchema, b: LoadedSchema): boolean {
  const x = a.version;
  const y = b.version;
  if (y.model === x.model + 1) return y.revision === 0 && y.addition === 0;
  if (y.model !== x.model) return false;
  if (y.revision === x.revision + 1) return y.addition === 0;
  return y.revision === x.revision && y.addition === x.addition + 1;
}

/** A witness as it reads in a message: long strings shortened (the JSON report keeps it whole). */
export function witnessText(witness: unknown): string {
  const text = JSON.stringify(witness, (_key, value: unknown) => (typeof value === 'string' && value.length > 40 ? `${value.slice(0, 12)}… (${value.length} characters)` : value));
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}
