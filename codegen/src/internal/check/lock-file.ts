import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { CodegenError, CodegenErrorCode } from '../../errors.js';
import type { LoadedSchema } from '../load/types.js';

/** `tracklane.lock.json`: the content hash of every published schema version, by Iglu URI. */
export interface LockFile {
  version: 1;
  schemas: Record<string, string>;
}

/** The rule id immutability errors carry. */
export const IMMUTABLE_RULE = 'immutable';

/**
 * `sha256-<hex>` of the schema's canonical JSON (keys sorted, no whitespace), so reformatting a
 * file is not a change but any change of meaning is.
 */
export function contentHash(schema: unknown): string {
  return `sha256-${createHash('sha256').update(canonicalJson(schema)).digest('hex')}`;
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function readLock(file: string): LockFile | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const lock = JSON.parse(readFileSync(file, 'utf8')) as LockFile;
    if (typeof lock.schemas !== 'object' || lock.schemas === null) throw new Error('"schemas" must be an object');
    return lock;
  } catch (cause) {
    throw new CodegenError(CodegenErrorCode.INVALID_CONFIG, `invalid lock file: ${(cause as Error).message}`, { file, pointer: '' }, { cause });
  }
}

/** Errors for every locked version whose content changed or which disappeared. */
export function verifyLock(lock: LockFile, schemas: readonly LoadedSchema[], lockFile: string): CodegenError[] {
  const byUri = new Map(schemas.map((s) => [s.uri, s]));
  const errors: CodegenError[] = [];
  for (const [uri, hash] of Object.entries(lock.schemas).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const schema = byUri.get(uri);
    if (!schema) {
      errors.push(new CodegenError(CodegenErrorCode.IMMUTABLE, `published version ${uri} was removed`, { file: lockFile, pointer: `/schemas/${uri.replace(/~/g, '~0').replace(/\//g, '~1')}`, rule: IMMUTABLE_RULE }));
    } else if (contentHash(schema.schema) !== hash) {
      errors.push(new CodegenError(CodegenErrorCode.IMMUTABLE, `published version ${uri} changed (locked ${hash.slice(0, 19)}…); publish a new version instead`, { file: schema.file, pointer: '', rule: IMMUTABLE_RULE }));
    }
  }
  return errors;
}

/** The lock with every current version added; existing entries are never rewritten. */
export function updatedLock(lock: LockFile | undefined, schemas: readonly LoadedSchema[]): LockFile {
  const entries: Record<string, string> = { ...(lock?.schemas ?? {}) };
  for (const s of schemas) entries[s.uri] ??= contentHash(s.schema);
  const sorted = Object.fromEntries(Object.entries(entries).sort(([a], [b]) => (a < b ? -1 : 1)));
  return { version: 1, schemas: sorted };
}
