import { sha256Hex } from './sha256.js';

/** What to do with a property marked `x-pii` in its schema, before the event is stored. */
export type PiiAction = 'hash' | 'redact' | 'drop';

/**
 * PII marks of one schema, keyed by JSON pointer into the event data (`/email`, `/address/street`).
 * An array is addressed with `*`, e.g. `/contacts/*​/email`. Generated track functions pass these.
 */
export type PiiRules = Readonly<Record<string, PiiAction>>;

/** The value that replaces a redacted property. */
export const REDACTED = '[redacted]';

/**
 * Returns a copy of `data` with every marked property transformed; the input is never mutated.
 * `allowClear` lists pointers the app has opted in to send in clear.
 */
export function applyPii(
  data: Record<string, unknown>,
  rules: PiiRules,
  allowClear: ReadonlySet<string> = new Set(),
): Record<string, unknown> {
  let out = data;
  for (const pointer in rules) {
    if (allowClear.has(pointer)) continue;
    const path = pointer.split('/').slice(1).map(unescapePointerToken);
    out = transformAt(out, path, rules[pointer]!) as Record<string, unknown>;
  }
  return out;
}

function unescapePointerToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function transformAt(node: unknown, path: readonly string[], action: PiiAction): unknown {
  if (path.length === 0 || node === null || typeof node !== 'object') return node;
  const [head, ...rest] = path as [string, ...string[]];
  if (Array.isArray(node)) {
    if (head !== '*') return node;
    return node.map((item) => (rest.length === 0 ? applyAction(item, action) : transformAt(item, rest, action)));
  }
  const record = node as Record<string, unknown>;
  if (!Object.hasOwn(record, head)) return node;
  const copy: Record<string, unknown> = { ...record };
  if (rest.length > 0) {
    copy[head] = transformAt(record[head], rest, action);
  } else if (action === 'drop') {
    delete copy[head];
  } else {
    copy[head] = applyAction(record[head], action);
  }
  return copy;
}

function applyAction(value: unknown, action: PiiAction): unknown {
  if (value === null || value === undefined) return value;
  switch (action) {
    case 'hash':
      return sha256Hex(typeof value === 'string' ? value : JSON.stringify(value));
    case 'redact':
      return REDACTED;
    case 'drop':
      return undefined;
  }
}
