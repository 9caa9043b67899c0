#!/usr/bin/env node
// tracklane-collector: serve the native collector, or replay a raw store.
import { parseArgs } from 'node:util';
import { isTracklaneError } from '@tracklane/core';
import { createCollector } from './internal/collector-server.js';
import { isCollectorError } from './internal/errors.js';
import { loadServeConfig } from './internal/cli-config.js';
import { replayRawStore, type RefusedPath } from './internal/replay.js';
import { replayProgress } from './internal/replay-progress.js';
import { collectorSender } from './internal/replay-sender.js';
import { createSink } from './internal/sinks/create-sink.js';

const USAGE = `Usage:
  tracklane-collector --schemas <dir|registry.json> --data <dir> --write-key <key[,app=..,kind=browser,origin=..]> [--port 8787] [--host 127.0.0.1]
                      [--sink file|kafka] [--kafka-brokers h:p,..] [--durability fsync|write] [--config file.json] [--trust-proxy]
                      [--validation-threads <n>]   (worker threads that validate; default: cores - 1, at most 4)
                      [--dedup-max-ids <n>] [--dedup-ttl-ms <ms>]   (event ids remembered to drop retries; default 1000000 ids, 24 h)
                      [--dedup-warm-from-store true|false]   (start with the ids the file raw store holds; default true)
                      [--instance-id <id>]   (names this collector's part files and lock in --data; default <hostname>-<pid>)
                      [--metrics-port <n>] [--metrics-host 127.0.0.1]   (serve /metrics on a listener of its own)
                      [--metrics-token <token>]   (/metrics needs Authorization: Bearer <token>; better: TRACKLANE_METRICS_TOKEN)
  tracklane-collector replay --from <raw store dir> --to <collector URL> --write-key <key> [--since <ISO time>] [--until <ISO time>]
  tracklane-collector replay --from <raw store dir> --to kafka --kafka-brokers h:p,.. [--kafka-good-topic tracklane-good] [--kafka-bad-topic tracklane-bad]
                             [--since <ISO time>] [--until <ISO time>]   (skips events the good topic already holds)
                             (--since / --until: the time the collector received the events; progress on stderr when it is a terminal)
Environment: TRACKLANE_COLLECTOR_PORT, TRACKLANE_SCHEMAS, TRACKLANE_DATA_DIR, TRACKLANE_WRITE_KEYS, TRACKLANE_SINK, TRACKLANE_KAFKA_BROKERS,
             TRACKLANE_VALIDATION_THREADS, TRACKLANE_DEDUP_MAX_IDS, TRACKLANE_DEDUP_TTL_MS, TRACKLANE_DEDUP_WARM_FROM_STORE, TRACKLANE_INSTANCE_ID,
             TRACKLANE_METRICS_TOKEN, TRACKLANE_METRICS_PORT, TRACKLANE_METRICS_HOST
Write keys: a server key (the default kind) only as Authorization: Bearer; a browser key (kind=browser) also as ?key=
             on beacons (POST /v1/batch with a text/plain body), the tp2 POST and the pixel routes`;

async function serve(argv: string[]): Promise<void> {
  const config = loadServeConfig(argv, process.env);
  const collector = createCollector({ ...config, sink: await createSink(config.sink) });
  await collector.listen(config.port, config.host);
  const stop = (): void => {
    void collector.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function replay(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      'write-key': { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      'kafka-brokers': { type: 'string' },
      'kafka-good-topic': { type: 'string' },
      'kafka-bad-topic': { type: 'string' },
    },
  });
  const toKafka = values.to === 'kafka';
  if (!values.from || !values.to || (!toKafka && !values['write-key'])) throw new Error(`replay needs --from, --to and --write-key\n${USAGE}`);
  const time = (value: string | undefined, flag: string): Date | undefined => {
    if (value === undefined) return undefined;
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) throw new Error(`${flag} is not a date: ${value}`);
    return date;
  };
  const since = time(values.since, '--since');
  const until = time(values.until, '--until');
  if (toKafka) {
    const brokers = (values['kafka-brokers'] ?? process.env.TRACKLANE_KAFKA_BROKERS)?.split(',').filter(Boolean);
    if (!brokers?.length) throw new Error(`replay --to kafka needs --kafka-brokers host:port[,host:port]\n${USAGE}`);
    const goodTopic = values['kafka-good-topic'] ?? 'tracklane-good';
    const { replayToKafka } = await import('./internal/sinks/kafka-replay.js');
    const progress = replayProgress(process.stderr);
    const result = await replayToKafka({
      onProgress: progress.update,
      from: values.from,
      ...(since ? { since } : {}),
      ...(until ? { until } : {}),
      brokers,
      goodTopic,
      badTopic: values['kafka-bad-topic'] ?? 'tracklane-bad',
    }).finally(progress.done);
    warnRefused(result.refused);
    process.stdout.write(`${JSON.stringify({ ...result, to: 'kafka', topic: goodTopic })}\n`);
    return;
  }
  const progress = replayProgress(process.stderr);
  const summary = await replayRawStore({
    from: values.from,
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    send: collectorSender(values.to, values['write-key']!),
    onProgress: progress.update,
  }).finally(progress.done);
  const { hour: _hour, ...counts } = summary;
  warnRefused(summary.refused);
  process.stdout.write(`${JSON.stringify({ ...counts, to: values.to })}\n`);
}

/** Store entries a replay did not read, one line each on stderr (the summary on stdout lists them too). */
function warnRefused(refused: readonly RefusedPath[]): void {
  for (const entry of refused) process.stderr.write(`tracklane-collector: replay did not read ${entry.path}: ${entry.why}\n`);
}

const [command, ...rest] = process.argv.slice(2);
const run = command === 'replay' ? replay(rest) : command === '--help' || command === 'help' ? Promise.resolve(void process.stdout.write(`${USAGE}\n`)) : serve(process.argv.slice(2));
run.catch((error: unknown) => {
  // Configuration errors name the program already; a CollectorError (the Kafka sink's) does not.
  const named = isTracklaneError(error) && !isCollectorError(error);
  process.stderr.write(`${named ? error.message : `tracklane-collector: ${(error as Error).message}`}\n`);
  process.exit(1);
});
