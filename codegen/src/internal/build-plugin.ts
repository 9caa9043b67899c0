import { relative, resolve, sep } from 'node:path';
import { loadConfig, type ResolvedConfig } from '../config.js';
import type { CodegenError } from '../errors.js';
import { isCodegenError } from '../errors.js';
import { generate } from '../generate.js';
import type { ValidatorMode } from './emit/emit-model.js';
import { walkIglu } from './load/walk.js';

/** Options of the Rollup and Vite plugins; unset ones come from `tracklane.config.json`. */
export interface TracklanePluginOptions {
  /** Directory the config file and relative paths are resolved from. @default process.cwd() */
  cwd?: string;
  /** Config file. @default "tracklane.config.json" when it exists */
  config?: string;
  /** Schema directories. @default config `schemas` */
  schemas?: string[];
  /** Output directory of the generated module. @default config `out` */
  out?: string;
  /** Validator mode. @default config `validators` */
  validators?: ValidatorMode;
}

/** Resolves options once, generates, and tells which files to watch. Shared by both plugins. */
export class TracklaneBuild {
  readonly config: ResolvedConfig;

  constructor(options: TracklanePluginOptions) {
    const cwd = options.cwd ?? process.cwd();
    this.config = loadConfig(cwd, options.config);
    if (options.schemas) this.config.schemas = options.schemas.map((d) => resolve(cwd, d));
    if (options.out) this.config.out = resolve(cwd, options.out);
    if (options.validators) this.config.validators = options.validators;
  }

  /** Generates (writing only when the output changed); returns the message of every error, or nothing. */
  run(): string | undefined {
    try {
      const { config } = this;
      generate({ schemas: config.schemas, out: config.out, validators: config.validators, naming: config.naming });
      return undefined;
    } catch (error) {
      if (!isCodegenError(error)) throw error;
      const all = (error as CodegenError & { errors?: CodegenError[] }).errors ?? [error];
      return `tracklane: ${all.length} schema error(s), nothing generated\n${all.map((e) => e.format()).join('\n')}`;
    }
  }

  /** Schema directories and files, for the bundler's watcher. */
  watchList(): string[] {
    return [...this.config.schemas, ...this.config.schemas.flatMap((dir) => {
      try {
        return walkIglu(dir).map((f) => f.file);
      } catch {
        return [];
      }
    })];
  }

  /** Whether a changed path is a schema (so the module must be regenerated). */
  isSchema(path: string): boolean {
    return this.config.schemas.some((dir) => {
      const rel = relative(dir, path);
      return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..';
    });
  }
}
