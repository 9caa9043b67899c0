// @tracklane/warehouse: analytics-ready tables derived from the schemas, loaded exactly once from
// the collector's raw store or its Kafka topics (the CLI is tracklane-warehouse).
export { loadWarehouse, LOAD_DEFAULTS } from './internal/load/load-warehouse.js';
export type { LoadOptions, LoadSummary } from './internal/load/load-warehouse.js';
export type { Clock } from './internal/load/clock.js';
export { rawStoreSource } from './internal/source/raw-store-source.js';
export type { RawStoreSourceOptions } from './internal/source/raw-store-source.js';
export { kafkaSource, KAFKA_SOURCE_DEFAULTS } from './internal/source/kafka-source.js';
export type { KafkaSourceOptions } from './internal/source/kafka-source.js';
export type { Source, SourceBacklog, SourceBatch, SourcePosition, StoredLine } from './internal/source/source.js';
export { openDuckDbTarget } from './internal/target/duckdb-target.js';
export type { DuckDbTargetOptions } from './internal/target/duckdb-target.js';
export { openPostgresTarget, POSTGRES_DEFAULTS } from './internal/target/postgres-target.js';
export type { PostgresTargetOptions } from './internal/target/postgres-target.js';
export type { SqlSession, Target } from './internal/target/target.js';
export { backfillWindow } from './internal/backfill/backfill.js';
export type { BackfillOptions, BackfillSummary } from './internal/backfill/backfill.js';
export { reprocessQuarantine } from './internal/reprocess/reprocess.js';
export type { ReprocessOptions, ReprocessSummary } from './internal/reprocess/reprocess.js';
export { refreshSessions, SESSIONS_DEFAULTS } from './internal/derived/sessions.js';
export type { RefreshSessionsOptions, RefreshSessionsSummary } from './internal/derived/sessions.js';
export { withSessions } from './internal/derived/with-sessions.js';
export { exportLake } from './internal/lake/export-lake.js';
export type { ExportLakeOptions, ExportedTable } from './internal/lake/export-lake.js';
export { deriveModel, tableNameFor } from './internal/model/derive-model.js';
export type { ColumnModel, FamilyModel, VersionModel, WarehouseModel } from './internal/model/derive-model.js';
export type { ColumnType } from './internal/model/column-type.js';
export { loadSchemas } from './internal/model/load-schemas.js';
export { QuarantineReason, WarehouseError, WarehouseErrorCode } from './internal/errors.js';
