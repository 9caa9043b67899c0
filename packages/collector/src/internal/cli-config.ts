import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { TracklaneError } from '@tracklane/core';
import type { CollectorLimits, MetricsOptions, WriteKeyConfig } from './config.js';
import type { DedupWindowOptions } from './dedup-window.js';
import { instanceIdProblem } from './sinks/instance-id.js';

/** Everything `tracklane-collector` (serve) needs, merged from file, environment and flags. */
export interface ServeConfig {
  /** Port to listen on (`--port`, `TRACKLANE_COLLECTOR_PORT`). @default 8787 */
  port: number;
  /** Interface to listen on (`--host`, `TRACKLANE_COLLECTOR_HOST`). @default '127.0.0.1' */
  host: string;
  /** Schema sources: Iglu-layout directories or `registry.json` files (`--schemas`, `TRACKLANE_SCHEMAS`). */
  schemas: string[];
  /** Write keys accepted (`--write-key`, `TRACKLANE_WRITE_KEYS`). */
  writeKeys: WriteKeyConfig[];
  /**
   * Where events land: the file raw store (`dir`; `durability` defaults to `'fsync'`; `instanceId`
   * from `--instance-id`, `TRACKLANE_INSTANCE_ID` or `sink.instanceId` / `instanceId` in the config
   * file, defaults to FileSinkOptions.instanceId's `<hostname>-<pid>`) or Kafka (`goodTopic` defaults
   * to `'tracklane-good'`, `badTopic` to `'tracklane-bad'`).
   * @default the file sink
   */
  sink: { type: 'file'; dir: string; durability: 'fsync' | 'write'; instanceId?: string } | { type: 'kafka'; brokers: string[]; goodTopic: string; badTopic: string };
  /** Request limits (CollectorOptions.limits); config file only. @default {} */
  limits: CollectorLimits;
  /**
   * Window of event ids remembered to drop retried events (CollectorOptions.dedup): `maxIds`
   * (`--dedup-max-ids`, `TRACKLANE_DEDUP_MAX_IDS`, 1 to 16,000,000), `ttlMs` (`--dedup-ttl-ms`,
   * `TRACKLANE_DEDUP_TTL_MS`) and `warmFromStore` (`--dedup-warm-from-store true|false`,
   * `TRACKLANE_DEDUP_WARM_FROM_STORE`), or `dedup` in the config file; unset fields keep their defaults.
   * @default {} (1,000,000 ids, 24 h, filled from the raw store at start)
   */
  dedup: DedupWindowOptions;
  /**
   * Take the client IP from `X-Forwarded-For` (CollectorOptions.trustProxy): `--trust-proxy` for one
   * load balancer, or `trustProxy: <n>` in the config file for a chain of n. @default false
   */
  trustProxy: boolean | number;
  /**
   * `/metrics` behind a bearer token (`--metrics-token`, `TRACKLANE_METRICS_TOKEN`; the variable
   * keeps it out of `ps`) and on a listener of its own (`--metrics-port`, `TRACKLANE_METRICS_PORT`;
   * `--metrics-host`, `TRACKLANE_METRICS_HOST`), or `metrics` in the config file.
   * @default {} (on the main listener, no token)
   */
  metrics: MetricsOptions;
  /** Worker threads that check bodies (CollectorOptions.validationThreads). @default defaultValidationThreads() */
  validationThreads: number;
}

/** One validation thread per core the main thread leaves free, at most 4: a single core gets none. */
export function defaultValidationThreads(cores = availableParallelism()): number {
  return Math.max(0, Math.min(4, cores - 1));
}

const invalid = (message: string): never => {
  throw new TracklaneError('INVALID_CONFIG', `tracklane-collector: ${message}`);
};

/** A JavaScript Map holds at most 2^24 (16,777,216) ids, and the window briefly holds a batch more than `maxIds`. */
const MAX_DEDUP_IDS = 16_000_000;

/** `raw` (a flag, variable or config field) as an integer `valid` accepts; else an error: `<rule>, got <raw>`. */
function integer(raw: unknown, valid: (n: number) => boolean, rule: string): number {
  const n = typeof raw === 'number' || (typeof raw === 'string' && raw.trim() !== '') ? Number(raw) : Number.NaN;
  if (!Number.isInteger(n) || !valid(n)) invalid(`${rule}, got ${String(raw)}`);
  return n;
}

/** A section of the config file (`"dedup": {...}`): an object of the `known` fields only. */
function configSection(section: unknown, name: string, known: readonly string[]): Record<string, unknown> {
  if (typeof section !== 'object' || section === null || Array.isArray(section)) return invalid(`${name} in the config file must be an object of ${known.join(', ')}`);
  for (const field of Object.keys(section)) {
    if (!known.includes(field)) invalid(`unknown field ${name}.${field} in the config file (use ${known.join(', ')})`);
  }
  return section as Record<string, unknown>;
}

