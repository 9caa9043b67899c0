// Public API of @tracklane/codegen. The CLI (`tracklane`) and the build plugins
// (`@tracklane/codegen/rollup`, `@tracklane/codegen/vite`) are built on these.
export { generate, OUTPUT_FILE } from './generate.js';
export type { GenerateOptions, GenerateResult } from './generate.js';
export { check, checkReport } from './check.js';
export type { CheckOptions, CheckResult, Finding } from './check.js';
export { buildDocs } from './docs.js';
export type { DocsOptions } from './docs.js';
export { loadConfig, CONFIG_FILE } from './config.js';
export type { ResolvedConfig, TracklaneConfig } from './config.js';
export { CodegenError, CodegenErrorCode, isCodegenError } from './errors.js';
export type { ErrorLocation } from './errors.js';
export { loadSchemas } from './internal/load/load-schemas.js';
export type { LoadResult } from './internal/load/load-schemas.js';
export type { JsonSchema, LoadedSchema, TracklaneMeta } from './internal/load/types.js';
export type { ValidatorMode } from './internal/emit/emit-model.js';
export { classifyChange } from './internal/check/classify-change.js';
export type { SchemaChange } from './internal/check/classify-change.js';
export { DEFAULT_LEVELS, DEFAULT_PII_PATTERN, LINT_RULES } from './internal/check/lint-rules.js';
export type { LintConfig, LintRuleId, RuleLevel } from './internal/check/lint-rules.js';
export { REGISTRY_FORMAT } from './internal/docs/registry.js';
export type { Registry, RegistryEntry } from './internal/docs/registry.js';
export type { ChangeKind, SchemaVer } from './internal/schemaver.js';
