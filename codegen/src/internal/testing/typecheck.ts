import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FORMATS } from '@tracklane/schema';
import ts from 'typescript';

/** The runtime types generated code imports, exactly as @tracklane/core declares them. */
export const CORE_STUB = `declare module '@tracklane/core' {
  export interface SelfDescribing<T = Record<string, unknown>> { schema: string; data: T }
  export type PiiAction = 'hash' | 'redact' | 'drop';
  export type PiiRules = Readonly<Record<string, PiiAction>>;
  export interface EntityInput<T = Record<string, unknown>> extends SelfDescribing<T> { pii?: PiiRules }
  export interface TrackOptions {
    entities?: readonly EntityInput[];
    trueTimestamp?: Date | number | string;
    purpose?: string;
    pii?: PiiRules;
    user?: { anonymousId?: string; userId?: string; sessionId?: string; sessionIndex?: number };
  }
  export interface TrackerLike { track(event: SelfDescribing, options?: TrackOptions): string | undefined }
  export interface SchemaRules { purpose?: string; pii?: PiiRules }
  export type TrackingPlan = Readonly<Record<string, SchemaRules>>;
${Object.values(FORMATS).map(({ check, type }) => `  export function ${check}(value: ${type}): boolean;`).join('\n')}
  export function jsonEqual(a: unknown, b: unknown): boolean;
}
`;

/**
 * A fresh scratch directory in the system temp dir, or, with `local`, inside codegen/.tracklane-tmp
 * (ignored by git) so that imports such as 'vitest' resolve from files written there.
 */
export function scratchDir(prefix: string, local = false): string {
  const root = local ? join(import.meta.dirname, '../../../.tracklane-tmp') : join(tmpdir(), 'tracklane-codegen-tests');
  mkdirSync(root, { recursive: true });
  return mkdtempSync(join(root, `${prefix}-`));
}

/**
 * Type-checks files with `--strict` (plus the stub of @tracklane/core) and returns the
 * diagnostics as `file:line message` lines; empty means it compiles.
 */
export function typecheck(dir: string, files: Record<string, string>, options: ts.CompilerOptions = {}): string[] {
  const paths = Object.entries({ 'core-stub.d.ts': CORE_STUB, ...files }).map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  });
  const program = ts.createProgram(paths, {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler, lib: ['lib.es2022.d.ts'], types: [], skipLibCheck: true, ...options,
  });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? `${d.file.fileName.slice(dir.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1} ` : '';
    return `${where}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}
