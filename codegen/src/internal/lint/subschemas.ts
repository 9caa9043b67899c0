/** A JSON pointer segment: `~` and `/` escaped (RFC 6901). */
export function pointerSegment(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Where a subschema sits, for rules that depend on it. */
export interface SubschemaPlace {
  /** JSON pointer of the subschema in the schema file, `''` for the root. */
  pointer: string;
  /** The schema document itself (not a property, item or branch of it). */
  root: boolean;
  /** Set when the subschema is a declared property: its name and whether its object requires it. */
  property?: { name: string; required: boolean };
}

export type SubschemaVisitor = (node: Record<string, unknown>, place: SubschemaPlace) => void;

/** Draft-04 keywords whose value is one subschema. */
const ONE = ['additionalItems', 'additionalProperties', 'not'];
/** Draft-04 keywords whose value maps names to subschemas (`dependencies` may also hold name lists). */
const MAP = ['properties', 'patternProperties', 'definitions', 'dependencies'];
/** Draft-04 keywords whose value is a list of subschemas (`items` may also be one subschema). */
const LIST = ['allOf', 'anyOf', 'oneOf'];

/** A JSON object (not an array, not null). */
export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Visits the document and every subschema below it, depth first, in key order. Data keywords
 * (`enum`, `default`, `x-*`...) are never entered, and a value of the wrong shape is skipped, so
 * the rules also run on schemas the meta-schema check rejected.
 */
export function eachSubschema(document: Record<string, unknown>, visit: SubschemaVisitor): void {
  const walk = (node: Record<string, unknown>, place: SubschemaPlace): void => {
    visit(node, place);
    const at = (...keys: (string | number)[]): string => place.pointer + keys.map((k) => `/${pointerSegment(k)}`).join('');
    const required = Array.isArray(node['required']) ? new Set(node['required']) : new Set<unknown>();
    for (const key of ONE) {
      const sub = node[key];
      if (isRecord(sub)) walk(sub, { pointer: at(key), root: false });
    }
    const items = node['items'];
    if (isRecord(items)) walk(items, { pointer: at('items'), root: false });
    else if (Array.isArray(items)) items.forEach((sub, i) => isRecord(sub) && walk(sub, { pointer: at('items', i), root: false }));
    for (const key of LIST) {
      const list = node[key];
      if (Array.isArray(list)) list.forEach((sub, i) => isRecord(sub) && walk(sub, { pointer: at(key, i), root: false }));
    }
    for (const key of MAP) {
      const map = node[key];
      if (!isRecord(map)) continue;
      for (const [name, sub] of Object.entries(map)) {
        if (!isRecord(sub)) continue;
        const property = key === 'properties' ? { name, required: required.has(name) } : undefined;
        walk(sub, { pointer: at(key, name), root: false, ...(property && { property }) });
      }
    }
  };
  walk(document, { pointer: '', root: true });
}
