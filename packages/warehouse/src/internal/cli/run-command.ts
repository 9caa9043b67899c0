import path from 'node:path';
import { exportLake } from '../lake/export-lake.js';
import { deriveModel } from '../model/derive-model.js';
import { loadSchemas } from '../model/load-schemas.js';
import { loadWarehouse } from '../load/load-warehouse.js';
import { refreshSessions } from '../derived/sessions.js';
import { withSessions } from '../derived/with-sessions.js';
import { rawStoreSource } from '../source/raw-store-source.js';
import { diskSpaceOf } from '../status/disk-space.js';
import { warehouseStatus } from '../status/warehouse-status.js';
import { USAGE, type Command } from './cli-args.js';
import { commandSource, writeKafkaStatus } from './command-source.js';
import { openCommandTarget } from './command-target.js';
import { runMaintenance } from './run-maintenance.js';
import { formatBytes, loadProgress, type ProgressStream } from './progress.js';

export interface CommandIo {
  stdout: ProgressStream;
  stderr: ProgressStream;
  /** Aborts a `load --follow` after its current batch (SIGINT, SIGTERM). */
  signal: AbortSignal;
}

export async function runCommand(command: Command, io: CommandIo): Promise<void> {
  switch (command.command) {
    case 'help':
      io.stdout.write(`${USAGE}\n`);
      return;
    case 'load': {
      // Schemas first: a set the collector would refuse fails before the database is touched.
      const model = deriveModel(loadSchemas(command.schemas));
      const source = commandSource(command, io.stderr);
      const target = await openCommandTarget(command.target, { follow: command.follow, signal: io.signal, stderr: io.stderr });
      // Stopped while waiting for the database to answer.
      if (target === undefined) return void (await source.close?.());
      try {
        const pending = command.follow ? undefined : (await source.backlog(await target.positions(source.name))).reduce((sum, b) => sum + b.total - b.loaded, 0);
        const progress = loadProgress(io.stderr, pending);
        const summary = await loadWarehouse({
          source,
          // --follow: `sessions` refreshed in each batch's transaction, where the target has transactions (DuckDB).
          target: command.follow && target.transaction ? withSessions(target) : target,
          model,
          follow: command.follow,
          flushIntervalMs: command.flushIntervalMs,
          batchSize: command.batchSize,
          signal: io.signal,
          onBatch: progress.update,
          onError: (error, attempt, retryInMs) => io.stderr.write(`\nwarning: load failed (attempt ${attempt}): ${(error as Error).message}; retrying in ${retryInMs / 1000} s\n`),
        });
        // One-shot: once, at the end (a crash before it leaves the watermark behind: the next refresh catches up).
        if (!command.follow && target.transaction) await target.transaction((sql) => refreshSessions(sql));
        progress.done(summary);
        for (const key of summary.rewritten) io.stderr.write(`warning: ${key} was rewritten since it was loaded: read again from its start (events deduplicated by id)\n`);
      } finally {
        await source.close?.();
        await target.close();
      }
      return;
    }
    case 'backfill':
    case 'reprocess':
    case 'sessions':
      return runMaintenance(command, io);
    case 'export': {
      for (const { table, rows } of await exportLake({ duckdb: command.duckdb, dir: command.lake })) io.stdout.write(`${table}: ${rows} rows -> ${path.join(command.lake, table)}/event_date=*/\n`);
      return;
    }
    case 'status': {
      const target = await openCommandTarget(command.target, { follow: false, signal: io.signal, stderr: io.stderr });
      if (target === undefined) return;
      try {
        if (command.kafka !== undefined) {
          await writeKafkaStatus(commandSource(command, io.stderr), io.stdout);
          if (command.target.kind === 'duckdb') await writeDiskSpace(command.target.file, undefined, io.stdout);
          return;
        }
        // A Kafka source's lag is the group's: it needs --kafka-brokers.
        const names = command.from !== undefined ? [command.from] : (await target.sources()).filter((name) => !name.startsWith('kafka:'));
        if (names.length === 0) io.stdout.write(`${target.name}: nothing loaded yet\n`);
        let pending = 0;
        for (const status of await warehouseStatus(target, names.map((dir) => rawStoreSource({ dir })))) {
          io.stdout.write(`${status.source} ${status.kind}: ${status.filesLoaded} files loaded (${formatBytes(status.bytesLoaded)}), ${status.filesPending} pending (${formatBytes(status.bytesPending)})\n`);
          pending += status.bytesPending;
        }
        if (command.target.kind === 'duckdb') await writeDiskSpace(command.target.file, pending, io.stdout);
      } finally {
        await target.close();
      }
    }
  }
}

/**
 * A DuckDB file's free space, and a warning when less is free than waits to be loaded: a rough
 * measure (DuckDB's log of a batch is of the order of its JSON), but a full disk shows as the
 * cause of failed commits without reading their error. The PostgreSQL server's disk is the
 * server's to watch.
 */
async function writeDiskSpace(file: string, pendingBytes: number | undefined, stdout: ProgressStream): Promise<void> {
  const space = await diskSpaceOf(file);
  if (space === undefined) return;
  stdout.write(`${file}: ${formatBytes(space.free)} free on its filesystem (of ${formatBytes(space.size)})\n`);
  if (pendingBytes !== undefined && space.free < pendingBytes) {
    stdout.write(`warning: ${file}: less free than the ${formatBytes(pendingBytes)} waiting to load: a load may stop with "No space left on device" (what it committed stays; once space is freed the next load goes on from there)\n`);
  }
}
