import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { checkReport, type CheckResult, type Finding } from '../../check.js';
import { CodegenError, CodegenErrorCode } from '../../errors.js';
import { annotation } from '../gate/github-annotations.js';
import { realPath, workTreeRoot } from '../gate/git.js';
import { lineOfPointer } from '../gate/pointer-lines.js';

/** The output formats of `tracklane check --format`. */
export const CHECK_FORMATS = ['text', 'json', 'github'] as const;
export type CheckFormat = (typeof CHECK_FORMATS)[number];

export function assertCheckFormat(format: string): asserts format is CheckFormat {
  if (!(CHECK_FORMATS as readonly string[]).includes(format)) {
    throw new CodegenError(CodegenErrorCode.INVALID_CONFIG, `--format must be ${CHECK_FORMATS.slice(0, -1).join(', ')} or ${CHECK_FORMATS.at(-1)}, not ${format}`);
  }
}

/** The report of `tracklane check` in `format`; file paths relative to `cwd` (GitHub's: to the repository root). */
export function formatCheck(result: CheckResult, format: CheckFormat, cwd: string): string {
  if (format === 'json') return `${JSON.stringify(checkReport(result), null, 2)}\n`;
  const lines = format === 'github' ? githubLines(result.findings, cwd) : result.findings.map((f) => `${f.severity === 'error' ? 'error' : 'warn '} ${f.error.format(cwd)}`);
  return [...lines, ...baseLines(result), summary(result)].map((line) => `${line}\n`).join('');
}

function githubLines(findings: readonly Finding[], cwd: string): string[] {
  // Annotations name files from the repository root, wherever in it the check runs.
  let root = cwd;
  try {
    root = workTreeRoot(cwd);
  } catch {
    // not in a git work tree: paths stay relative to cwd
  }
  return findings.map(({ severity, error }) => {
    const file = error.file === undefined ? undefined : relative(root, realPath(error.file)).split('\\').join('/');
    const message = `${error.pointer ? `${error.pointer}: ` : ''}${error.message}`;
    return annotation(severity, message, { file, line: error.file === undefined ? undefined : lineIn(error.file, error.pointer ?? ''), title: error.rule });
  });
}

/** The line the pointer is on in the file; 1 for a file that is gone (a removed version) or unreadable. */
function lineIn(file: string, pointer: string): number {
  try {
    return lineOfPointer(readFileSync(file, 'utf8'), pointer);
  } catch {
    return 1;
  }
}

/** What `--base` found: one line for the published versions, one per new version with its classified step. */
function baseLines({ base }: CheckResult): string[] {
  if (base === undefined) return [];
  const head = `base ${base.ref} (${base.commit.slice(0, 12)}): ${base.unchanged} published versions unchanged, ${base.changed.length} changed, ${base.removed.length} removed, ${base.added.length} new`;
  const added = base.added.map((a) => {
    const step = a.from === undefined ? 'first version' : `${a.real} after ${shortVersion(a.from)}, declared ${a.declared}`;
    return `new  ${a.uri} (${step})`;
  });
  return [head, ...added];
}

/** `iglu:com.acme/signup/jsonschema/1-0-0` -> `1-0-0` */
const shortVersion = (uri: string): string => uri.slice(uri.lastIndexOf('/') + 1);

function summary(result: CheckResult): string {
  const errors = result.findings.filter((f) => f.severity === 'error').length;
  const warnings = result.findings.length - errors;
  return `tracklane check: ${result.schemas.length} schemas, ${result.steps.length} version steps, ${errors} errors, ${warnings} warnings${result.lockWritten ? `; updated ${result.lockWritten}` : ''}`;
}
