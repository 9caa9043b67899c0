// The PostgreSQL server the warehouse benchmarks use: TRACKLANE_POSTGRES_URL, else
// test/postgres/start.sh's (which starts it when it is not running); databases made and dropped on it.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from './common.mjs';

/** pg is the warehouse package's dependency: resolved from there. */
export const pg = createRequire(join(repoRoot, 'packages/warehouse/package.json'))('pg');

/** The server's URL (its default database). */
export function postgresServer() {
  return process.env.TRACKLANE_POSTGRES_URL ?? execFileSync('bash', [join(repoRoot, 'test/postgres/start.sh')], { encoding: 'utf8' }).trim().split('\n').at(-1);
}

/** Runs one statement on `url` in a connection of its own; its rows. */
export async function query(url, sql, values) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** The URL of database `name` on the server at `server`. */
export const databaseUrl = (server, name) => Object.assign(new URL(server), { pathname: `/${name}` }).toString();

/** Creates the databases `names` on `server`, runs `work` with their URLs, then drops them (also on failure). */
export async function withDatabases(server, names, work) {
  try {
    for (const name of names) await query(server, `CREATE DATABASE ${name}`);
    return await work(names.map((name) => databaseUrl(server, name)));
  } finally {
    for (const name of names) await query(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
  }
}
