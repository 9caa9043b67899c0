import type { LoadedSchema } from '../load/types.js';
import { compareSchemaVer } from '../schemaver.js';

/** All versions of one schema (`vendor/name`), oldest first, and where its page is. */
export interface SchemaFamily {
  vendor: string;
  name: string;
  /** The generated type name of the latest model. */
  typeName: string;
  versions: LoadedSchema[];
  /** Page path relative to the catalog root. */
  href: string;
}

export function schemaFamilies(schemas: readonly LoadedSchema[], typeNameOf: (s: LoadedSchema) => string): SchemaFamily[] {
  const byName = new Map<string, LoadedSchema[]>();
  for (const s of schemas) byName.set(`${s.vendor}/${s.name}`, [...(byName.get(`${s.vendor}/${s.name}`) ?? []), s]);
  return [...byName.keys()].sort().map((key) => {
    const versions = byName.get(key)!.sort((a, b) => compareSchemaVer(a.version, b.version));
    const latest = versions[versions.length - 1]!;
    return { vendor: latest.vendor, name: latest.name, typeName: typeNameOf(latest), versions, href: `schemas/${encodeURIComponent(latest.vendor)}/${encodeURIComponent(latest.name)}.html` };
  });
}
