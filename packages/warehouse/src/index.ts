// @tracklane/warehouse: analytics-ready tables derived from the schemas, loaded exactly once from
// the collector's raw store (the CLI is tracklane-warehouse).
export { deriveModel, tableNameFor } from './internal/model/derive-model.js';
export type { ColumnModel, FamilyModel, VersionModel, WarehouseModel } from './internal/model/derive-model.js';
export type { ColumnType } from './internal/model/column-type.js';
export { loadSchemas } from './internal/model/load-schemas.js';
export { QuarantineReason, WarehouseError, WarehouseErrorCode } from './internal/errors.js';