/** The dedup window from flags, environment and the config file's `dedup: {maxIds, ttlMs, warmFromStore}`. */
function dedupOptions(values: { 'dedup-max-ids'?: string; 'dedup-ttl-ms'?: string; 'dedup-warm-from-store'?: string }, env: NodeJS.ProcessEnv, file: unknown = {}): DedupWindowOptions {
  const fields = configSection(file, 'dedup', ['maxIds', 'ttlMs', 'warmFromStore']);
  const dedup: DedupWindowOptions = {};
  const maxIds = values['dedup-max-ids'] ?? env.TRACKLANE_DEDUP_MAX_IDS ?? fields.maxIds;
  if (maxIds !== undefined) dedup.maxIds = integer(maxIds, (n) => n >= 1 && n <= MAX_DEDUP_IDS, `--dedup-max-ids must be 1-${MAX_DEDUP_IDS}`);
  const ttlMs = values['dedup-ttl-ms'] ?? env.TRACKLANE_DEDUP_TTL_MS ?? fields.ttlMs;
  if (ttlMs !== undefined) dedup.ttlMs = integer(ttlMs, (n) => n >= 1, '--dedup-ttl-ms must be a positive whole number of milliseconds');
  const warm = values['dedup-warm-from-store'] ?? env.TRACKLANE_DEDUP_WARM_FROM_STORE ?? fields.warmFromStore;
  if (warm === true || warm === 'true') dedup.warmFromStore = true;
  else if (warm === false || warm === 'false') dedup.warmFromStore = false;
  else if (warm !== undefined) invalid(`--dedup-warm-from-store must be true or false, got ${typeof warm === 'string' ? warm : JSON.stringify(warm)}`);
  return dedup;
}

/**
 * A write key flag: `<key>` (server key) or `<key>,app=<appId>,kind=browser,origin=<o1>,origin=<o2>`.
 * Environment: `TRACKLANE_WRITE_KEYS` holds several, separated by spaces.
 */
export function parseWriteKey(spec: string): WriteKeyConfig {
  const [key = '', ...fields] = spec.split(',');
  if (key === '') invalid(`empty write key in "${spec.replace(/^[^,]*/, '…')}"`);
  const config: { key: string; appId?: string; kind?: 'browser' | 'server'; origins?: string[] } = { key };
  for (const field of fields) {
    const [name, value = ''] = field.split('=');
    if (name === 'app') config.appId = value;
    else if (name === 'kind' && (value === 'browser' || value === 'server')) config.kind = value;
    else if (name === 'origin') config.origins = [...(config.origins ?? []), value];
    else invalid(`unknown write key field "${name}" (use app=, kind=browser|server, origin=)`);
  }
  return config;
}

