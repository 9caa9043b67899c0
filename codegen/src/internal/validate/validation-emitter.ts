import { createSchemaEngine, declareSchema, igluSchemaId, standaloneSource } from '@tracklane/schema';
import type { ValidatorMode } from '../emit/emit-model.js';
import type { ModuleValidation } from '../emit/emit-module.js';
import { withJsDoc } from '../emit/ts-helpers.js';
import type { ModelNames } from '../naming/assign-names.js';
import type { SchemaModel } from '../naming/group-models.js';
import { schemaBody } from '../load/schema-body.js';
import { parseStatements } from './parse-statements.js';
import { standaloneToTs } from './standalone-to-ts.js';
import { validatorRuntime } from './validator-runtime.js';

/**
 * Compiles every model's latest schema with the collector's engine (@tracklane/schema) into ajv's
 * standalone code, so a generated validator gives the collector's verdict by construction, and
 * wraps each as `validateX(data): Violation[]`. Every schema version of the set is declared under
 * its Iglu address first, so an Iglu `$ref` to another schema of the set resolves.
 */
export function moduleValidation(models: readonly SchemaModel[], names: ReadonlyMap<SchemaModel, ModelNames>, mode: ValidatorMode): ModuleValidation {
  const engine = createSchemaEngine({ standalone: true });
  for (const model of models) for (const version of model.versions) declareSchema(engine, igluSchemaId(version.uri), schemaBody(version.schema));
  const exported: Record<string, string> = {};
  for (const model of models) exported[names.get(model)!.validate] = igluSchemaId(model.latest.uri);
  const typed = standaloneToTs(standaloneSource(engine, exported));
  const runtime = [...parseStatements(validatorRuntime(mode)), ...parseStatements(typed.code)];
  return {
    runtime,
    imports: [...typed.coreImports].sort(),
    model: (model, modelNames) => {
      const fn = typed.functions.get(modelNames.validate)!;
      const code = `export function ${modelNames.validate}(data: unknown): Violation[] {\n  return ${fn}(data) ? [] : violationsOf((${fn} as any).errors);\n}`;
      const [statement] = parseStatements(code);
      return [withJsDoc(statement!, [`Checks data against \`${model.latest.uri}\` as the collector does; returns the violations, empty when valid.`])];
    },
  };
}
