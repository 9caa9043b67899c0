import { checkKeywordType } from './keyword-type.js';
import { checkKnownKeywords } from './known-keyword.js';
import { checkMinMax } from './min-max.js';
import { checkOptionalNull, checkRequiredDefined, checkRootObject } from './object-rules.js';
import type { LintProblem, Report } from './rules.js';
import { checkKnownFormat, checkStringMaxLength, checkWarehouseMaxLength } from './string-rules.js';
import { eachSubschema, type SubschemaVisitor } from './subschemas.js';

type SchemaRule = (node: Record<string, unknown>, place: Parameters<SubschemaVisitor>[1], report: Report) => void;

/** The rules that read the JSON Schema itself (igluctl's linters), run on every subschema. */
const RULES: readonly SchemaRule[] = [checkKnownKeywords, checkRootObject, checkMinMax, checkRequiredDefined, checkKnownFormat, checkStringMaxLength, checkWarehouseMaxLength, checkOptionalNull, checkKeywordType];

/** Every structural problem of a schema document, in document order. */
export function lintStructure(document: Record<string, unknown>): LintProblem[] {
  const problems: LintProblem[] = [];
  const report: Report = (rule, pointer, message) => void problems.push({ rule, pointer, message });
  eachSubschema(document, (node, place) => {
    for (const rule of RULES) rule(node, place, report);
  });
  return problems;
}
