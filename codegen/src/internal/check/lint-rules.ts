import type { LoadedSchema } from '../load/types.js';
import { DEFAULT_LEVELS, type LintProblem, type LintRuleId, type RuleLevel } from '../lint/rules.js';
import { lintStructure } from '../lint/structure-rules.js';
import { pointerSegment } from '../lint/subschemas.js';

export { DEFAULT_LEVELS, LINT_RULES } from '../lint/rules.js';
export type { LintProblem, LintRuleId, RuleLevel } from '../lint/rules.js';

/** The `lint` section of `tracklane.config.json`. */
export interface LintConfig {
  /** Level per rule. @default DEFAULT_LEVELS */
  rules?: Partial<Record<LintRuleId, RuleLevel>>;
  /** Consent purposes a schema may name. @default any purpose */
  purposes?: string[];
  /**
   * Regular expression (case-insensitive) for property names that look like personal data.
   * @default DEFAULT_PII_PATTERN
   */
  piiPattern?: string;
}

/**
 * Names that look like personal data: email, phone, names, addresses, IPs, birth dates, government ids.
 * Matched against the snake_case form of the name (`userEmail` is tested as `user_email`).
 */
export const DEFAULT_PII_PATTERN =
  '(^|_)(e_?mail|phone|phone_number|mobile|first_name|last_name|full_name|surname|user_?name|address|street|post_?code|zip|zip_code|ip|ip_address|ssn|birth_?date|date_of_birth|dob|passport|national_id)(_|$)';

const VENDOR = /^[a-z0-9]+(\.[a-z0-9-]+)+$/;
const SNAKE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
const PROPERTY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The level of `rule` under `config`: its `lint.rules` entry, else its default. */
export function ruleLevel(rule: LintRuleId, config: LintConfig): RuleLevel {
  return config.rules?.[rule] ?? DEFAULT_LEVELS[rule];
}

/** Runs every rule on one schema: Tracklane's own, then the structural ones; levels are applied by the caller. */
export function lintSchema(schema: LoadedSchema, config: LintConfig): LintProblem[] {
  const problems: LintProblem[] = [];
  const add = (rule: LintRuleId, pointer: string, message: string): void => void problems.push({ rule, pointer, message });
  const { meta } = schema;
  if (!VENDOR.test(schema.vendor)) add('naming', '/self/vendor', `vendor "${schema.vendor}" is not reverse-DNS lowercase (com.acme)`);
  if (!SNAKE.test(schema.name)) add('naming', '/self/name', `name "${schema.name}" is not snake_case`);
  if (typeof schema.schema.description !== 'string' || schema.schema.description.trim() === '') add('description', '/description', 'the schema has no description');
  if (meta.kind === undefined) add('kind', '/x-tracklane/kind', 'x-tracklane.kind is not declared (event or entity)');
  if (meta.kind === 'event' && schema.schema.additionalProperties !== false) add('event-additional-properties', '/additionalProperties', 'an event schema must set additionalProperties: false');
  if (!meta.owner) add('owner', '/x-tracklane/owner', 'x-tracklane.owner is not declared');
  if (meta.consent === undefined) {
    if (meta.kind !== 'entity') add('consent', '/x-tracklane/consent', 'x-tracklane.consent (the consent purpose) is not declared');
  } else if (config.purposes && !config.purposes.includes(meta.consent)) add('consent', '/x-tracklane/consent', `consent purpose "${meta.consent}" is not one of ${config.purposes.join(', ')}`);
  const pii = new RegExp(config.piiPattern ?? DEFAULT_PII_PATTERN, 'i');
  walkProperties(schema.schema, '', (key, prop, pointer) => {
    if (!PROPERTY.test(key)) add('naming', pointer, `property name "${key}" is not an identifier (letters, digits, _)`);
    if (typeof prop.description !== 'string' || prop.description.trim() === '') add('description', `${pointer}/description`, `property "${key}" has no description`);
    if (pii.test(snakeCase(key)) && prop['x-pii'] === undefined) add('pii-mark', `${pointer}/x-pii`, `property "${key}" looks like personal data but has no x-pii mark (hash, redact or drop)`);
  });
  return [...problems, ...lintStructure(schema.schema)];
}

type PropertyVisitor = (key: string, prop: Record<string, unknown>, pointer: string) => void;

/** Visits every declared property, nested objects and array items included, with its JSON pointer. */
function walkProperties(node: Record<string, unknown>, pointer: string, visit: PropertyVisitor): void {
  const props = node['properties'];
  if (typeof props === 'object' && props !== null) {
    for (const [key, prop] of Object.entries(props as Record<string, Record<string, unknown>>)) {
      const at = `${pointer}/properties/${pointerSegment(key)}`;
      if (typeof prop !== 'object' || prop === null) continue;
      visit(key, prop, at);
      walkProperties(prop, at, visit);
    }
  }
  const items = node['items'];
  if (typeof items === 'object' && items !== null && !Array.isArray(items)) walkProperties(items as Record<string, unknown>, `${pointer}/items`, visit);
}

/** `userEmail` -> `user_email`, `IPAddress` -> `ip_address`. */
export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').toLowerCase();
}
