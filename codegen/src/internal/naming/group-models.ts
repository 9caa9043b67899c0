import type { LoadedSchema } from '../load/types.js';
import { compareSchemaVer } from '../schemaver.js';

/** All versions of one MODEL of one schema (`vendor/name`, model `1`): codegen emits one type per model. */
export interface SchemaModel {
  readonly vendor: string;
  readonly name: string;
  readonly model: number;
  /** Versions of this model, oldest first. */
  readonly versions: readonly LoadedSchema[];
  /** The newest version of the model: the one whose shape is generated. */
  readonly latest: LoadedSchema;
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Groups schemas by vendor, name and model, sorted so the result never depends on input order. */
export function groupModels(schemas: readonly LoadedSchema[]): SchemaModel[] {
  const groups = new Map<string, LoadedSchema[]>();
  for (const schema of schemas) {
    const key = `${schema.vendor}\u0000${schema.name}\u0000${schema.version.model}`;
    const list = groups.get(key);
    if (list) list.push(schema);
    else groups.set(key, [schema]);
  }
  const models = [...groups.values()].map((versions): SchemaModel => {
    const sorted = [...versions].sort((a, b) => compareSchemaVer(a.version, b.version));
    const latest = sorted[sorted.length - 1]!;
    return { vendor: latest.vendor, name: latest.name, model: latest.version.model, versions: sorted, latest };
  });
  return models.sort((a, b) => byText(a.vendor, b.vendor) || byText(a.name, b.name) || a.model - b.model);
}
