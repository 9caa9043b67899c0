/**
 * DuckDB column types the loader writes. Scalars map to their SQL types; an array of one scalar
 * type is a LIST of it; objects, arrays of objects and values of several types are JSON. JSON, not
 * STRUCT, for objects because an ADDITION may add a property inside one: a JSON column takes it
 * with no migration, where a STRUCT column would need its type changed (a table rewrite), and two
 * versions of a MODEL would not share a column. DuckDB's `->`/`->>` operators query JSON in place.
 */
export type ColumnType = ScalarType | `${ListItemType}[]` | 'JSON';

export type ScalarType = 'VARCHAR' | 'BIGINT' | 'DOUBLE' | 'BOOLEAN' | 'TIMESTAMPTZ' | 'DATE';

type ListItemType = 'VARCHAR' | 'BIGINT' | 'DOUBLE' | 'BOOLEAN';

type JsonSchema = Record<string, unknown>;

/** `x-pii` marks whose transformed value is a string whatever the declared type (a hash, `[redacted]`). */
const STRING_PII_MARKS = new Set(['hash', 'redact']);

/** A field trackers hash or redact: what arrives is a string (or, from an old tracker, the original value). */
export function isTransformedPii(schema: JsonSchema): boolean {
  return STRING_PII_MARKS.has(String(schema['x-pii']));
}

/** The column type of a property's schema. */
export function columnTypeOf(schema: JsonSchema): ColumnType {
  if (isTransformedPii(schema)) return 'VARCHAR';
  const types = typesOf(schema);
  if (types.length === 1) {
    const [type] = types;
    if (type === 'array') return listTypeOf(schema.items);
    if (type === 'object') return 'JSON';
    return scalarTypeOf(type!, schema.format);
  }
  // `number` takes every integer: one numeric column.
  if (types.length === 2 && types.includes('integer') && types.includes('number')) return 'DOUBLE';
  return 'JSON';
}

/** The non-null JSON types a schema allows: from `type`, else from the values of an `enum`. */
function typesOf(schema: JsonSchema): string[] {
  const type = schema.type;
  if (typeof type === 'string') return type === 'null' ? [] : [type];
  if (Array.isArray(type)) return [...new Set(type.filter((t): t is string => typeof t === 'string' && t !== 'null'))];
  if (Array.isArray(schema.enum)) {
    const kinds = new Set(schema.enum.filter((v) => v !== null).map((v) => (Number.isInteger(v) ? 'integer' : Array.isArray(v) ? 'array' : typeof v)));
    return [...kinds];
  }
  return [];
}

function scalarTypeOf(type: string, format: unknown): ColumnType {
  switch (type) {
    case 'string':
      return format === 'date-time' ? 'TIMESTAMPTZ' : format === 'date' ? 'DATE' : 'VARCHAR';
    case 'integer':
      return 'BIGINT';
    case 'number':
      return 'DOUBLE';
    case 'boolean':
      return 'BOOLEAN';
    default:
      return 'JSON';
  }
}

/** A LIST when every item is one scalar type (formats ignored: a date list stays text); else JSON. */
function listTypeOf(items: unknown): ColumnType {
  if (typeof items !== 'object' || items === null || Array.isArray(items)) return 'JSON';
  const item = items as JsonSchema;
  if (isTransformedPii(item)) return 'VARCHAR[]';
  const types = typesOf(item);
  if (types.length !== 1) return 'JSON';
  switch (types[0]) {
    case 'string':
      return 'VARCHAR[]';
    case 'integer':
      return 'BIGINT[]';
    case 'number':
      return 'DOUBLE[]';
    case 'boolean':
      return 'BOOLEAN[]';
    default:
      return 'JSON';
  }
}
