#!/usr/bin/env node
// tracklane-warehouse: load the collector's raw store into DuckDB, once; say what is loaded.
import { isTracklaneError } from '@tracklane/core';
import { parseCommand } from './internal/cli/cli-args.js';
import { runCommand } from './internal/cli/run-command.js';

const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());

try {
  await runCommand(parseCommand(process.argv.slice(2)), { stdout: process.stdout, stderr: process.stderr, signal: stop.signal });
} catch (error) {
  const text = isTracklaneError(error) ? `${error.code}: ${error.message}` : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`tracklane-warehouse: ${text}\n`);
  process.exitCode = 1;
}
