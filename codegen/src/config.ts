import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CodegenError, CodegenErrorCode } from './errors.js';
import type { ValidatorMode } from './internal/emit/emit-model.js';
import type { LintConfig } from './internal/check/lint-rules.js';

/** `tracklane.config.json`. Paths are relative to the file. Flags given on the command line win. */
export interface TracklaneConfig {
  /** Schema directories in the Iglu layout. @default ["schemas"] */
  schemas?: string[];
  /** Output directory of `tracklane generate`. @default "src/tracking" */
  out?: string;
  /** Validator mode of generated code. @default "off" */
  validators?: ValidatorMode;
  /** Type names by `vendor/name`, replacing the derived ones. @default {} */
  naming?: Record<string, string>;
  /** Lint rule levels and settings of `tracklane check`. @default each rule at its DEFAULT_LEVELS level */
  lint?: LintConfig;
  /** Lock file of published versions' content hashes. @default "tracklane.lock.json" */
  lock?: string;
  /** Output directory of `tracklane docs`. @default "tracklane-docs" */
  docsOut?: string;
}

/** The config with every default applied and every path absolute. */
export interface ResolvedConfig {
  schemas: string[];
  out: string;
  validators: ValidatorMode;
  naming: Record<string, string>;
  lint: LintConfig;
  lock: string;
  docsOut: string;
}

export const CONFIG_FILE = 'tracklane.config.json';
const MODES = new Set(['off', 'dev', 'always']);

/** Reads `tracklane.config.json` (from `file`, or `cwd` when it exists there) and applies the defaults. */
export function loadConfig(cwd: string, file?: string): ResolvedConfig {
  const path = resolve(cwd, file ?? CONFIG_FILE);
  let raw: TracklaneConfig = {};
  if (existsSync(path)) {
    try {
      raw = JSON.parse(readFileSync(path, 'utf8')) as TracklaneConfig;
    } catch (cause) {
      throw new CodegenError(CodegenErrorCode.INVALID_CONFIG, `invalid JSON: ${(cause as Error).message}`, { file: path }, { cause });
    }
  } else if (file !== undefined) {
    throw new CodegenError(CodegenErrorCode.INVALID_CONFIG, 'config file not found', { file: path });
  }
  const base = existsSync(path) ? dirname(path) : cwd;
  const config: ResolvedConfig = {
    schemas: (raw.schemas ?? ['schemas']).map((d) => resolve(base, d)),
    out: resolve(base, raw.out ?? 'src/tracking'),
    validators: raw.validators ?? 'off',
    naming: raw.naming ?? {},
    lint: raw.lint ?? {},
    lock: resolve(base, raw.lock ?? 'tracklane.lock.json'),
    docsOut: resolve(base, raw.docsOut ?? 'tracklane-docs'),
  };
  assertMode(config.validators, path);
  return config;
}

export function assertMode(mode: string, file?: string): asserts mode is ValidatorMode {
  if (!MODES.has(mode)) {
    throw new CodegenError(CodegenErrorCode.INVALID_CONFIG, `validators must be off, dev or always, not ${JSON.stringify(mode)}`, { file, pointer: '/validators' });
  }
}
