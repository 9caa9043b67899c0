import { LOAD_DEFAULTS } from '../load/load-warehouse.js';
import { SESSIONS_DEFAULTS } from '../derived/sessions.js';
import type { TargetFlags } from './target-flags.js';

/** The commands that rework what is loaded: backfill, reprocess, sessions. */
export type MaintenanceCommand =
  | { command: 'backfill'; from: string; schemas: string; target: TargetFlags; since: string; until: string; batchSize: number }
  | { command: 'reprocess'; schemas: string; target: TargetFlags }
  | { command: 'sessions'; target: TargetFlags; rebuild: boolean; lookbackDays: number | undefined };

export const MAINTENANCE_FLAG_OPTIONS = {
  since: { type: 'string' },
  until: { type: 'string' },
  rebuild: { type: 'boolean' },
  'lookback-days': { type: 'string' },
} as const;

export const MAINTENANCE_USAGE = `  tracklane-warehouse backfill --from <raw store dir> --schemas <dir|registry.json> --duckdb <file>
                               --since <time> --until <time> [--batch-size ${LOAD_DEFAULTS.batchSize}]
      Rebuilds the events whose event time is in [since, until) (a date is midnight UTC, or a date-time
      with an offset) from the whole store, in one transaction: the same rows as a clean load.
  tracklane-warehouse reprocess --schemas <dir|registry.json> --duckdb <file>
      Re-validates the quarantined events against these schemas (a schema published since) and loads
      those that pass, once; their quarantine rows get reprocessed_at.
  tracklane-warehouse sessions --duckdb <file> [--rebuild] [--lookback-days ${SESSIONS_DEFAULTS.lookbackDays}]
      Brings the sessions table up to date (load, backfill and reprocess keep it so); --rebuild
      recomputes every session; --lookback-days sets, and keeps, how late an event may arrive and
      still count in its session.`;

export interface MaintenanceParsers {
  required(flag: string): string;
  target(): TargetFlags;
  batchSize(): number;
  positiveInteger(flag: string): number | undefined;
}

export function maintenanceCommand(command: MaintenanceCommand['command'], values: Record<string, string | boolean | undefined>, parse: MaintenanceParsers): MaintenanceCommand {
  switch (command) {
    case 'backfill':
      return { command, from: parse.required('from'), schemas: parse.required('schemas'), target: parse.target(), since: parse.required('since'), until: parse.required('until'), batchSize: parse.batchSize() };
    case 'reprocess':
      return { command, schemas: parse.required('schemas'), target: parse.target() };
    case 'sessions':
      return { command, target: parse.target(), rebuild: values.rebuild === true, lookbackDays: parse.positiveInteger('lookback-days') };
  }
}
