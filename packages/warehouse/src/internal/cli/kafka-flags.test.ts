import { describe, expect, it } from 'vitest';
import { parseCommand } from './cli-args.js';

const base = ['--schemas', 'd', '--duckdb', 'w'];

describe('the --kafka-* flags', () => {
  it.each<[string[], object]>([
    [['load', '--kafka-brokers', 'k1:9092', ...base], { from: undefined, kafka: { brokers: ['k1:9092'], topic: 'tracklane-good', badTopic: 'tracklane-bad', group: 'tracklane-warehouse', sessionTimeoutMs: 30_000 } }],
    [
      ['load', '--kafka-brokers', 'k1:9092, [::1]:9093', '--kafka-topic', 'g', '--kafka-bad-topic', 'b', '--kafka-group', 'grp', '--kafka-session-timeout-ms', '6000', ...base],
      { kafka: { brokers: ['k1:9092', '[::1]:9093'], topic: 'g', badTopic: 'b', group: 'grp', sessionTimeoutMs: 6000 } },
    ],
    [['status', '--duckdb', 'w', '--kafka-brokers', 'k:1'], { command: 'status', kafka: { brokers: ['k:1'] } }],
    [['load', '--from', 's', ...base], { from: 's', kafka: undefined }],
  ])('%j', (argv, want) => expect(parseCommand(argv)).toMatchObject(want));

  it.each<[string[], RegExp]>([
    [['load', ...base], /^load needs --from <raw store dir> or --kafka-brokers, not both/],
    [['load', '--from', 's', '--kafka-brokers', 'k:1', ...base], /^load needs --from <raw store dir> or --kafka-brokers, not both/],
    [['load', '--from', 's', '--kafka-topic', 't', ...base], /^--kafka-topic needs --kafka-brokers/],
    [['load', '--kafka-brokers', 'k', ...base], /^--kafka-brokers takes host:port\[,host:port\.\.\.\], not "k"/],
    [['load', '--kafka-brokers', 'k:1', '--kafka-topic', 'x', '--kafka-bad-topic', 'x', ...base], /^--kafka-topic and --kafka-bad-topic must differ/],
    [['load', '--kafka-brokers', 'k:1', '--kafka-session-timeout-ms', '0', ...base], /^--kafka-session-timeout-ms must be a positive integer, not "0"/],
  ])('%j is refused', (argv, message) => {
    expect(() => parseCommand(argv)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringMatching(message) }));
  });
});
