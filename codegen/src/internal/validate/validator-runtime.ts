import type { ValidatorMode } from '../emit/emit-model.js';

/**
 * The validation runtime emitted once into a module generated with validators. Plain code:
 * no eval, no new Function (CSP-safe). Every helper is a separate top-level declaration, so a
 * bundler keeps only those the used validators call.
 */
export function validatorRuntime(mode: ValidatorMode): string {
  const gate = mode === 'dev'
    ? `
/** Development means NODE_ENV is not "production"; bundlers replace process.env.NODE_ENV, elsewhere it is read when present. */
declare const process: { env: { NODE_ENV?: string } };
function isDevelopment(): boolean {
  try {
    return process.env.NODE_ENV !== 'production';
  } catch {
    return true;
  }
}
`
    : '';
  return `
/** A value that does not match its schema: where (JSON pointer into the data), which keyword, and why. */
export type Violation = { path: string; keyword: string; message: string };

/** Receives the violations of one event or entity with the Iglu URI of its schema. */
export type ViolationHandler = (schema: string, violations: readonly Violation[]) => void;

declare const console: { warn(...data: unknown[]): void };

let violationHandler: ViolationHandler = (schema, violations) => {
  console.warn(\`tracklane: \${schema} is invalid\`, violations);
};

/** Replaces the default handler (console.warn). The handler must not throw; if it does, the error is ignored. */
export function setViolationHandler(handler: ViolationHandler): void {
  violationHandler = handler;
}
${gate}
/** Validates data; reports violations to the handler. Returns whether the data is valid${mode === 'dev' ? ' (always true in production, where nothing is checked)' : ''}. */
function checkData(schema: string, validate: (data: unknown) => Violation[], data: unknown): boolean {
  ${mode === 'dev' ? 'if (!isDevelopment()) return true;\n  ' : ''}const violations = validate(data);
  if (violations.length === 0) return true;
  try {
    violationHandler(schema, violations);
  } catch {
    // a handler that throws must not break tracking
  }
  return false;
}

/** An error as ajv's generated validators record it (their "schemaPath" is not emitted). */
type ValidatorError = { instancePath: string; keyword: string; params: Record<string, unknown>; message?: string };

/**
 * ajv's errors as violations: the JSON pointer of the value at fault, so a missing property or
 * an extra one is named by its own path (ajv names the object).
 */
function violationsOf(errors: readonly ValidatorError[] | null | undefined): Violation[] {
  return (errors ?? []).map(({ instancePath, keyword, params, message }) => {
    const key = keyword === 'required' ? params.missingProperty : keyword === 'additionalProperties' ? params.additionalProperty : undefined;
    const path = typeof key === 'string' ? instancePath + '/' + key.replace(/~/g, '~0').replace(/\\//g, '~1') : instancePath;
    const allowed = keyword === 'enum' ? params.allowedValues : undefined;
    return { path, keyword, message: Array.isArray(allowed) ? 'must be one of ' + allowed.map((v) => JSON.stringify(v)).join(', ') : message ?? keyword };
  });
}

/** Length in code points, as JSON Schema counts it (ajv's runtime ucs2length). */
function ucs2length(text: string): number {
  const units = text.length;
  let length = 0;
  let at = 0;
  while (at < units) {
    length++;
    const code = text.charCodeAt(at++);
    if (code >= 0xd800 && code <= 0xdbff && at < units && (text.charCodeAt(at) & 0xfc00) === 0xdc00) at++;
  }
  return length;
}
`;
}
