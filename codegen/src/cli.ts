#!/usr/bin/env node
// The `tracklane` bin. All logic is in internal/cli/run-cli.ts so tests can run it in-process.
import { runCli } from './internal/cli/run-cli.js';

runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`tracklane: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
