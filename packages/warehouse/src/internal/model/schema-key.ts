/** An Iglu schema address, split: `iglu:<vendor>/<name>/<format>/<model>-<revision>-<addition>`. */
export interface SchemaKey {
  uri: string;
  vendor: string;
  name: string;
  format: string;
  /** `M-R-A` as written. */
  version: string;
  model: number;
  revision: number;
  addition: number;
}

const IGLU_URI = /^iglu:([^/]+)\/([^/]+)\/([^/]+)\/([1-9]\d*)-(0|[1-9]\d*)-(0|[1-9]\d*)$/;

/** URIs parsed so far: a load sees a handful of schemas millions of times. Cleared when full. */
const parsed = new Map<string, SchemaKey | undefined>();
const MAX_PARSED = 10_000;

/** The parts of an Iglu URI, or undefined when it is not one. */
export function parseSchemaUri(uri: string): SchemaKey | undefined {
  if (parsed.has(uri)) return parsed.get(uri);
  if (parsed.size >= MAX_PARSED) parsed.clear();
  const key = parseUncached(uri);
  parsed.set(uri, key);
  return key;
}

function parseUncached(uri: string): SchemaKey | undefined {
  const match = IGLU_URI.exec(uri);
  if (!match) return undefined;
  const [, vendor, name, format, model, revision, addition] = match as unknown as [string, string, string, string, string, string, string];
  return { uri, vendor, name, format, version: `${model}-${revision}-${addition}`, model: Number(model), revision: Number(revision), addition: Number(addition) };
}

/** Orders versions of one MODEL: 1-0-0 < 1-0-1 < 1-1-0. */
export function compareVersions(a: SchemaKey, b: SchemaKey): number {
  return a.model - b.model || a.revision - b.revision || a.addition - b.addition;
}

/** The family and MODEL a schema belongs to: `<vendor>/<name>/<format>/<model>`. */
export function modelKey(key: Pick<SchemaKey, 'vendor' | 'name' | 'format' | 'model'>): string {
  return `${key.vendor}/${key.name}/${key.format}/${key.model}`;
}
