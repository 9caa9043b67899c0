import { pascalCase, RESERVED_TYPE_NAMES, upperSnakeCase } from './identifiers.js';
import type { SchemaModel } from './group-models.js';

/** The identifiers generated for one schema model. */
export interface ModelNames {
  /** Data type, e.g. `Signup`. */
  readonly type: string;
  /** `trackSignup` */
  readonly track: string;
  /** `createSignupEntity` */
  readonly entity: string;
  /** `SIGNUP_PII` */
  readonly pii: string;
  /** `validateSignup` */
  readonly validate: string;
  /** `SIGNUP_SCHEMA`, the Iglu URI constant */
  readonly uri: string;
  /** `SIGNUP_OPTIONS`, the track options the schema fixes (consent purpose, PII rules) */
  readonly options: string;
}

/** Naming overrides from the config: `"vendor/name"` to the type name to use instead of the derived one. */
export type NamingOverrides = Readonly<Record<string, string>>;

/**
 * Names every model deterministically (models arrive sorted by `groupModels`):
 * 1. the base is the PascalCase schema name, or its override;
 * 2. a base used by two vendors (or reserved) gets a vendor prefix, as few vendor segments as make it unique;
 * 3. the latest MODEL of a schema gets the base, older models a `V<model>` suffix;
 * 4. any remaining clash gets a numeric suffix, in sorted order.
 */
export function assignNames(models: readonly SchemaModel[], overrides: NamingOverrides = {}): Map<SchemaModel, ModelNames> {
  const base = new Map<string, string>();
  const vendorsByBase = new Map<string, Set<string>>();
  for (const m of models) {
    const key = `${m.vendor}/${m.name}`;
    const name = overrides[key] ?? pascalCase(m.name);
    base.set(key, name);
    const vendors = vendorsByBase.get(name) ?? new Set<string>();
    vendors.add(m.vendor);
    vendorsByBase.set(name, vendors);
  }
  const prefixed = new Map<string, string>();
  for (const [key, name] of base) {
    const vendor = key.slice(0, key.indexOf('/'));
    const vendors = vendorsByBase.get(name)!;
    if (key in overrides) prefixed.set(key, name);
    else if (vendors.size > 1 || RESERVED_TYPE_NAMES.has(name)) prefixed.set(key, vendorPrefix(vendor, [...vendors]) + name);
    else prefixed.set(key, name);
  }
  const latestModel = new Map<string, number>();
  for (const m of models) {
    const key = `${m.vendor}/${m.name}`;
    latestModel.set(key, Math.max(latestModel.get(key) ?? 0, m.model));
  }
  const used = new Set<string>(RESERVED_TYPE_NAMES);
  const usedSnake = new Set<string>();
  const taken = (t: string): boolean => used.has(t) || usedSnake.has(upperSnakeCase(t));
  const names = new Map<SchemaModel, ModelNames>();
  // Latest models first, so a plain name is never taken by another schema's suffixed one.
  const ordered = [...models].sort((a, b) => Number(isOld(a, latestModel)) - Number(isOld(b, latestModel)));
  for (const m of ordered) {
    const key = `${m.vendor}/${m.name}`;
    let type = prefixed.get(key)! + (isOld(m, latestModel) ? `V${m.model}` : '');
    if (taken(type)) {
      let n = 2;
      while (taken(`${type}${n}`)) n++;
      type = `${type}${n}`;
    }
    used.add(type);
    const snake = upperSnakeCase(type);
    usedSnake.add(snake);
    names.set(m, { type, track: `track${type}`, entity: `create${type}Entity`, pii: `${snake}_PII`, validate: `validate${type}`, uri: `${snake}_SCHEMA`, options: `${snake}_OPTIONS` });
  }
  return names;
}

function isOld(m: SchemaModel, latest: Map<string, number>): boolean {
  return latest.get(`${m.vendor}/${m.name}`) !== m.model;
}

/** The fewest trailing vendor segments that tell `vendor` apart from the others: `com.acme` vs `io.acme` -> `ComAcme`, `IoAcme`. */
function vendorPrefix(vendor: string, vendors: string[]): string {
  const parts = vendor.split('.');
  const others = vendors.filter((v) => v !== vendor).map((v) => v.split('.'));
  for (let k = 1; k <= parts.length; k++) {
    const tail = parts.slice(-k).join('.');
    if (others.every((o) => o.slice(-k).join('.') !== tail)) return pascalCase(tail);
  }
  return pascalCase(vendor);
}
