/**
 * Lint rule ids of `tracklane check`. Each can be set to `error`, `warn` or `off` in `lint.rules`;
 * {@link DEFAULT_LEVELS} gives the level of a rule that is not set.
 */
export const LINT_RULES = {
  /** Vendor is reverse-DNS lowercase, the name snake_case, property names identifier-like. */
  naming: 'naming',
  /** The schema and every property have a description. */
  description: 'description',
  /** Event schemas close their top-level object with `additionalProperties: false`. */
  eventAdditionalProperties: 'event-additional-properties',
  /** `x-tracklane.kind` says event or entity. */
  kind: 'kind',
  /** `x-tracklane.owner` names the owning team. */
  owner: 'owner',
  /** Events (and schemas of no kind) name their consent purpose in `x-tracklane.consent`, one of `lint.purposes` when given. Entities ride on events and need none. */
  consent: 'consent',
  /** A property whose name looks like personal data carries an `x-pii` mark. */
  piiMark: 'pii-mark',
  /** Every keyword is a draft-04 or Iglu/Tracklane one: the collector ignores others (`maxLenght`). igluctl: meta-schema warnings. */
  knownKeyword: 'known-keyword',
  /** The root has `"type": "object"` and `properties`. igluctl: rootObject. */
  rootObject: 'root-object',
  /** No lower bound above its upper bound (numbers, lengths, item and property counts). igluctl: numericMinimumMaximum, stringMinMaxLength, arrayMinMaxItems. */
  minMax: 'min-max',
  /** Every `required` name is a declared property (or matches a `patternProperties` pattern). igluctl: requiredPropertiesExist. */
  requiredDefined: 'required-defined',
  /** `format` is one the collector checks. igluctl: unknownFormats. */
  knownFormat: 'known-format',
  /** A string has a `maxLength` (or an `enum` or a known `format`), so warehouses get a bounded column. igluctl: stringLength. */
  stringMaxLength: 'string-max-length',
  /** No `maxLength` above the warehouse VARCHAR limit (65535). igluctl: stringMaxLengthRange. */
  warehouseMaxLength: 'warehouse-max-length',
  /** Optional properties accept `null`. igluctl: optionalNull. */
  optionalNull: 'optional-null',
  /** No keyword for a type the subschema does not allow (`"type": "string", "minimum": 1`). igluctl: numericProperties, stringProperties... */
  keywordType: 'keyword-type',
} as const;

export type LintRuleId = (typeof LINT_RULES)[keyof typeof LINT_RULES];
export type RuleLevel = 'error' | 'warn' | 'off';

/**
 * The level of each rule when `lint.rules` does not set it. Errors: a schema no data can satisfy
 * as meant, and Tracklane's governance rules (kept as they were). Warnings: what igluctl calls
 * style (a warehouse or reviewer concern; the collector loads the schema either way).
 */
export const DEFAULT_LEVELS: Readonly<Record<LintRuleId, Exclude<RuleLevel, 'off'>>> = {
  naming: 'error',
  description: 'error',
  'event-additional-properties': 'error',
  kind: 'error',
  owner: 'error',
  consent: 'error',
  'pii-mark': 'error',
  'known-keyword': 'warn',
  'root-object': 'warn',
  'min-max': 'error',
  'required-defined': 'error',
  'known-format': 'warn',
  'string-max-length': 'warn',
  'warehouse-max-length': 'warn',
  'optional-null': 'warn',
  'keyword-type': 'warn',
};

/** One lint problem: the rule, the JSON pointer in the schema file and the message. */
export interface LintProblem {
  rule: LintRuleId;
  pointer: string;
  message: string;
}

/** Collects the problems of one schema. */
export type Report = (rule: LintRuleId, pointer: string, message: string) => void;
