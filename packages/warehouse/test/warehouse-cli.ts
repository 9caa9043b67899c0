import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CLI = path.join(ROOT, 'packages', 'warehouse', 'src', 'cli.ts');

export interface WarehouseProcess {
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  output(): string;
}

/**
 * Runs `tracklane-warehouse` from source in a child process (cwd the repo root, so tsx maps
 * `@tracklane/*` to sources); `env` is added to this process's; `launcher` is a command that execs
 * it (`nsenter ...`: in another mount namespace). @default no launcher
 */
export function spawnWarehouseCli(args: readonly string[], onOutput?: (output: string) => void, env: Record<string, string> = {}, launcher: readonly string[] = []): WarehouseProcess {
  const [command, ...rest] = [...launcher, process.execPath, '--import', 'tsx', CLI, ...args];
  const child = spawn(command!, rest, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let output = '';
  const collect = (text: string): void => {
    output += text;
    onOutput?.(output);
  };
  child.stdout.setEncoding('utf8').on('data', collect);
  child.stderr.setEncoding('utf8').on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

/** Resolves once the process's output matches; fails with the output when the process ends first or time runs out. */
export async function untilOutput(run: WarehouseProcess, wanted: RegExp | ((output: string) => boolean), what: string, timeoutMs = 60_000): Promise<void> {
  const matches = typeof wanted === 'function' ? wanted : (output: string): boolean => wanted.test(output);
  const deadline = Date.now() + timeoutMs;
  let ended = false;
  void run.exited.then(() => (ended = true));
  while (!matches(run.output())) {
    if (ended || Date.now() > deadline) throw new Error(`${what}: ${ended ? 'the loader ended' : 'timed out'}:\n${run.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs the CLI to completion; resolves with its exit code and output. */
export async function runWarehouseCli(args: readonly string[], env: Record<string, string> = {}, launcher: readonly string[] = []): Promise<{ code: number | null; output: string }> {
  const run = spawnWarehouseCli(args, undefined, env, launcher);
  const code = await run.exited;
  return { code, output: run.output() };
}

/**
 * Starts `tracklane-warehouse <args>` and kills it with SIGKILL `delayMs` after its `batches`-th
 * committed batch; `started` is told of the process (to kill it should the test fail first).
 */
export async function killLoadAfter(args: readonly string[], batches: number, delayMs: number, started?: (run: WarehouseProcess) => void): Promise<void> {
  let killed = false;
  const run = spawnWarehouseCli(args, (output) => {
    if (killed || (output.match(/^loaded /gm)?.length ?? 0) < batches) return;
    killed = true;
    setTimeout(() => run.child.kill('SIGKILL'), delayMs);
  });
  started?.(run);
  const code = await run.exited;
  expect(killed, `the load ended before it was killed:\n${run.output()}`).toBe(true);
  expect(code, run.output()).toBeNull();
}
