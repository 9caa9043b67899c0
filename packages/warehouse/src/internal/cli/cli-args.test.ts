import { describe, expect, it } from 'vitest';
import { parseCommand } from './cli-args.js';

describe('parseCommand', () => {
  it.each<[string[], object]>([
    [['load', '--from', 's', '--schemas', 'd', '--duckdb', 'w.duckdb'], { command: 'load', from: 's', schemas: 'd', target: { kind: 'duckdb', file: 'w.duckdb' }, follow: false, flushIntervalMs: 1000, batchSize: 10_000 }],
    [['load', '--from', 's', '--schemas', 'd', '--duckdb', 'w', '--follow', '--flush-interval-ms', '250', '--batch-size', '500'], { command: 'load', follow: true, flushIntervalMs: 250, batchSize: 500 }],
    [['status', '--duckdb', 'w'], { command: 'status', target: { kind: 'duckdb', file: 'w' }, from: undefined }],
    [['status', '--postgres', 'postgres://u:secret@h/db'], { command: 'status', target: { kind: 'postgres', url: 'postgres://u:secret@h/db' } }],
    [['load', '--from', 's', '--schemas', 'd', '--postgres', 'postgresql://h/db'], { command: 'load', target: { kind: 'postgres', url: 'postgresql://h/db' } }],
    [['status', '--duckdb', 'w', '--from', 's'], { command: 'status', from: 's' }],
    [['export', '--duckdb', 'w', '--lake', 'l'], { command: 'export', duckdb: 'w', lake: 'l' }],
    [[], { command: 'help' }],
  ])('%j', (argv, want) => expect(parseCommand(argv, {})).toMatchObject(want));

  it.each<[string[], RegExp]>([
    [['load', '--from', 's', '--duckdb', 'w'], /^load needs --schemas/],
    [['load', '--from', 's', '--schemas', 'd', '--duckdb', 'w', '--batch-size', '0'], /^--batch-size must be a positive integer, not "0"/],
    [['load', '--from', 's', '--schemas', 'd', '--duckdb', 'w', '--flush-interval-ms', '1.5'], /^--flush-interval-ms must be a positive integer/],
    [['status'], /^status needs --duckdb/],
    [['export', '--duckdb', 'w'], /^export needs --lake/],
    [['load', '--nope'], /Unknown option '--nope'/],
    [['unload'], /^unknown command: unload/],
    [['status', '--duckdb', 'w', '--postgres', 'postgres://h/db'], /^status takes --duckdb or --postgres, not both/],
    [['status', '--postgres', 'mysql://u:hunter22@h/db'], /^--postgres must be a postgres:\/\/ URL, not "mysql:\/\/u:\*\*\*@h\/db"/],
    [['export', '--duckdb', 'w', '--lake', 'l', '--postgres', 'postgres://h/db'], /^export reads a DuckDB database/],
  ])('%j is refused', (argv, message) => {
    expect(() => parseCommand(argv, {})).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringMatching(message) }));
  });

  it('takes the PostgreSQL URL from TRACKLANE_WAREHOUSE_POSTGRES_URL when no flag names a target; a flag wins', () => {
    const env = { TRACKLANE_WAREHOUSE_POSTGRES_URL: 'postgres://u:secret@h/db' };
    expect(parseCommand(['status'], env)).toMatchObject({ target: { kind: 'postgres', url: 'postgres://u:secret@h/db' } });
    expect(parseCommand(['status', '--duckdb', 'w'], env)).toMatchObject({ target: { kind: 'duckdb', file: 'w' } });
    expect(parseCommand(['status', '--postgres', 'postgres://other/db'], env)).toMatchObject({ target: { kind: 'postgres', url: 'postgres://other/db' } });
    expect(() => parseCommand(['status'], { TRACKLANE_WAREHOUSE_POSTGRES_URL: 'h:5432' })).toThrow(/^TRACKLANE_WAREHOUSE_POSTGRES_URL must be a postgres:\/\/ URL/);
  });
});
