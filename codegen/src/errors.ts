import { relative } from 'node:path';
import { TracklaneError } from '@tracklane/core';

/**
 * The codegen's errors: a `TracklaneError` (the SDK's one error base class) whose codes are the
 * codegen's. Every error has a stable `code` from
 * {@link CodegenErrorCode}, and, where it is about a schema, the file, the JSON pointer
 * inside that file and the lint rule that raised it.
 */
export const CodegenErrorCode = {
  /** A command-line flag or config file value is invalid. */
  INVALID_CONFIG: 'INVALID_CONFIG',
  /** A schema directory does not exist or cannot be read. */
  SCHEMA_DIR: 'SCHEMA_DIR',
  /** A schema file is not valid JSON. */
  SCHEMA_PARSE: 'SCHEMA_PARSE',
  /** A schema lacks `self` or its `self` disagrees with its path in the Iglu layout. */
  SCHEMA_SELF: 'SCHEMA_SELF',
  /**
   * A Tracklane extension keyword has a value docs/design.md does not define: `x-tracklane` (its kind,
   * owner, consent, deprecated) or an `x-pii` mark. Never a lint rule: a mistyped mark or consent
   * purpose would otherwise be ignored, and the field sent in clear or the event under another purpose.
   */
  SCHEMA_EXTENSION: 'SCHEMA_EXTENSION',
  /**
   * The collector cannot load the schema: not a valid draft-04 schema (e.g. `"type": "strin"`,
   * `"maxLength": -1`), a `pattern` JavaScript cannot compile with the `u` flag, or a `$ref` to
   * nothing. Never a lint rule: the collector would refuse to start.
   */
  SCHEMA_INVALID: 'SCHEMA_INVALID',
  /** Two files declare the same schema URI. */
  SCHEMA_DUPLICATE: 'SCHEMA_DUPLICATE',
  /** A lint rule failed. */
  LINT: 'LINT',
  /** A published version changed (its content hash differs from the lock file). */
  IMMUTABLE: 'IMMUTABLE',
  /** The declared SchemaVer bump is smaller than the real change. */
  SCHEMAVER: 'SCHEMAVER',
  /** Writing generated output failed. */
  OUTPUT: 'OUTPUT',
} as const;

export type CodegenErrorCode = (typeof CodegenErrorCode)[keyof typeof CodegenErrorCode];

const BRAND = Symbol.for('tracklane.codegen.error');

/** Where an error points: a file, a JSON pointer inside it, and the rule that raised it. */
export interface ErrorLocation {
  file?: string;
  /** JSON pointer into the schema file, `''` for the whole document. */
  pointer?: string;
  /** Lint or check rule id, e.g. `event-additional-properties`. */
  rule?: string;
}

export class CodegenError extends TracklaneError<CodegenErrorCode> {
  readonly file: string | undefined;
  readonly pointer: string | undefined;
  readonly rule: string | undefined;
  /** Marks instances so {@link isCodegenError} works across realms and bundle copies. */
  readonly [BRAND] = true;

  constructor(code: CodegenErrorCode, message: string, location: ErrorLocation = {}, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'CodegenError';
    this.file = location.file;
    this.pointer = location.pointer;
    this.rule = location.rule;
  }

  /** `file#pointer: message [rule]`, the line printed by the CLI; `file` relative to `cwd` when given. */
  format(cwd?: string): string {
    const file = this.file === undefined || cwd === undefined ? this.file : relative(cwd, this.file) || '.';
    const where = file === undefined ? '' : `${file}${this.pointer ? `#${this.pointer}` : ''}: `;
    const rule = this.rule === undefined ? '' : ` [${this.rule}]`;
    return `${where}${this.message}${rule}`;
  }

  toJSON(): Record<string, string | undefined> {
    return { code: this.code, file: this.file, pointer: this.pointer, rule: this.rule, message: this.message };
  }
}

export function isCodegenError(value: unknown): value is CodegenError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
