import type ts from 'typescript';
import type { ValidatorEmitter, ValidatorMode } from '../emit/emit-model.js';
import { withJsDoc } from '../emit/ts-helpers.js';
import { compileValidator } from './compile-validator.js';
import { parseStatements } from './parse-statements.js';
import { validatorRuntime } from './validator-runtime.js';

/** Emits per-schema validators (`validateX(data): Violation[]`) and the module's validation runtime. */
export const validationEmitter: { model: ValidatorEmitter; runtime: (mode: ValidatorMode) => ts.Statement[] } = {
  model: (model, names, ctx) => {
    const code = `export function ${names.validate}(data: unknown): Violation[] {\n${compileValidator(model.latest.schema, ctx)}\n}`;
    const [fn] = parseStatements(code);
    return [withJsDoc(fn!, [`Checks data against \`${model.latest.uri}\`; returns the violations, empty when valid.`])];
  },
  runtime: (mode) => parseStatements(validatorRuntime(mode)),
};
