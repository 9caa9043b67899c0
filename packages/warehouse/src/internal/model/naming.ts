import { createHash } from 'node:crypto';

/**
 * Table and column names, compatible with Snowplow's loaders: snake_case throughout, a table per
 * schema family and MODEL named `<vendor>_<name>_<model>` (`com.acme/signUp` 1-x-x ->
 * `com_acme_sign_up_1`). The rules are written down in the package README ("Naming").
 */

/** PostgreSQL's longest identifier, in bytes (NAMEDATALEN - 1): the server cuts a longer one silently. */
export const MAX_IDENTIFIER_BYTES = 63;

/** Hex digits of the SHA-256 of the whole name that end a shortened one. */
const HASH_DIGITS = 8;

/**
 * A name that fits in MAX_IDENTIFIER_BYTES: the name itself when it fits; else its first 54 bytes
 * (whole characters only: a multi-byte one that would straddle the cut is left out), `_`, and
 * the first 8 hex digits of the SHA-256 of the whole name (UTF-8). Deterministic, and two names
 * that share their first 63 bytes get two names. Applied on DuckDB too, which has no such limit:
 * one rule, so a query, a dashboard or the Parquet lake's names are the same on both targets.
 */
export function fitIdentifier(name: string): string {
  if (Buffer.byteLength(name, 'utf8') <= MAX_IDENTIFIER_BYTES) return name;
  const room = MAX_IDENTIFIER_BYTES - 1 - HASH_DIGITS;
  let head = '';
  let bytes = 0;
  for (const char of name) {
    bytes += Buffer.byteLength(char, 'utf8');
    if (bytes > room) break;
    head += char;
  }
  return `${head}_${createHash('sha256').update(name, 'utf8').digest('hex').slice(0, HASH_DIGITS)}`;
}

/**
 * Snowplow's snake_case (schema-ddl's `toSnakeCase`): a lower-case letter or digit followed by an
 * upper-case one gets an underscore between (`userId` -> `user_id`), as does an acronym followed by
 * a word (`HTTPCode` -> `http_code`); `.`, `-`, spaces and every other character that is not a
 * letter, a digit or `_` become `_`; all lower case.
 */
export function snakeCase(name: string): string {
  return name
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/([a-z\d])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9_]/g, '_')
    .toLowerCase();
}

/** `com.acme`, `sign_up`, 1 -> `com_acme_sign_up_1` (before fitIdentifier). */
export function familyTableName(vendor: string, name: string, model: number): string {
  return `${snakeCase(vendor)}_${snakeCase(name)}_${model}`;
}

/** Quotes an identifier for SQL: names come from schemas, so none is trusted to be a plain word. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A SQL string literal. */
export function quoteText(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
