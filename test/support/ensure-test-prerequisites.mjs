#!/usr/bin/env node
// Run by `pnpm test` before anything else: installs what the tests need from outside npm, so the
// README's test command works on a fresh machine. Each step is skipped when already satisfied.
//   - Debian's chromium (real-browser tests drive it with playwright-core), via apt-get as root
//   - Apache Kafka's broker jars (the Kafka tests), via Maven from Maven Central
//   - Debian's postgresql (the warehouse's PostgreSQL tests start a server with test/postgres/start.sh), via apt-get as root
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const say = (text) => process.stdout.write(`[prerequisites] ${text}\n`);
const run = (command, args) => execFileSync(command, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });

function ensureChromium() {
  if (existsSync('/usr/bin/chromium')) return say('chromium: present');
  if (process.getuid?.() !== 0) throw new Error('chromium is missing: run `sudo apt-get install -y chromium` (Debian), then `pnpm test` again');
  say('chromium: installing Debian package');
  run('apt-get', ['update']);
  run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium']);
}

function ensureKafkaJars() {
  say('kafka broker jars: checking');
  run('bash', [path.join(root, 'test/kafka/broker/start.sh'), '--fetch']);
}

function ensurePostgres() {
  try {
    execFileSync('bash', [path.join(root, 'test/postgres/start.sh'), '--check'], { stdio: 'ignore' });
    return say('postgresql: present');
  } catch {
    // Not installed: below.
  }
  if (process.getuid?.() !== 0) throw new Error('PostgreSQL is missing: run `sudo apt-get install -y postgresql` (Debian), then `pnpm test` again');
  say('postgresql: installing Debian package');
  run('apt-get', ['update']);
  run('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql']);
}

try {
  ensureChromium();
  ensureKafkaJars();
  ensurePostgres();
} catch (error) {
  process.stderr.write(`[prerequisites] ${error.message}\n`);
  process.exit(1);
}
