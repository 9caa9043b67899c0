import { SchemaRegistry } from '@tracklane/collector';
import { backfillWindow, type BackfillSummary } from '../backfill/backfill.js';
import { refreshSessions } from '../derived/sessions.js';
import { requireTransaction } from '../derived/with-sessions.js';
import { deriveModel } from '../model/derive-model.js';
import { loadSchemas } from '../model/load-schemas.js';
import { reprocessQuarantine } from '../reprocess/reprocess.js';
import { rawStoreSource } from '../source/raw-store-source.js';
import { openCommandTarget } from './command-target.js';
import type { MaintenanceCommand } from './maintenance-args.js';
import { loadProgress, type ProgressStream } from './progress.js';

export interface MaintenanceIo {
  stdout: ProgressStream;
  stderr: ProgressStream;
  signal: AbortSignal;
}

/** Runs backfill, reprocess or sessions: one transaction each, a summary line on stdout. */
export async function runMaintenance(command: MaintenanceCommand, io: MaintenanceIo): Promise<void> {
  // Schemas first: a set the collector would refuse fails before the database is touched.
  const schemas = command.command === 'sessions' ? undefined : command.schemas;
  const model = schemas === undefined ? undefined : deriveModel(loadSchemas(schemas));
  const target = await openCommandTarget(command.target, { follow: false, signal: io.signal, stderr: io.stderr });
  if (target === undefined) return;
  try {
    switch (command.command) {
      case 'backfill': {
        const source = rawStoreSource({ dir: command.from });
        // The whole store is read: its size is the bar's 100%. A bar on a terminal, a line per batch otherwise.
        const progress = loadProgress(io.stderr, (await source.backlog(new Map())).reduce((sum, b) => sum + b.total, 0));
        let batches = 0;
        const asLoad = (s: BackfillSummary) => ({ lines: s.lines, bytes: s.bytes, events: s.events, quarantined: s.quarantined, batches, rewritten: [] });
        const s = await backfillWindow({ source, target, model: model!, since: command.since, until: command.until, batchSize: command.batchSize, onBatch: (s) => (batches++, progress.update(asLoad(s))) });
        progress.done(asLoad(s));
        io.stdout.write(`backfill ${source.name} [${s.since}, ${s.until}): ${s.deleted} events deleted, ${s.events} written from ${s.lines} lines, ${s.quarantined} quarantined\n`);
        return;
      }
      case 'reprocess': {
        const s = await reprocessQuarantine({ target, model: model!, registry: new SchemaRegistry().load(command.schemas) });
        io.stdout.write(`reprocess: ${s.candidates} quarantined events re-validated: ${s.loaded} loaded, ${s.failing} still failing\n`);
        return;
      }
      case 'sessions': {
        const s = await requireTransaction(target, 'sessions')((sql) => refreshSessions(sql, { mode: command.rebuild ? 'rebuild' : 'incremental', ...(command.lookbackDays !== undefined ? { lookbackDays: command.lookbackDays } : {}) }));
        io.stdout.write(`sessions: ${s.sessions} sessions ${command.rebuild ? 'rebuilt' : 'refreshed'} (lookback ${s.lookbackDays} days)\n`);
        return;
      }
    }
  } finally {
    await target.close();
  }
}
