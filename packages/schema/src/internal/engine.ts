import { createRequire } from 'node:module';
import AjvModule from 'ajv-draft-04';
import { _ } from 'ajv';
import * as core from '@tracklane/core';
import { FORMATS, UNCHECKED_FORMATS } from './formats.js';

// CommonJS packages: under Node's ESM interop the default import is module.exports, whose `default` is the export.
const Ajv = AjvModule.default;

/**
 * ajv's runtime slot for deep equality: its module's exports object, which ajv's keywords read
 * `default` of when they compile (required, not imported: an import's interop may hand over the
 * function instead of the object that holds it).
 */
const runtimeEqual = createRequire(import.meta.url)('ajv/dist/runtime/equal') as { default: ((a: unknown, b: unknown) => boolean) & { code: string } };

/**
 * Puts core's `jsonEqual` in ajv's runtime slot for `enum` and `uniqueItems`, which ajv reads when
 * it compiles: fast-deep-equal, ajv's own, calls a `valueOf` or `toString` key of the data and
 * throws when it is not a function (`[{"valueOf": 1}, {"valueOf": 1}]` under `uniqueItems`). Its
 * `code` stays ajv's, so standalone code still names the slot, and generated code imports `jsonEqual`.
 */
function useJsonEqual(): void {
  if ((runtimeEqual.default as unknown) === jsonEqualInSlot) return;
  runtimeEqual.default = Object.assign(jsonEqualInSlot, { code: runtimeEqual.default.code });
}
const jsonEqualInSlot = (a: unknown, b: unknown): boolean => core.jsonEqual(a, b);

/** The identifier standalone code reads formats from: `__tracklaneFormats["date-time"]`. */
export const FORMATS_PLACEHOLDER = '__tracklaneFormats';
// ajv's code template: a literal name (an interpolated string would become a string literal).
const FORMATS_PLACEHOLDER_CODE = _`__tracklaneFormats`;

/** An ajv instance with Tracklane's draft-04 semantics (see {@link createSchemaEngine}). */
export type SchemaEngine = InstanceType<typeof Ajv>;

/** Options of {@link createSchemaEngine}. */
export interface SchemaEngineOptions {
  /**
   * Keeps checking after the first violation, so every violation of an instance is reported.
   * The verdict (valid or not) is the same either way.
   * @default true
   */
  allErrors?: boolean;
  /**
   * Keeps each validator's source, for `standaloneSource`: ES module code in which every format
   * check reads `FORMATS_PLACEHOLDER[<format name>]` (the caller replaces it with the
   * `@tracklane/core` function `FORMATS` names).
   * @default false
   */
  standalone?: boolean;
}

/**
 * A fresh ajv engine for JSON Schema draft-04 as Tracklane reads it: every draft-04 keyword, the
 * formats ajv-formats checks, each defined once in `@tracklane/core` (see `FORMATS`), unknown keywords and formats ignored (Iglu
 * schemas carry `self`, `x-tracklane`, `x-pii`...), properties counted only when they are the
 * object's own (`required: ["constructor"]` is not met by `{}`), and `enum` and `uniqueItems`
 * compared by core's `jsonEqual`.
 */
export function createSchemaEngine(options: SchemaEngineOptions = {}): SchemaEngine {
  useJsonEqual();
  const ajv = new Ajv({ allErrors: options.allErrors ?? true, strict: false, logger: false, ownProperties: true, code: options.standalone ? { source: true, esm: true, formats: FORMATS_PLACEHOLDER_CODE } : {} });
  for (const [name, { check, type }] of Object.entries(FORMATS)) {
    if (type === 'number') ajv.addFormat(name, { type, validate: core[check] as (value: number) => boolean });
    // A bare function: standalone code calls it as `formatsN(value)`.
    else ajv.addFormat(name, core[check] as (value: string) => boolean);
  }
  for (const name of UNCHECKED_FORMATS) ajv.addFormat(name, true);
  return ajv;
}
