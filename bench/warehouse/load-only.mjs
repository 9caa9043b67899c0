// The loader alone, without the CLI's end-of-load `sessions` refresh: loadWarehouse from the
// TypeScript sources (run under tsx) on a raw store into a DuckDB file. Run as a child so its peak
// RSS is its own.   node --import tsx load-only.mjs <raw store> <schemas> <database> <batch size>
import { loadWarehouse } from '../../packages/warehouse/src/internal/load/load-warehouse.ts';
import { deriveModel } from '../../packages/warehouse/src/internal/model/derive-model.ts';
import { loadSchemas } from '../../packages/warehouse/src/internal/model/load-schemas.ts';
import { rawStoreSource } from '../../packages/warehouse/src/internal/source/raw-store-source.ts';
import { openDuckDbTarget } from '../../packages/warehouse/src/internal/target/duckdb-target.ts';

const [store, schemas, db, batchSize] = process.argv.slice(2);
const target = await openDuckDbTarget({ file: db });
try {
  const s = await loadWarehouse({ source: rawStoreSource({ dir: store }), target, model: deriveModel(loadSchemas(schemas)), batchSize: Number(batchSize) });
  process.stdout.write(`done: ${s.lines} lines, ${s.events} events, ${s.quarantined} quarantined\n`);
} finally {
  await target.close();
}