export function loadServeConfig(argv: readonly string[], env: NodeJS.ProcessEnv): ServeConfig {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      config: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      schemas: { type: 'string', multiple: true },
      data: { type: 'string' },
      'write-key': { type: 'string', multiple: true },
      sink: { type: 'string' },
      'kafka-brokers': { type: 'string' },
      'kafka-good-topic': { type: 'string' },
      'kafka-bad-topic': { type: 'string' },
      durability: { type: 'string' },
      'instance-id': { type: 'string' },
      'trust-proxy': { type: 'boolean' },
      'validation-threads': { type: 'string' },
      'dedup-max-ids': { type: 'string' },
      'dedup-ttl-ms': { type: 'string' },
      'dedup-warm-from-store': { type: 'string' },
      'metrics-token': { type: 'string' },
      'metrics-port': { type: 'string' },
      'metrics-host': { type: 'string' },
    },
    strict: true,
  });
  const file = values.config ? readConfigFile(values.config) : {};
  const rawPort = values.port ?? env.TRACKLANE_COLLECTOR_PORT ?? file.port ?? 8787;
  const port = integer(rawPort, (n) => n >= 0 && n <= 65535, '--port must be 0-65535');
  const schemas = values.schemas ?? env.TRACKLANE_SCHEMAS?.split(':') ?? file.schemas ?? [];
  if (schemas.length === 0) invalid('--schemas <dir | registry.json> is required');
  const keySpecs = values['write-key'] ?? env.TRACKLANE_WRITE_KEYS?.split(/\s+/).filter(Boolean);
  const writeKeys = keySpecs ? keySpecs.map(parseWriteKey) : (file.writeKeys ?? []).map(fileWriteKey);
  if (writeKeys.length === 0) invalid('at least one --write-key is required');
  const sinkType = values.sink ?? env.TRACKLANE_SINK ?? file.sink?.type ?? 'file';
  let sink: ServeConfig['sink'];
  if (sinkType === 'kafka') {
    const brokers = (values['kafka-brokers'] ?? env.TRACKLANE_KAFKA_BROKERS)?.split(',') ?? (file.sink?.type === 'kafka' ? file.sink.brokers : undefined);
    if (!brokers?.length) invalid('--kafka-brokers host:port[,host:port] is required with --sink kafka');
    const fileKafka = file.sink?.type === 'kafka' ? file.sink : undefined;
    sink = {
      type: 'kafka',
      brokers: brokers!,
      goodTopic: values['kafka-good-topic'] ?? fileKafka?.goodTopic ?? 'tracklane-good',
      badTopic: values['kafka-bad-topic'] ?? fileKafka?.badTopic ?? 'tracklane-bad',
    };
  } else if (sinkType === 'file') {
    const dir = values.data ?? env.TRACKLANE_DATA_DIR ?? (file.sink?.type === 'file' ? file.sink.dir : file.data);
    if (!dir) invalid('--data <dir> (the raw store) is required with the file sink');
    const durability = values.durability ?? (file.sink?.type === 'file' ? file.sink.durability : undefined) ?? 'fsync';
    if (durability !== 'fsync' && durability !== 'write') invalid('--durability must be fsync or write');
    sink = { type: 'file', dir: dir!, durability: durability as 'fsync' | 'write' };
    const instanceId = values['instance-id'] ?? env.TRACKLANE_INSTANCE_ID ?? (file.sink?.type === 'file' ? file.sink.instanceId : undefined) ?? file.instanceId;
    if (instanceId !== undefined) {
      const problem = typeof instanceId === 'string' ? instanceIdProblem(instanceId) : 'an instance id is a string';
      if (problem) invalid(`--instance-id: ${problem}`);
      sink.instanceId = instanceId;
    }
  } else {
    return invalid(`--sink must be file or kafka, got ${sinkType}`);
  }
  const rawThreads = values['validation-threads'] ?? env.TRACKLANE_VALIDATION_THREADS ?? file.validationThreads ?? defaultValidationThreads();
  const validationThreads = integer(rawThreads, (n) => n >= 0 && n <= 64, '--validation-threads must be 0-64');
  return {
    port,
    host: values.host ?? env.TRACKLANE_COLLECTOR_HOST ?? file.host ?? '127.0.0.1',
    schemas,
    writeKeys,
    sink,
    limits: file.limits ?? {},
    dedup: dedupOptions(values, env, file.dedup),
    trustProxy: values['trust-proxy'] ?? trustProxyOption(file.trustProxy),
    validationThreads,
    metrics: metricsOptions(values, env, file.metrics),
  };
}

/** `trustProxy` of the config file: true, false or the number of trusted proxies. */
function trustProxyOption(raw: unknown): boolean | number {
  if (raw === undefined || typeof raw === 'boolean') return raw ?? false;
  return integer(raw, (n) => n >= 0 && n <= 16, 'trustProxy in the config file must be true, false or 0-16');
}

/** The metrics listener and token from flags, environment and the config file's `metrics: {token, port, host}`. */
function metricsOptions(values: { 'metrics-token'?: string; 'metrics-port'?: string; 'metrics-host'?: string }, env: NodeJS.ProcessEnv, file: unknown = {}): MetricsOptions {
  const fields = configSection(file, 'metrics', ['token', 'port', 'host']);
  const metrics: MetricsOptions = {};
  const token = values['metrics-token'] ?? env.TRACKLANE_METRICS_TOKEN ?? fields.token;
  if (token !== undefined) {
    if (typeof token !== 'string' || !/^\S+$/.test(token)) invalid('--metrics-token must be a non-empty token without spaces');
    metrics.token = token as string;
  }
  const port = values['metrics-port'] ?? env.TRACKLANE_METRICS_PORT ?? fields.port;
  if (port !== undefined) metrics.port = integer(port, (n) => n >= 0 && n <= 65535, '--metrics-port must be 0-65535');
  const host = values['metrics-host'] ?? env.TRACKLANE_METRICS_HOST ?? fields.host;
  if (host !== undefined) {
    if (typeof host !== 'string' || host === '') invalid('--metrics-host must be an interface address');
    if (metrics.port === undefined) invalid('--metrics-host needs --metrics-port (the metrics listener)');
    metrics.host = host as string;
  }
  return metrics;
}

type ConfigFile = Partial<Omit<ServeConfig, 'writeKeys'>> & { data?: string; instanceId?: string; writeKeys?: (WriteKeyConfig | string)[] };

/** The `--config` file; errors name it. */
function readConfigFile(file: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return invalid(`cannot read --config ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return JSON.parse(text) as ConfigFile;
  } catch (error) {
    return invalid(`--config ${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/** A write key from the config file: an object, or a string in the `--write-key` syntax. */
function fileWriteKey(entry: WriteKeyConfig | string, index: number): WriteKeyConfig {
  if (typeof entry === 'string') return parseWriteKey(entry);
  if (typeof entry !== 'object' || entry === null || typeof entry.key !== 'string' || entry.key === '') {
    return invalid(`writeKeys[${index}] in the config file needs a non-empty "key"`);
  }
  return entry;
}
