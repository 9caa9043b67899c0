import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CodegenError, CodegenErrorCode } from './errors.js';
import { emitModule, type EmitResult } from './internal/emit/emit-module.js';
import type { ValidatorMode } from './internal/emit/emit-model.js';
import { loadSchemas, type LoadResult } from './internal/load/load-schemas.js';
import type { NamingOverrides } from './internal/naming/assign-names.js';
import { moduleValidation } from './internal/validate/validation-emitter.js';

/** Options of {@link generate}; the CLI and the build plugins resolve them from flags and `tracklane.config.json`. */
export interface GenerateOptions {
  /** Schema directories in the Iglu layout. */
  schemas: readonly string[];
  /** Directory the generated `index.ts` is written to; nothing is written when absent. */
  out?: string;
  /**
   * Precompiled validators: `off` (none), `dev` (run when not in production, report, still send),
   * `always` (run on every call, report, do not send invalid events).
   * @default 'off'
   */
  validators?: ValidatorMode;
  /** Type names by `vendor/name`, replacing the derived ones. @default {} */
  naming?: NamingOverrides;
}

export interface GenerateResult extends EmitResult {
  load: LoadResult;
  /** The file written, when `out` was given and the content changed. */
  written?: string;
}

/** Name of the generated module inside `out`. */
export const OUTPUT_FILE = 'index.ts';

/**
 * Loads the schemas and emits the module. Throws the first {@link CodegenError} (all are on
 * `error.cause`'s list) when any schema is broken, before anything is written.
 */
export function generate(options: GenerateOptions): GenerateResult {
  const load = loadSchemas(options.schemas);
  if (load.errors.length > 0) throw aggregate(load.errors);
  const emitted = emitModule(load.schemas, { validators: options.validators, naming: options.naming, validation: moduleValidation });
  const result: GenerateResult = { ...emitted, load };
  if (options.out !== undefined) {
    const target = join(options.out, OUTPUT_FILE);
    if (writeIfChanged(target, emitted.code)) result.written = target;
  }
  return result;
}

/** Writes through a temporary file and a rename, and not at all when the bytes are the same (watch mode relies on it). */
export function writeIfChanged(file: string, content: string): boolean {
  try {
    if (readFileSync(file, 'utf8') === content) return false;
  } catch {
    // not there yet
  }
  try {
    mkdirSync(dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, content);
    renameSync(temp, file);
  } catch (cause) {
    throw new CodegenError(CodegenErrorCode.OUTPUT, `cannot write ${file}: ${(cause as Error).message}`, { file }, { cause });
  }
  return true;
}

/** One error that carries every error found, so callers can print them all. */
export function aggregate(errors: CodegenError[]): CodegenError & { errors: CodegenError[] } {
  const first = errors[0]!;
  const error = new CodegenError(first.code, errors.length === 1 ? first.message : `${first.message} (and ${errors.length - 1} more errors)`, first) as CodegenError & { errors: CodegenError[] };
  error.errors = errors;
  return error;
}
