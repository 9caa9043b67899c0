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

function fail(out: Violation[], path: string, keyword: string, message: string): void {
  out.push({ path, keyword, message });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasType(value: unknown, types: readonly string[]): boolean {
  for (const type of types) {
    if (type === 'null' ? value === null : type === 'array' ? Array.isArray(value) : type === 'object' ? isObject(value) : type === 'integer' ? Number.isInteger(value) : typeof value === type) return true;
  }
  return false;
}

function isOneOf(value: unknown, values: readonly unknown[]): boolean {
  return values.indexOf(value) >= 0;
}

/** The rules of a scalar value, from its schema. */
type ScalarRules = {
  type?: readonly string[];
  enum?: readonly unknown[];
  const?: unknown;
  minLength?: number;
  maxLength?: number;
  pattern?: RegExp;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  multipleOf?: number;
};

/** Checks a value against its type, enum and scalar rules; undefined (an absent property) is skipped. */
function checkScalar(out: Violation[], value: unknown, path: string, rules: ScalarRules): void {
  if (value === undefined) return;
  if (rules.type && !hasType(value, rules.type)) fail(out, path, 'type', \`must be \${rules.type.join(' or ')}\`);
  if (rules.enum && !isOneOf(value, rules.enum)) fail(out, path, 'enum', \`must be one of \${rules.enum.map((e) => JSON.stringify(e)).join(', ')}\`);
  if ('const' in rules && value !== rules.const) fail(out, path, 'const', \`must be \${JSON.stringify(rules.const)}\`);
  if (typeof value === 'string') {
    const length = rules.minLength === undefined && rules.maxLength === undefined ? 0 : lengthOf(value);
    if (rules.minLength !== undefined && length < rules.minLength) fail(out, path, 'minLength', \`must be at least \${rules.minLength} characters\`);
    if (rules.maxLength !== undefined && length > rules.maxLength) fail(out, path, 'maxLength', \`must be at most \${rules.maxLength} characters\`);
    if (rules.pattern && !rules.pattern.test(value)) fail(out, path, 'pattern', \`must match \${rules.pattern.source}\`);
    if (rules.format !== undefined && !hasFormat(value, rules.format)) fail(out, path, 'format', \`must be a valid \${rules.format}\`);
  } else if (typeof value === 'number') {
    const { minimum: min, maximum: max, exclusiveMinimum: exMin, exclusiveMaximum: exMax } = rules;
    if (min !== undefined && (exMin === true ? value <= min : value < min)) fail(out, path, 'minimum', \`must be greater than \${exMin === true ? '' : 'or equal to '}\${min}\`);
    if (max !== undefined && (exMax === true ? value >= max : value > max)) fail(out, path, 'maximum', \`must be less than \${exMax === true ? '' : 'or equal to '}\${max}\`);
    if (typeof exMin === 'number' && value <= exMin) fail(out, path, 'exclusiveMinimum', \`must be greater than \${exMin}\`);
    if (typeof exMax === 'number' && value >= exMax) fail(out, path, 'exclusiveMaximum', \`must be less than \${exMax}\`);
    if (rules.multipleOf !== undefined && !isMultipleOf(value, rules.multipleOf)) fail(out, path, 'multipleOf', \`must be a multiple of \${rules.multipleOf}\`);
  }
}

/** Length in code points, as JSON Schema counts it. */
function lengthOf(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

function isMultipleOf(value: number, divisor: number): boolean {
  const q = value / divisor;
  return Math.abs(q - Math.round(q)) < 1e-9;
}

function checkRequired(out: Violation[], value: Record<string, unknown>, path: string, keys: readonly string[]): void {
  for (const key of keys) if (value[key] === undefined) fail(out, path + '/' + escapeToken(key), 'required', 'is required');
}

/** additionalProperties: false (with patternProperties as further allowed names). */
function checkClosed(out: Violation[], value: Record<string, unknown>, path: string, known: readonly string[], patterns: readonly RegExp[]): void {
  for (const key of Object.keys(value)) {
    if (isOneOf(key, known) || patterns.some((p) => p.test(key))) continue;
    fail(out, path + '/' + escapeToken(key), 'additionalProperties', 'is not allowed');
  }
}

function countValid(data: unknown, branches: readonly ((data: unknown) => Violation[])[]): number {
  let n = 0;
  for (const branch of branches) if (branch(data).length === 0) n++;
  return n;
}

function escapeToken(key: string): string {
  return key.replace(/~/g, '~0').replace(/\\//g, '~1');
}

const FORMATS: Record<string, RegExp> = {
  'date-time': /^\\d{4}-\\d{2}-\\d{2}[Tt ]\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?(?:[Zz]|[+-]\\d{2}:?\\d{2})$/,
  date: /^\\d{4}-\\d{2}-\\d{2}$/,
  time: /^\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?(?:[Zz]|[+-]\\d{2}:?\\d{2})?$/,
  email: /^[^\\s@]+@[^\\s@]+$/,
  uri: /^[A-Za-z][A-Za-z0-9+.-]*:[^\\s]*$/,
  uuid: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
  ipv4: /^(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)$/,
  ipv6: /^[0-9a-fA-F:.]*:[0-9a-fA-F:.]*$/,
  hostname: /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/,
};

function hasFormat(text: string, format: string): boolean {
  const pattern = FORMATS[format];
  return pattern === undefined || pattern.test(text);
}
`;
}
