import { describe, expect, it } from 'vitest';
import { parseCommand } from './cli-args.js';

describe('parseCommand: backfill, reprocess, sessions', () => {
  it.each<[string[], object]>([
    [['backfill', '--from', 's', '--schemas', 'd', '--duckdb', 'w', '--since', '2026-12-06', '--until', '2026-12-07'], { command: 'backfill', from: 's', schemas: 'd', target: { kind: 'duckdb', file: 'w' }, since: '2026-12-06', until: '2026-12-07', batchSize: 10_000 }],
    [['reprocess', '--schemas', 'd', '--duckdb', 'w'], { command: 'reprocess', schemas: 'd', target: { kind: 'duckdb', file: 'w' } }],
    [['sessions', '--duckdb', 'w'], { command: 'sessions', rebuild: false, lookbackDays: undefined }],
    [['sessions', '--duckdb', 'w', '--rebuild', '--lookback-days', '7'], { command: 'sessions', rebuild: true, lookbackDays: 7 }],
  ])('%j', (argv, want) => expect(parseCommand(argv, {})).toMatchObject(want));

  it.each<[string[], RegExp]>([
    [['backfill', '--from', 's', '--schemas', 'd', '--duckdb', 'w', '--until', '2026-12-07'], /^backfill needs --since/],
    [['backfill', '--schemas', 'd', '--duckdb', 'w', '--since', 'a', '--until', 'b'], /^backfill needs --from/],
    [['reprocess', '--duckdb', 'w'], /^reprocess needs --schemas/],
    [['sessions', '--duckdb', 'w', '--lookback-days', '0'], /^--lookback-days must be a positive integer, not "0"/],
  ])('%j is refused', (argv, message) => {
    expect(() => parseCommand(argv, {})).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringMatching(message) }));
  });
});
