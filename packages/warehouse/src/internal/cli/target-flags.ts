import { redactPostgresUrl } from '../target/postgres-url.js';

/** The target a command line names: a DuckDB file, or a PostgreSQL database. */
export type TargetFlags = { kind: 'duckdb'; file: string } | { kind: 'postgres'; url: string };

/** The environment variable that gives the PostgreSQL URL when no target flag does (it keeps the password off the command line). */
export const POSTGRES_URL_ENV = 'TRACKLANE_WAREHOUSE_POSTGRES_URL';

/** The target options for parseArgs. */
export const TARGET_FLAG_OPTIONS = {
  duckdb: { type: 'string' },
  postgres: { type: 'string' },
} as const;

export const TARGET_USAGE = `  PostgreSQL instead of --duckdb: --postgres <postgres://user:password@host:port/database>, or ${POSTGRES_URL_ENV}
      (load, status, backfill, reprocess, sessions). Passwords are never shown: messages print the URL with *** in their place.`;

/**
 * The target of `command`: `--duckdb <file>` or `--postgres <url>`, else the URL in
 * TRACKLANE_WAREHOUSE_POSTGRES_URL; `fail` makes the error (INVALID_CONFIG with the usage).
 */
export function targetFlags(command: string, values: Record<string, string | boolean | undefined>, env: Readonly<Record<string, string | undefined>>, fail: (message: string) => Error): TargetFlags {
  const duckdb = values.duckdb as string | undefined;
  const postgres = values.postgres as string | undefined;
  if (duckdb !== undefined && postgres !== undefined) throw fail(`${command} takes --duckdb or --postgres, not both`);
  if (duckdb !== undefined) {
    if (duckdb === '') throw fail(`${command} needs --duckdb <file> or --postgres <url>`);
    return { kind: 'duckdb', file: duckdb };
  }
  const url = postgres ?? (env[POSTGRES_URL_ENV] || undefined);
  if (url === undefined || url === '') throw fail(`${command} needs --duckdb <file> or --postgres <url> (or ${POSTGRES_URL_ENV})`);
  if (!/^postgres(ql)?:\/\//.test(url)) throw fail(`${postgres !== undefined ? '--postgres' : POSTGRES_URL_ENV} must be a postgres:// URL, not ${JSON.stringify(redactPostgresUrl(url))}`);
  return { kind: 'postgres', url };
}
