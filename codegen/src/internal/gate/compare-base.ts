import { existsSync, readFileSync } from 'node:fs';
import { CodegenError, CodegenErrorCode } from '../../errors.js';
import type { VersionStep } from '../check/check-versions.js';
import { IMMUTABLE_RULE } from '../check/lock-file.js';
import type { LoadedSchema } from '../load/types.js';
import type { ChangeKind } from '../schemaver.js';
import type { BaseSchemas } from './base-schemas.js';
import { firstDifference } from './first-difference.js';

/** A version the working tree adds, with the change from the version before it. */
export interface AddedVersion {
  uri: string;
  file: string;
  /** The version before it (at the base or also new), if any. */
  from?: string;
  declared?: ChangeKind;
  real?: ChangeKind;
}

/** What changed between the base commit and the working tree, by Iglu URI. */
export interface BaseComparison {
  ref: string;
  commit: string;
  added: AddedVersion[];
  changed: string[];
  removed: string[];
  unchanged: number;
  errors: CodegenError[];
}

/**
 * The pull-request gate: every version published at the base is still in the working tree with
 * the same content (`immutable`: changed or removed is an error). New versions are listed with
 * the classified step from the version before them; a bump smaller than the change is already
 * `checkVersions`' `schemaver` error.
 */
export function compareWithBase(base: BaseSchemas, head: readonly LoadedSchema[], steps: readonly VersionStep[]): BaseComparison {
  const published = new Map(base.schemas.map((s) => [s.uri, s]));
  const current = new Map(head.map((s) => [s.uri, s]));
  const result: BaseComparison = { ref: base.ref, commit: base.commit, added: [], changed: [], removed: [], unchanged: 0, errors: [] };
  const fail = (message: string, file: string, pointer: string): void =>
    void result.errors.push(new CodegenError(CodegenErrorCode.IMMUTABLE, message, { file, pointer, rule: IMMUTABLE_RULE }));
  for (const [uri, before] of [...published].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const loaded = current.get(uri);
    // A file that no longer loads is still there: compare what it holds (its load errors are reported anyway).
    const after = loaded === undefined ? workTreeDocument(before.file) : { file: loaded.file, document: loaded.schema as unknown };
    if (after === undefined) {
      result.removed.push(uri);
      fail(`published version ${uri} (at ${base.ref}) was removed: events of that version would be refused`, before.file, '');
      continue;
    }
    const pointer = firstDifference(before.schema, after.document);
    if (pointer === undefined) {
      result.unchanged++;
      continue;
    }
    result.changed.push(uri);
    fail(`published version ${uri} changed since ${base.ref} (first at ${pointer || '/'}); publish a new version instead`, after.file, pointer);
  }
  for (const schema of [...head].sort((a, b) => (a.uri < b.uri ? -1 : 1))) {
    if (published.has(schema.uri)) continue;
    const step = steps.find((s) => s.to.uri === schema.uri);
    result.added.push({ uri: schema.uri, file: schema.file, ...(step && { from: step.from.uri, declared: step.declared, real: step.real }) });
  }
  return result;
}

/** The file's JSON (its text when it is not JSON), or `undefined` when there is no such file. */
function workTreeDocument(file: string): { file: string; document: unknown } | undefined {
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  try {
    return { file, document: JSON.parse(text) as unknown };
  } catch {
    return { file, document: text };
  }
}
