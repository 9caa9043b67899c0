import { columnTypeOf, isTransformedPii, type ColumnType } from './column-type.js';
import { familyTableName, fitIdentifier, snakeCase } from './naming.js';
import { compareVersions, modelKey, parseSchemaUri, type SchemaKey } from './schema-key.js';

/** A column of a family table, holding one top-level property of the MODEL's schemas. */
export interface ColumnModel {
  name: string;
  /** The property of the event's or entity's data it holds. */
  property: string;
  type: ColumnType;
  /** An `x-pii: hash|redact` field: what arrives may be the transformed string (stageValue's `lenient`). */
  lenient: boolean;
  /** The column comment: the latest version's description, its `x-pii` mark, and the full name when the column's is shortened (fitIdentifier). */
  comment: string | undefined;
  /** The first version that has the property. */
  since: string;
}

/** One version of a MODEL. */
export interface VersionModel {
  key: SchemaKey;
  /**
   * Why rows of this version cannot go into the table (a type change inside the MODEL, two
   * properties with one column name): they go to quarantine with these reasons. Empty: loadable.
   */
  conflicts: string[];
}

/** A schema family and MODEL: one table (or two, when it is used in both roles: tableNameFor). */
export interface FamilyModel {
  key: string;
  vendor: string;
  name: string;
  model: number;
  /** The role the schema declares (`x-tracklane.kind`); undefined when it declares none. */
  kind: 'event' | 'entity' | undefined;
  /** The union over the MODEL's versions, in the order they appeared (oldest version first). */
  columns: ColumnModel[];
  versions: Map<string, VersionModel>;
}

export interface WarehouseModel {
  families: Map<string, FamilyModel>;
}

/** The loader's own columns of family tables, in their order. */
export const FAMILY_KEY_COLUMNS = ['event_id', 'position', 'schema_version'] as const;

/** Names a property's column cannot take (a `_` is appended): the key columns, and `event_date`, the lake's partition column. */
const RESERVED_COLUMNS: readonly string[] = [...FAMILY_KEY_COLUMNS, 'event_date'];

type JsonSchema = Record<string, unknown>;

/**
 * Derives the tables from the schemas: versions grouped by vendor, name and MODEL; a table's
 * columns are the union of its versions' top-level properties. A version that changes the type of
 * an existing column (or names two properties alike) is kept with its conflicts, not refused: its
 * rows go to quarantine, the rest of the MODEL loads.
 */
export function deriveModel(schemas: readonly JsonSchema[]): WarehouseModel {
  const byModel = new Map<string, { key: SchemaKey; schema: JsonSchema }[]>();
  for (const schema of schemas) {
    const key = keyOf(schema);
    if (!key) continue;
    const group = byModel.get(modelKey(key)) ?? [];
    group.push({ key, schema });
    byModel.set(modelKey(key), group);
  }
  const families = new Map<string, FamilyModel>();
  for (const [familyKey, versions] of byModel) {
    versions.sort((a, b) => compareVersions(a.key, b.key));
    const first = versions[0]!.key;
    const family: FamilyModel = { key: familyKey, vendor: first.vendor, name: first.name, model: first.model, kind: undefined, columns: [], versions: new Map() };
    for (const { key, schema } of versions) addVersion(family, key, schema);
    families.set(familyKey, family);
  }
  return { families };
}

function addVersion(family: FamilyModel, key: SchemaKey, schema: JsonSchema): void {
  const conflicts: string[] = [];
  const declared = (schema['x-tracklane'] as JsonSchema | undefined)?.kind;
  if (declared === 'event' || declared === 'entity') family.kind = declared;
  const properties = isObject(schema.properties) ? schema.properties : {};
  for (const [property, value] of Object.entries(properties)) {
    const propertySchema = isObject(value) ? value : {};
    const type = columnTypeOf(propertySchema);
    const full = fullColumnName(property);
    const name = fitIdentifier(full);
    const existing = family.columns.find((column) => column.name === name);
    const comment = commentOf(propertySchema, name === full ? undefined : full);
    if (!existing) {
      family.columns.push({ name, property, type, lenient: isTransformedPii(propertySchema), comment, since: key.version });
    } else if (existing.property !== property) {
      conflicts.push(`/properties/${property} and /properties/${existing.property} (since ${existing.since}) both name the column ${name}`);
    } else if (existing.type !== type) {
      conflicts.push(`/properties/${property} is ${type} in ${key.version}; the column ${name} is ${existing.type} (since ${existing.since}): a type change inside MODEL ${key.model}`);
    } else if (comment !== undefined) {
      existing.comment = comment;
    }
  }
  family.versions.set(key.version, { key, conflicts });
}

/** A property's column before fitIdentifier shortens it: snake_case; one of the loader's own column names gets a `_` appended. */
function fullColumnName(property: string): string {
  const name = snakeCase(property);
  return RESERVED_COLUMNS.includes(name) ? `${name}_` : name;
}

/**
 * The table of a family in a role. The plain `<vendor>_<name>_<model>` is the table of the role the
 * schema declares (events when it declares none); the other role, should a schema be used in it,
 * gets Snowplow's column prefixes: `contexts_<...>` for entities, `unstruct_event_<...>` for events.
 */
export function tableNameFor(family: Pick<FamilyModel, 'vendor' | 'name' | 'model' | 'kind'>, role: 'event' | 'entity'): string {
  // Asked for every event of a load: named once per family and role.
  let names = tableNames.get(family);
  if (!names) tableNames.set(family, (names = {}));
  return (names[role] ??= nameTable(family, role));
}

const tableNames = new WeakMap<object, { event?: string; entity?: string }>();

function nameTable(family: Pick<FamilyModel, 'vendor' | 'name' | 'model' | 'kind'>, role: 'event' | 'entity'): string {
  const plain = familyTableName(family.vendor, family.name, family.model);
  const home = family.kind ?? 'event';
  // Shortened last: the hash is of the whole name, prefix included, so the two roles' tables never meet.
  if (role === home) return fitIdentifier(plain);
  return fitIdentifier(role === 'entity' ? `contexts_${plain}` : `unstruct_event_${plain}`);
}

/** `Description. [x-pii: hash] [full name: <column>]`, each part when there is one. */
function commentOf(schema: JsonSchema, fullName: string | undefined): string | undefined {
  const description = typeof schema.description === 'string' ? schema.description : undefined;
  const pii = schema['x-pii'] !== undefined ? `x-pii: ${JSON.stringify(schema['x-pii']).replace(/^"|"$/g, '')}` : undefined;
  const parts = [description, pii && `[${pii}]`, fullName && `[full name: ${fullName}]`].filter((part) => part !== undefined && part !== '');
  return parts.length > 0 ? parts.join(' ') : undefined;
}

function keyOf(schema: JsonSchema): SchemaKey | undefined {
  const self = isObject(schema.self) ? schema.self : {};
  return parseSchemaUri(`iglu:${String(self.vendor)}/${String(self.name)}/${String(self.format)}/${String(self.version)}`);
}

function isObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
