import { describe, expect, it } from 'vitest';
import { parseCommand } from './cli-args.js';

describe('parseCommand', () => {
  it.each<[string[], object]>([
    [['load', '--from', 's', '--schemas', 'd', '--duckdb', 'w.duckdb'], { command: 'load', from: 's', schemas: 'd', duckdb: 'w.duckdb', follow: false, flushIntervalMs: 1000, batchSize: 10_000 }],
    [['load', '--from', 's', '--schemas', 'd', '--duckdb', 'w', '--follow', '--flush-interval-ms', '250', '--batch-size', '500'], { command: 'load', follow: true, flushIntervalMs: 250, batchSize: 500 }],
    [['status', '--duckdb', 'w'], { command: 'status', duckdb: 'w', from: undefined }],
    [['status', '--duckdb', 'w', '--from', 's'], { command: 'status', from: 's' }],
    [['export', '--duckdb', 'w', '--lake', 'l'], { command: 'export', duckdb: 'w', lake: 'l' }],
    [[], { command: 'help' }],
  ])('%j', (argv, want) => expect(parseCommand(argv)).toMatchObject(want));

  it.each<[string[], RegExp]>([
    [['load', '--from', 's', '--duckdb', 'w'], /^load needs --schemas/],
    [['load', '--from', 's', '--schemas', 'd', '--duckdb', 'w', '--batch-size', '0'], /^--batch-size must be a positive integer, not "0"/],
    [['load', '--from', 's', '--schemas', 'd', '--duckdb', 'w', '--flush-interval-ms', '1.5'], /^--flush-interval-ms must be a positive integer/],
    [['status'], /^status needs --duckdb/],
    [['export', '--duckdb', 'w'], /^export needs --lake/],
    [['load', '--nope'], /Unknown option '--nope'/],
    [['unload'], /^unknown command: unload/],
  ])('%j is refused', (argv, message) => {
    expect(() => parseCommand(argv)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringMatching(message) }));
  });
});
