import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { check } from '../../check.js';
import { assertMode, loadConfig, type ResolvedConfig } from '../../config.js';
import { buildDocs } from '../../docs.js';
import { isCodegenError, type CodegenError } from '../../errors.js';
import { generate } from '../../generate.js';
import { watchDirs } from '../watch.js';
import { assertCheckFormat, formatCheck } from './check-output.js';
import { USAGE } from './usage.js';

/** Where the CLI reads and writes; tests pass their own. */
export interface CliIo {
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Resolves when watch mode should stop (tests); the real CLI watches until killed. */
  stopWatching?: Promise<void>;
}

const FLAGS = {
  schemas: { type: 'string', multiple: true },
  out: { type: 'string' },
  validators: { type: 'string' },
  watch: { type: 'boolean' },
  lock: { type: 'string' },
  'update-lock': { type: 'boolean' },
  format: { type: 'string' },
  base: { type: 'string' },
  config: { type: 'string' },
  help: { type: 'boolean' },
} as const;

/** Runs one `tracklane` command and returns the exit code: 0 ok, 1 errors found, 2 usage error. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: FLAGS, allowPositionals: true, strict: true });
  } catch (error) {
    io.stderr(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || command === undefined) {
    (values.help ? io.stdout : io.stderr)(USAGE);
    return values.help ? 0 : 2;
  }
  try {
    const config = loadConfig(io.cwd, values.config);
    if (values.schemas) config.schemas = values.schemas.map((d) => resolve(io.cwd, d));
    if (values.validators !== undefined) {
      assertMode(values.validators);
      config.validators = values.validators;
    }
    if (values.lock !== undefined) config.lock = resolve(io.cwd, values.lock);
    const out = values.out === undefined ? undefined : resolve(io.cwd, values.out);
    switch (command) {
      case 'generate':
        return await runGenerate({ ...config, out: out ?? config.out }, Boolean(values.watch), io);
      case 'check':
        return runCheck(config, values.format ?? 'text', { updateLock: Boolean(values['update-lock']), base: values.base }, io);
      case 'docs': {
        const docs = buildDocs({ schemas: config.schemas, out: out ?? config.docsOut, naming: config.naming });
        io.stdout(`tracklane docs: ${docs.pages} pages and registry.json in ${docs.out}\n`);
        return 0;
      }
      default:
        io.stderr(`unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    printErrors(error, io);
    return 1;
  }
}

function runGenerateOnce(config: ResolvedConfig, io: CliIo): number {
  const started = performance.now();
  const result = generate({ schemas: config.schemas, out: config.out, validators: config.validators, naming: config.naming });
  const ms = Math.round(performance.now() - started);
  const skipped = result.load.skipped.length > 0 ? `, ${result.load.skipped.length} non-jsonschema files skipped` : '';
  io.stdout(`tracklane generate: ${result.load.schemas.length} schemas, ${result.models.length} types${skipped} -> ${result.written ?? `${config.out} (unchanged)`} in ${ms} ms\n`);
  return 0;
}

async function runGenerate(config: ResolvedConfig, watch: boolean, io: CliIo): Promise<number> {
  const code = runGenerateOnce(config, io);
  if (!watch) return code;
  io.stdout(`watching ${config.schemas.join(', ')}\n`);
  const stop = watchDirs(config.schemas, () => {
    try {
      runGenerateOnce(config, io);
    } catch (error) {
      printErrors(error, io); // keep watching: the next save may fix it
    }
  });
  await (io.stopWatching ?? new Promise<void>(() => {}));
  stop();
  return code;
}

function runCheck(config: ResolvedConfig, format: string, options: { updateLock: boolean; base?: string }, io: CliIo): number {
  assertCheckFormat(format);
  const result = check({ schemas: config.schemas, lock: config.lock, lint: config.lint, updateLock: options.updateLock, base: options.base });
  io.stdout(formatCheck(result, format, io.cwd));
  return result.ok ? 0 : 1;
}

function printErrors(error: unknown, io: CliIo): void {
  if (!isCodegenError(error)) {
    io.stderr(`tracklane: ${(error as Error).stack ?? String(error)}\n`);
    return;
  }
  const all = (error as CodegenError & { errors?: CodegenError[] }).errors ?? [error];
  for (const e of all) io.stderr(`error ${e.format(io.cwd)}\n`);
  io.stderr(`tracklane: ${all.length} error${all.length === 1 ? '' : 's'}, nothing written\n`);
}
