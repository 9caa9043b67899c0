import { contentHash } from '../check/lock-file.js';
import { collectPii } from '../emit/pii-rules.js';
import type { LoadedSchema } from '../load/types.js';

/** The registry format id; the collector checks it before loading. */
export const REGISTRY_FORMAT = 'tracklane-registry/1';

/** One schema version in `registry.json`. */
export interface RegistryEntry {
  vendor: string;
  name: string;
  format: string;
  version: string;
  kind: 'event' | 'entity' | null;
  owner: string | null;
  consent: string | null;
  deprecated: string | null;
  /** PII rules: JSON pointer into the data -> hash | redact | drop. */
  pii: Record<string, string>;
  /** Same content hash as tracklane.lock.json. */
  hash: string;
  /** The JSON Schema itself, to validate events against. */
  schema: unknown;
}

/** `registry.json`: every schema version by Iglu URI, sorted; no timestamps, so it is reproducible. */
export interface Registry {
  format: typeof REGISTRY_FORMAT;
  schemas: Record<string, RegistryEntry>;
}

export function buildRegistry(schemas: readonly LoadedSchema[], igluTypes: ReadonlyMap<string, string>): Registry {
  const entries = [...schemas].sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0)).map((s): [string, RegistryEntry] => [s.uri, {
    vendor: s.vendor,
    name: s.name,
    format: s.format,
    version: `${s.version.model}-${s.version.revision}-${s.version.addition}`,
    kind: s.meta.kind ?? null,
    owner: s.meta.owner ?? null,
    consent: s.meta.consent ?? null,
    deprecated: s.meta.deprecated ?? null,
    pii: Object.fromEntries(collectPii(s.schema, { root: s.schema, igluTypes })),
    hash: contentHash(s.schema),
    schema: s.schema,
  }]);
  return { format: REGISTRY_FORMAT, schemas: Object.fromEntries(entries) };
}
