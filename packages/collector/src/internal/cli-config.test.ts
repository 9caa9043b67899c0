import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isTracklaneError } from '@tracklane/core';
import { defaultValidationThreads, loadServeConfig, parseWriteKey } from './cli-config.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tracklane-cli-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
/** Writes a config file and returns its path. */
function configFile(content: unknown): string {
  const file = path.join(dir, `config-${files++}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const MINIMAL = ['--schemas', 'schemas', '--data', 'data', '--write-key', 'k1'];

/** The message of the configuration error `fn` throws. */
function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(isTracklaneError(error), `not a TracklaneError: ${String(error)}`).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a configuration error');
}

describe('parseWriteKey', () => {
  it.each([
    ['k1', { key: 'k1' }],
    ['k1,app=shop', { key: 'k1', appId: 'shop' }],
    ['k1,kind=server', { key: 'k1', kind: 'server' }],
    [
      'pk_web,app=shop,kind=browser,origin=https://shop.example.com,origin=http://localhost:5173',
      { key: 'pk_web', appId: 'shop', kind: 'browser', origins: ['https://shop.example.com', 'http://localhost:5173'] },
    ],
  ])('%s', (spec, config) => {
    expect(parseWriteKey(spec)).toEqual(config);
  });

  it.each([
    [',app=shop', 'empty write key'],
    ['k1,kind=robot', 'unknown write key field "kind"'],
    ['k1,color=red', 'unknown write key field "color"'],
  ])('%s is refused: %s', (spec, message) => {
    expect(configError(() => parseWriteKey(spec))).toContain(message);
  });

  it('never echoes the key itself in an error', () => {
    expect(configError(() => parseWriteKey('s3cr3t-key,colour=red'))).not.toContain('s3cr3t-key');
  });
});

describe('loadServeConfig', () => {
  it('fills defaults from the minimal flags', () => {
    expect(loadServeConfig(MINIMAL, {})).toEqual({
      port: 8787,
      host: '127.0.0.1',
      schemas: ['schemas'],
      writeKeys: [{ key: 'k1' }],
      sink: { type: 'file', dir: 'data', durability: 'fsync' },
      limits: {},
      dedup: {},
      trustProxy: false,
      validationThreads: defaultValidationThreads(),
      metrics: {},
    });
  });

  it('takes the metrics listener and token from flags, else the environment, else the config file', () => {
    expect(loadServeConfig([...MINIMAL, '--metrics-port', '9102', '--metrics-host', '10.0.0.5', '--metrics-token', 't1'], {}).metrics).toEqual({ port: 9102, host: '10.0.0.5', token: 't1' });
    const env = { TRACKLANE_METRICS_PORT: '9103', TRACKLANE_METRICS_TOKEN: 't2' };
    expect(loadServeConfig(MINIMAL, env).metrics).toEqual({ port: 9103, token: 't2' });
    const file = configFile({ metrics: { port: 9104, host: '::1', token: 't3' } });
    expect(loadServeConfig([...MINIMAL, '--config', file], {}).metrics).toEqual({ port: 9104, host: '::1', token: 't3' });
    expect(loadServeConfig([...MINIMAL, '--config', file], env).metrics).toEqual({ port: 9103, host: '::1', token: 't2' });
  });

  it.each<[string[], Record<string, string>, unknown, RegExp]>([
    [['--metrics-port=-1'], {}, undefined, /--metrics-port must be 0-65535, got -1/],
    [['--metrics-host', 'h'], {}, undefined, /--metrics-host needs --metrics-port/],
    [[], { TRACKLANE_METRICS_TOKEN: 'two words' }, undefined, /--metrics-token must be a non-empty token without spaces/],
    [[], {}, { metrics: { tokn: 'x' } }, /unknown field metrics\.tokn/],
    [[], {}, { trustProxy: 'yes' }, /trustProxy in the config file must be true, false or 0-16, got yes/],
  ])('refuses metrics and proxy settings that cannot work: %j %j %j', (flags, env, content, message) => {
    const config = content === undefined ? [] : ['--config', configFile(content)];
    expect(configError(() => loadServeConfig([...MINIMAL, ...flags, ...config], env))).toMatch(message);
  });

  it('takes a number of trusted proxies from the config file', () => {
    expect(loadServeConfig([...MINIMAL, '--config', configFile({ trustProxy: 2 })], {}).trustProxy).toBe(2);
  });

  it('takes every flag', () => {
    const config = loadServeConfig(
      ['--port', '9000', '--host', '0.0.0.0', '--schemas', 'a', '--schemas', 'b/registry.json', '--data', '/var/lib/tl', '--write-key', 'k1', '--write-key', 'k2,kind=browser,origin=https://x.test', '--durability', 'write', '--trust-proxy', '--validation-threads', '3', '--dedup-max-ids', '5000', '--dedup-ttl-ms', '60000'],
      {},
    );
    expect(config).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      schemas: ['a', 'b/registry.json'],
      writeKeys: [{ key: 'k1' }, { key: 'k2', kind: 'browser', origins: ['https://x.test'] }],
      sink: { type: 'file', dir: '/var/lib/tl', durability: 'write' },
      trustProxy: true,
      validationThreads: 3,
      dedup: { maxIds: 5000, ttlMs: 60000 },
    });
  });

  it('takes the environment when flags are absent', () => {
    const config = loadServeConfig([], {
      TRACKLANE_COLLECTOR_PORT: '7000',
      TRACKLANE_COLLECTOR_HOST: '::1',
      TRACKLANE_SCHEMAS: 'one:two',
      TRACKLANE_DATA_DIR: '/data',
      TRACKLANE_WRITE_KEYS: 'k1  k2,app=web\n',
      TRACKLANE_VALIDATION_THREADS: '0',
      TRACKLANE_DEDUP_MAX_IDS: '2000000',
      TRACKLANE_DEDUP_TTL_MS: '172800000',
    });
    expect(config).toMatchObject({
      validationThreads: 0,
      dedup: { maxIds: 2_000_000, ttlMs: 172_800_000 },
      port: 7000,
      host: '::1',
      schemas: ['one', 'two'],
      writeKeys: [{ key: 'k1' }, { key: 'k2', appId: 'web' }],
      sink: { type: 'file', dir: '/data' },
    });
  });

  it('lets flags win over the environment, and the environment over the config file', () => {
    const file = configFile({ port: 1111, host: 'file-host', schemas: ['file-schemas'], data: 'file-data', writeKeys: [{ key: 'file-key' }] });
    const env = { TRACKLANE_COLLECTOR_PORT: '2222', TRACKLANE_SCHEMAS: 'env-schemas' };
    const config = loadServeConfig(['--config', file, '--port', '3333'], env);
    expect(config).toMatchObject({ port: 3333, host: 'file-host', schemas: ['env-schemas'], writeKeys: [{ key: 'file-key' }], sink: { dir: 'file-data' } });
  });

  it('reads a complete config file: keys, limits, dedup window, file sink with its durability, trustProxy', () => {
    const file = configFile({
      port: 0,
      schemas: ['schemas'],
      writeKeys: [{ key: 'pk', kind: 'browser', origins: ['https://a.test'], appId: 'web' }],
      sink: { type: 'file', dir: 'store', durability: 'write' },
      limits: { maxBodyBytes: 10, maxEventsPerBatch: 2, rateLimit: { requestsPerSecond: 5 } },
      dedup: { maxIds: 10_000, ttlMs: 3_600_000 },
      trustProxy: true,
      validationThreads: 2,
    });
    expect(loadServeConfig(['--config', file], {})).toEqual({
      port: 0,
      host: '127.0.0.1',
      schemas: ['schemas'],
      writeKeys: [{ key: 'pk', kind: 'browser', origins: ['https://a.test'], appId: 'web' }],
      sink: { type: 'file', dir: 'store', durability: 'write' },
      limits: { maxBodyBytes: 10, maxEventsPerBatch: 2, rateLimit: { requestsPerSecond: 5 } },
      dedup: { maxIds: 10_000, ttlMs: 3_600_000 },
      trustProxy: true,
      validationThreads: 2,
      metrics: {},
    });
  });

  it('takes each dedup field from the flag, else the environment, else the config file', () => {
    const file = configFile({ dedup: { maxIds: 1, ttlMs: 1 } });
    const at = (argv: string[], env: NodeJS.ProcessEnv) => loadServeConfig(['--config', file, ...MINIMAL, ...argv], env).dedup;
    expect(at([], {})).toEqual({ maxIds: 1, ttlMs: 1 });
    expect(at([], { TRACKLANE_DEDUP_MAX_IDS: '2' })).toEqual({ maxIds: 2, ttlMs: 1 });
    expect(at(['--dedup-max-ids', '3'], { TRACKLANE_DEDUP_MAX_IDS: '2', TRACKLANE_DEDUP_TTL_MS: '2' })).toEqual({ maxIds: 3, ttlMs: 2 });
    expect(loadServeConfig([...MINIMAL, '--dedup-ttl-ms=60000'], {}).dedup).toEqual({ ttlMs: 60000 }); // maxIds keeps its default
  });

  it('turns off filling the dedup window from the raw store by flag, environment or config file', () => {
    const warm = (argv: string[], env: NodeJS.ProcessEnv) => loadServeConfig([...MINIMAL, ...argv], env).dedup.warmFromStore;
    expect(warm([], {})).toBeUndefined(); // the default: filled
    expect(warm(['--dedup-warm-from-store', 'false'], {})).toBe(false);
    expect(warm(['--dedup-warm-from-store=true'], { TRACKLANE_DEDUP_WARM_FROM_STORE: 'false' })).toBe(true);
    expect(warm([], { TRACKLANE_DEDUP_WARM_FROM_STORE: 'false' })).toBe(false);
    expect(warm(['--config', configFile({ dedup: { warmFromStore: false } })], {})).toBe(false);
    expect(configError(() => warm(['--dedup-warm-from-store', 'off'], {}))).toContain('--dedup-warm-from-store must be true or false, got off');
  });

  it('takes the file sink instance id from the flag, else the environment, else the config file (sink.instanceId or instanceId)', () => {
    const id = (argv: string[], env: NodeJS.ProcessEnv) => {
      const { sink } = loadServeConfig([...MINIMAL, ...argv], env);
      return sink.type === 'file' ? sink.instanceId : 'not the file sink';
    };
    expect(id([], {})).toBeUndefined(); // the default: the sink's <hostname>-<pid>
    expect(id(['--instance-id', 'c1'], { TRACKLANE_INSTANCE_ID: 'c2' })).toBe('c1');
    expect(id(['--config', configFile({ instanceId: 'c3' })], { TRACKLANE_INSTANCE_ID: 'c2' })).toBe('c2');
    expect(id(['--config', configFile({ instanceId: 'c3' })], {})).toBe('c3');
    expect(id(['--config', configFile({ sink: { type: 'file', dir: 'd', instanceId: 'c4' } })], {})).toBe('c4');
    expect(configError(() => id(['--instance-id', '../../etc'], {}))).toContain('--instance-id: an instance id is 1-100 letters');
    expect(configError(() => id(['--config', configFile({ instanceId: 7 })], {}))).toContain('--instance-id: an instance id is a string');
  });

  it.each(['-1', '1.5', 'many', '65'])('refuses --validation-threads %s', (threads) => {
    expect(configError(() => loadServeConfig([...MINIMAL, `--validation-threads=${threads}`], {}))).toContain('--validation-threads must be 0-64');
  });

  it('accepts write keys in a config file written as flag strings', () => {
    const file = configFile({ schemas: ['s'], data: 'd', writeKeys: ['k1', 'k2,kind=browser,origin=https://a.test'] });
    expect(loadServeConfig(['--config', file], {}).writeKeys).toEqual([{ key: 'k1' }, { key: 'k2', kind: 'browser', origins: ['https://a.test'] }]);
  });

  it('configures the kafka sink from flags and environment', () => {
    const base = ['--schemas', 's', '--write-key', 'k', '--sink', 'kafka'];
    expect(loadServeConfig([...base, '--kafka-brokers', 'a:9092,b:9092', '--kafka-good-topic', 'g'], {}).sink).toEqual({
      type: 'kafka',
      brokers: ['a:9092', 'b:9092'],
      goodTopic: 'g',
      badTopic: 'tracklane-bad',
    });
    expect(loadServeConfig(['--schemas', 's', '--write-key', 'k'], { TRACKLANE_SINK: 'kafka', TRACKLANE_KAFKA_BROKERS: 'k:1' }).sink).toMatchObject({
      type: 'kafka',
      brokers: ['k:1'],
    });
  });

  describe('clear errors', () => {
    it.each<[string, string[], NodeJS.ProcessEnv, string]>([
      ['no schemas', ['--data', 'd', '--write-key', 'k'], {}, '--schemas <dir | registry.json> is required'],
      ['no write key', ['--schemas', 's', '--data', 'd'], {}, 'at least one --write-key is required'],
      ['no data dir', ['--schemas', 's', '--write-key', 'k'], {}, '--data <dir> (the raw store) is required'],
      ['a port out of range', [...MINIMAL, '--port', '70000'], {}, '--port must be 0-65535, got 70000'],
      ['a port that is no number', [...MINIMAL, '--port', 'http'], {}, '--port must be 0-65535, got http'],
      ['a bad port in the environment', MINIMAL, { TRACKLANE_COLLECTOR_PORT: '-1' }, 'got -1'],
      ['an unknown durability', [...MINIMAL, '--durability', 'maybe'], {}, '--durability must be fsync or write'],
      ['an unknown sink', [...MINIMAL, '--sink', 's3'], {}, '--sink must be file or kafka, got s3'],
      ['kafka without brokers', ['--schemas', 's', '--write-key', 'k', '--sink', 'kafka'], {}, '--kafka-brokers host:port'],
      ['no dedup ids at all', [...MINIMAL, '--dedup-max-ids', '0'], {}, '--dedup-max-ids must be 1-16000000, got 0'],
      ['more dedup ids than a Map holds', [...MINIMAL, '--dedup-max-ids', '16777216'], {}, '--dedup-max-ids must be 1-16000000, got 16777216'],
      ['a fraction of a dedup id', [...MINIMAL, '--dedup-max-ids', '1.5'], {}, '--dedup-max-ids must be 1-16000000, got 1.5'],
      ['dedup ids that are no number', [...MINIMAL, '--dedup-max-ids', 'lots'], {}, '--dedup-max-ids must be 1-16000000, got lots'],
      ['an empty dedup ids variable', MINIMAL, { TRACKLANE_DEDUP_MAX_IDS: '' }, '--dedup-max-ids must be 1-16000000, got '],
      ['a dedup ttl of zero', [...MINIMAL, '--dedup-ttl-ms', '0'], {}, '--dedup-ttl-ms must be a positive whole number of milliseconds, got 0'],
      ['a dedup ttl with a unit', [...MINIMAL, '--dedup-ttl-ms', '24h'], {}, '--dedup-ttl-ms must be a positive whole number of milliseconds, got 24h'],
      ['a bad dedup ttl in the environment', MINIMAL, { TRACKLANE_DEDUP_TTL_MS: '-5' }, '--dedup-ttl-ms must be a positive whole number of milliseconds, got -5'],
    ])('%s', (_name, argv, env, message) => {
      const text = configError(() => loadServeConfig(argv, env));
      expect(text).toContain(message);
      expect(text.startsWith('tracklane-collector: ')).toBe(true);
    });

    it('an unknown flag is refused (strict parsing)', () => {
      expect(() => loadServeConfig([...MINIMAL, '--wirte-key', 'x'], {})).toThrow(/--wirte-key/);
    });

    it('a bad port in the config file names the value', () => {
      const file = configFile({ port: 'eighty' });
      expect(configError(() => loadServeConfig(['--config', file, ...MINIMAL], {}))).toContain('got eighty');
    });

    it('a config file that is not JSON names the file', () => {
      const file = configFile('{ "port": 8787, }');
      const text = configError(() => loadServeConfig(['--config', file, ...MINIMAL], {}));
      expect(text).toContain(file);
      expect(text).toContain('not valid JSON');
    });

    it('a config file that does not exist names the file', () => {
      const file = path.join(dir, 'missing.json');
      expect(configError(() => loadServeConfig(['--config', file, ...MINIMAL], {}))).toContain(file);
    });

    it.each<[string, unknown, string]>([
      ['a bad value, naming the flag', { maxIds: 'many' }, '--dedup-max-ids must be 1-16000000, got many'],
      ['a value of the wrong type', { ttlMs: true }, '--dedup-ttl-ms must be a positive whole number of milliseconds, got true'],
      ['a misspelt field', { maxIds: 10, ttl: 60000 }, 'unknown field dedup.ttl in the config file (use maxIds, ttlMs, warmFromStore)'],
      ['warmFromStore that is no boolean', { warmFromStore: 'no' }, '--dedup-warm-from-store must be true or false, got no'],
      ['no object', [10, 60000], 'dedup in the config file must be an object'],
    ])('dedup in the config file: %s', (_name, dedup, message) => {
      const file = configFile({ dedup });
      expect(configError(() => loadServeConfig(['--config', file, ...MINIMAL], {}))).toContain(message);
    });

    it('a write key without a key in the config file', () => {
      const file = configFile({ schemas: ['s'], data: 'd', writeKeys: [{ kind: 'browser' }] });
      expect(configError(() => loadServeConfig(['--config', file], {}))).toContain('writeKeys[0]');
    });
  });
});

describe('defaultValidationThreads', () => {
  it.each([
    [1, 0],
    [2, 1],
    [4, 3],
    [16, 4],
  ])('gives %i cores %i validation threads: the main thread keeps one core', (cores, threads) => {
    expect(defaultValidationThreads(cores)).toBe(threads);
  });
});
