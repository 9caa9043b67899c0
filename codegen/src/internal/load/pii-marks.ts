import type { PiiAction } from '@tracklane/core';
import { CodegenError, CodegenErrorCode } from '../../errors.js';

/** Keyed by core's `PiiAction`, so an action added there fails the codegen's type check until it is listed here. */
const ACTIONS: Record<PiiAction, true> = { hash: true, redact: true, drop: true };

/** The values `x-pii` may take (docs/design.md), in the order error messages list them. */
export const PII_ACTIONS = Object.keys(ACTIONS) as readonly PiiAction[];

/** `"hash", "redact" or "drop"` */
const ALLOWED = PII_ACTIONS.map((a) => JSON.stringify(a)).join(', ').replace(/, ([^,]*)$/, ' or $1');

export function isPiiAction(value: unknown): value is PiiAction {
  return typeof value === 'string' && Object.hasOwn(ACTIONS, value);
}

/**
 * Keywords whose subschemas the generated PII rules follow (`collectPii`): a property, the items of a
 * list, a branch (same place in the data), a definition (reached through `$ref`).
 */
const FOLLOWED_ONE = ['items'];
const FOLLOWED_MAP = ['properties', 'definitions', '$defs'];
const FOLLOWED_LIST = ['allOf', 'anyOf', 'oneOf'];
/** Keywords whose subschemas the rules do not follow: a mark below them would be ignored. */
const OTHER_ONE = ['additionalProperties', 'additionalItems', 'contains', 'propertyNames', 'not', 'if', 'then', 'else'];
const OTHER_MAP = ['patternProperties', 'dependencies', 'dependentSchemas'];
const OTHER_LIST = ['items', 'prefixItems'];

/**
 * Checks every `x-pii` in a schema document, wherever a subschema can stand. A value that is not a
 * known action, or a mark where the generated PII rules do not look (the schema itself,
 * `additionalProperties`, `patternProperties`, tuple items...), would leave the field in clear, so
 * either is a load error (rule `x-pii`), never a lint rule that can be turned off.
 */
export function checkPiiMarks(schema: Record<string, unknown>, file: string): CodegenError[] {
  const errors: CodegenError[] = [];
  const fail = (pointer: string, message: string): void =>
    void errors.push(new CodegenError(CodegenErrorCode.SCHEMA_EXTENSION, message, { file, pointer: `${pointer}/x-pii`, rule: 'x-pii' }));
  /** `applied`: a valid mark here becomes a rule; `root`: this subschema describes the whole event. */
  const visit = (node: unknown, pointer: string, applied: boolean, root: boolean): void => {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return;
    const record = node as Record<string, unknown>;
    if ('x-pii' in record) {
      const mark = record['x-pii'];
      if (!isPiiAction(mark)) fail(pointer, `x-pii must be ${ALLOWED}, not ${JSON.stringify(mark)}`);
      else if (!applied || root) fail(pointer, `x-pii is applied to properties and list items only: here it would be ignored and the value sent in clear`);
    }
    const each = (keys: readonly string[], shape: 'one' | 'map' | 'list', followed: boolean): void => {
      for (const key of keys) {
        const value = record[key];
        const childRoot = root && (key === 'allOf' || key === 'anyOf' || key === 'oneOf');
        const child = (sub: unknown, at: string): void => visit(sub, at, followed && (applied || key === 'definitions' || key === '$defs'), childRoot);
        if (shape === 'one' && !Array.isArray(value)) child(value, `${pointer}/${key}`);
        else if (shape === 'list' && Array.isArray(value)) value.forEach((sub, i) => child(sub, `${pointer}/${key}/${i}`));
        else if (shape === 'map' && typeof value === 'object' && value !== null && !Array.isArray(value)) {
          for (const [name, sub] of Object.entries(value)) child(sub, `${pointer}/${key}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`);
        }
      }
    };
    each(FOLLOWED_ONE, 'one', true);
    each(FOLLOWED_MAP, 'map', true);
    each(FOLLOWED_LIST, 'list', true);
    each(OTHER_ONE, 'one', false);
    each(OTHER_MAP, 'map', false);
    each(OTHER_LIST, 'list', false);
  };
  visit(schema, '', true, true);
  return errors;
}
