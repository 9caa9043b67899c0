import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'packages', 'collector', 'src', 'cli.ts');

export interface CollectorProcess {
  child: ChildProcess;
  /** Base URL, from the collector's `collector listening` log line. */
  url: string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Everything written to stdout and stderr so far. */
  output(): string;
}

export interface SpawnOptions {
  /**
   * Most file descriptors the collector may open (`ulimit -n`, set by `sh` before it becomes the
   * collector with `exec`: the child's pid is the collector's).
   */
  maxOpenFiles?: number;
}

/** The command that runs the CLI from source, under `ulimit -n` when asked. */
function command(args: readonly string[], options: SpawnOptions): [string, string[]] {
  const node = [process.execPath, '--import', 'tsx', CLI, ...args];
  if (options.maxOpenFiles === undefined) return [node[0]!, node.slice(1)];
  return ['sh', ['-c', `ulimit -n ${options.maxOpenFiles} && exec "$0" "$@"`, ...node]];
}

/**
 * Runs `tracklane-collector` from source in a child process (`node --import tsx`, cwd the repo root
 * so tsx maps `@tracklane/*` to sources) and resolves once it listens.
 */
export function spawnCollectorCli(args: readonly string[], env: Record<string, string> = {}, options: SpawnOptions = {}): Promise<CollectorProcess> {
  const [file, argv] = command(args, options);
  const child = spawn(file, argv, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const onData = (text: string): void => {
      output += text;
      const url = /"msg":"collector listening","url":"([^"]+)"/.exec(output)?.[1];
      if (url) {
        child.stdout.off('data', onData);
        child.stdout.on('data', (more: string) => (output += more));
        resolve({ child, url, exited, output: () => output });
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', (text: string) => (output += text));
    void exited.then((code) => reject(new Error(`collector exited (${code}) before listening:\n${output}`)));
  });
}

/**
 * Runs the CLI to completion (e.g. `replay`); resolves with its exit code and output. `tty`: on a
 * pseudo-terminal (util-linux `script`), whose one output holds stdout and stderr both, in `stdout`.
 */
export function runCollectorCli(args: readonly string[], options: { tty?: boolean } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const node = [process.execPath, '--import', 'tsx', CLI, ...args];
  const quoted = node.map((arg) => `'${arg.replaceAll("'", `'\\''`)}'`).join(' ');
  const child = options.tty
    ? spawn('script', ['--quiet', '--return', '--command', quoted, '/dev/null'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(node[0]!, node.slice(1), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
