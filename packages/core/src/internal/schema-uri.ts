/** A parsed Iglu schema URI: `iglu:<vendor>/<name>/<format>/<model>-<revision>-<addition>`. */
export interface SchemaKey {
  vendor: string;
  name: string;
  format: string;
  version: string;
}

const SCHEMA_URI = /^iglu:([a-zA-Z0-9_.-]+)\/([a-zA-Z0-9_.-]+)\/([a-zA-Z0-9_.-]+)\/([1-9][0-9]*-(?:0|[1-9][0-9]*)-(?:0|[1-9][0-9]*))$/;

/** Parses an Iglu schema URI; returns `undefined` when it is malformed. */
export function parseSchemaUri(uri: string): SchemaKey | undefined {
  const m = SCHEMA_URI.exec(uri);
  if (!m) return undefined;
  return { vendor: m[1]!, name: m[2]!, format: m[3]!, version: m[4]! };
}

const known = new Set<string>();

/**
 * True when `uri` is a well-formed Iglu schema URI. Results are memoised because a tracker sees the
 * same few schemas millions of times.
 */
export function isSchemaUri(uri: unknown): uri is string {
  if (typeof uri !== 'string') return false;
  if (known.has(uri)) return true;
  if (!SCHEMA_URI.test(uri)) return false;
  if (known.size < 10_000) known.add(uri);
  return true;
}
