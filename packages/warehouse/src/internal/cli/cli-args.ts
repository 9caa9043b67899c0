import { parseArgs } from 'node:util';
import { WarehouseError, WarehouseErrorCode } from '../errors.js';
import { LOAD_DEFAULTS } from '../load/load-warehouse.js';
import { MAINTENANCE_FLAG_OPTIONS, MAINTENANCE_USAGE, maintenanceCommand, type MaintenanceCommand } from './maintenance-args.js';
import { KAFKA_FLAG_OPTIONS, KAFKA_USAGE, kafkaFlags, type KafkaFlags } from './kafka-flags.js';
import { TARGET_FLAG_OPTIONS, TARGET_USAGE, targetFlags, type TargetFlags } from './target-flags.js';

export const USAGE = `Usage:
  tracklane-warehouse load --from <raw store dir> --schemas <dir|registry.json> --duckdb <file>
                           [--follow] [--flush-interval-ms ${LOAD_DEFAULTS.flushIntervalMs}] [--batch-size ${LOAD_DEFAULTS.batchSize}]
      Loads what the store holds and is not loaded yet, then exits; with --follow, keeps loading what
      lands (Ctrl-C ends after the current batch). Progress on stderr: a bar on a terminal, a line per batch otherwise.
  tracklane-warehouse status --duckdb <file> [--from <raw store dir>]
      Per source (every source the database has loaded, or --from): files and bytes loaded and pending.
${KAFKA_USAGE}
${TARGET_USAGE}
  tracklane-warehouse export --duckdb <file> --lake <dir>
      Writes events and every data table as Parquet under <dir>/<table>/event_date=YYYY-MM-DD/ (Hive style).
${MAINTENANCE_USAGE}`;

export type Command =
  | { command: 'load'; from: string | undefined; kafka: KafkaFlags | undefined; schemas: string; target: TargetFlags; follow: boolean; flushIntervalMs: number; batchSize: number }
  | { command: 'status'; target: TargetFlags; from: string | undefined; kafka: KafkaFlags | undefined }
  | { command: 'export'; duckdb: string; lake: string }
  | MaintenanceCommand
  | { command: 'help' };

/** The command line, checked: a missing or malformed flag is INVALID_CONFIG with the usage. */
export function parseCommand(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): Command {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') return { command: 'help' };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        from: { type: 'string' },
        schemas: { type: 'string' },
        ...TARGET_FLAG_OPTIONS,
        follow: { type: 'boolean' },
        'flush-interval-ms': { type: 'string' },
        'batch-size': { type: 'string' },
        lake: { type: 'string' },
        ...KAFKA_FLAG_OPTIONS,
        ...MAINTENANCE_FLAG_OPTIONS,
      },
    }));
  } catch (error) {
    throw invalid((error as Error).message);
  }
  const text = (name: string): string | undefined => values[name] as string | undefined;
  const required = (name: string): string => {
    const value = text(name);
    if (value === undefined || value === '') throw invalid(`${command} needs --${name}`);
    return value;
  };
  const kafka = kafkaFlags(values, invalid);
  switch (command) {
    case 'load':
      if ((kafka === undefined) === (text('from') === undefined)) throw invalid('load needs --from <raw store dir> or --kafka-brokers, not both');
      return {
        command,
        from: text('from'),
        kafka,
        schemas: required('schemas'),
        target: targetFlags(command, values, env, invalid),
        follow: values.follow === true,
        flushIntervalMs: positiveInteger(text('flush-interval-ms'), '--flush-interval-ms', LOAD_DEFAULTS.flushIntervalMs),
        batchSize: positiveInteger(text('batch-size'), '--batch-size', LOAD_DEFAULTS.batchSize),
      };
    case 'status':
      return { command, target: targetFlags(command, values, env, invalid), from: text('from'), kafka };
    case 'export':
      if (text('postgres') !== undefined) throw invalid('export reads a DuckDB database: it takes --duckdb, not --postgres');
      return { command, duckdb: required('duckdb'), lake: required('lake') };
    case 'backfill':
    case 'reprocess':
    case 'sessions':
      return maintenanceCommand(command, values, { required, target: () => targetFlags(command, values, env, invalid), batchSize: () => positiveInteger(text('batch-size'), '--batch-size', LOAD_DEFAULTS.batchSize), positiveInteger: (flag) => positiveInteger(text(flag), `--${flag}`, undefined) });
    default:
      throw invalid(`unknown command: ${command}`);
  }
}

function positiveInteger<T extends number | undefined>(value: string | undefined, flag: string, fallback: T): number | T {
  if (value === undefined) return fallback;
  if (!/^[1-9]\d*$/.test(value) || !Number.isSafeInteger(Number(value))) throw invalid(`${flag} must be a positive integer, not ${JSON.stringify(value)}`);
  return Number(value);
}

function invalid(message: string): WarehouseError {
  return new WarehouseError(WarehouseErrorCode.INVALID_CONFIG, `${message}\n${USAGE}`);
}
