// A real PostgreSQL server for the warehouse tests: the one of test/postgres/start.sh (started here
// unless running, e.g. by .ci/run), or TRACKLANE_POSTGRES_URL's; a fresh database per test file.
import { execFile } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const scripts = path.join(repo, 'test/postgres');
const stateDir = process.env.TRACKLANE_POSTGRES_DIR ?? path.join(scripts, 'run');

export interface PostgresServer {
  /** The server's URL (its `postgres` database). */
  readonly url: string;
  /** A database name no test has used: `<prefix>_<pid>_<n>`. */
  freshName(prefix: string): string;
  /** The URL of a database (which may not exist yet). */
  urlOf(database: string): string;
  /** Creates an empty database and returns its URL; dropped by `release`. */
  createDatabase(name: string): Promise<string>;
  /** Drops the databases made here; the server stays running for the next file (.ci/run stops it). */
  release(): Promise<void>;
}

function running(): boolean {
  const pidFile = path.join(stateDir, 'server.pid');
  if (!existsSync(pidFile)) return false;
  try {
    process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 0);
    return true;
  } catch (error) {
    // EPERM: alive, run by the server user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function startServer(): Promise<string> {
  const owned = !running();
  const started = performance.now();
  const env = { ...process.env, TRACKLANE_POSTGRES_DIR: stateDir, ...(owned ? { TRACKLANE_POSTGRES_OWNER_PID: String(process.pid) } : {}) };
  const { stdout } = await run('bash', [path.join(scripts, 'start.sh')], { env, timeout: 120_000 });
  const url = stdout.trim().split('\n').at(-1) ?? '';
  if (!/^postgres:\/\/[^@]+@127\.0\.0\.1:\d+\//.test(url)) throw new Error(`test/postgres/start.sh printed ${JSON.stringify(url)}`);
  console.log(`[postgres] ${url} ${owned ? 'started' : 'already running'} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return url;
}

/** Runs `sql` on the database of `url` (a connection per call: tests hold none while the loader runs). */
export async function pgQuery<T extends Record<string, unknown> = Record<string, unknown>>(url: string, sql: string, values?: unknown[]): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SET TimeZone = 'UTC'");
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

export async function usePostgres(): Promise<PostgresServer> {
  const url = process.env.TRACKLANE_POSTGRES_URL ?? (await startServer());
  const made: string[] = [];
  let counter = 0;
  const urlOf = (database: string): string => {
    const parsed = new URL(url);
    parsed.pathname = `/${database}`;
    return parsed.toString();
  };
  return {
    url,
    urlOf,
    freshName: (prefix) => `${prefix}_${process.pid}_${++counter}_${Date.now().toString(36)}`,
    createDatabase: async (name) => {
      await pgQuery(url, `CREATE DATABASE "${name}"`);
      made.push(name);
      return urlOf(name);
    },
    release: async () => {
      for (const name of made) await pgQuery(url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
    },
  };
}

/**
 * The server for the tests of the calling file: started (or found) before them, its databases
 * dropped after them. Returns the server as a function, as it exists only once they run.
 */
export function postgresForThisFile(): () => PostgresServer {
  let server: PostgresServer | undefined;
  beforeAll(async () => {
    server = await usePostgres();
  }, 120_000);
  afterAll(() => server?.release());
  return () => {
    if (server === undefined) throw new Error('the PostgreSQL server is there only while the tests of the file run');
    return server;
  };
}
