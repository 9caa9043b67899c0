import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createDiskSpool, type TrackerStats } from '@tracklane/node';
import { startFlakyServer } from './helpers/flaky-server.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PRODUCER = path.join(ROOT, 'test', 'fixtures', 'spool-producer.ts');
const TOTAL = 100_000;
const KILL_AFTER = 50_000;
/**
 * With `outage`, the collector holds every request unanswered from here on, so the kill surely leaves
 * events spooled; without it, the kill lands while acknowledgements, removals and compactions happen.
 */
const OUTAGE_AFTER = 25_000;

/** Longest either producer may run; past it the test fails with diagnostics instead of hanging. */
const PRODUCER_DEADLINE_MS = 90_000;

interface Producer {
  child: ChildProcess;
  /** Exit code (null when killed); rejects with diagnostics when the deadline passes. */
  exited: Promise<number | null>;
  stderr: () => string;
}

/** Starts the producer (cwd: repo root, so tsx maps `@tracklane/*` to sources) and reads its stdout lines. */
function startProducer(env: Record<string, string>, onLine: (line: string) => void, describeState: () => string): Producer {
  const child = spawn(process.execPath, ['--import', 'tsx', PRODUCER], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let lastProgress = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop()!; // a line cut by the kill is ignored: its id was not reported in full
    for (const line of lines) {
      if (line.startsWith('progress ')) lastProgress = line;
      else onLine(line);
    }
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`producer (EVENTS=${env.EVENTS}) still running after ${PRODUCER_DEADLINE_MS} ms: ${describeState()}; last ${lastProgress}; stderr: ${stderr}`));
    }, PRODUCER_DEADLINE_MS);
    child.on('close', (code) => {
      clearTimeout(deadline);
      resolve(code);
    });
  });
  return { child, exited, stderr: () => stderr };
}

describe('@tracklane/node disk spool survives kill -9', () => {
  it.each([
    { outage: true, seed: 99 },
    { outage: false, seed: 100 },
  ])('delivers every spooled event after the sender is killed halfway and restarted (outage: $outage)', { timeout: 180_000 }, async ({ outage, seed }) => {
    await using server = await startFlakyServer({ seed });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklane-e2e-spool-'));
    try {
      const env = { COLLECTOR_URL: server.url, SPOOL_DIR: dir };
      const recorded: string[] = [];
      const state = (): string => `${recorded.length} ids recorded, server ${JSON.stringify(server.stats)}`;
      const first = startProducer(
        { ...env, EVENTS: String(TOTAL) },
        (id) => {
          recorded.push(id);
          if (outage && recorded.length === OUTAGE_AFTER) server.setMode('hang');
          if (recorded.length === KILL_AFTER) first.child.kill('SIGKILL');
        },
        state,
      );
      const firstExit = await first.exited;
      expect(first.child.signalCode, `producer ended on its own: ${first.stderr()}`).toBe('SIGKILL');
      expect(firstExit).toBeNull();
      expect(recorded.length).toBeGreaterThanOrEqual(KILL_AFTER);
      expect(new Set(recorded).size).toBe(recorded.length);
      const pendingAtKill = recorded.filter((id) => !server.received.has(id)).length;
      if (outage) expect(pendingAtKill).toBeGreaterThan(OUTAGE_AFTER / 2);

      server.setMode('flaky');
      const started = performance.now();
      let stats: TrackerStats | undefined;
      const second = startProducer(
        { ...env, EVENTS: '0' },
        (line) => {
          if (line.startsWith('stats ')) stats = JSON.parse(line.slice('stats '.length)) as TrackerStats;
        },
        state,
      );
      expect(await second.exited, second.stderr()).toBe(0);
      const restartSeconds = (performance.now() - started) / 1000;

      const missing = recorded.filter((id) => !server.received.has(id));
      console.log(
        `[spool crash, outage ${outage}] killed after ${recorded.length} ids recorded (${pendingAtKill} not yet delivered); ` +
          `restart delivered ${stats?.delivered} in ${restartSeconds.toFixed(1)} s; missing ${missing.length}; ` +
          `duplicates ${server.stats.duplicates}; requests ${server.stats.requests} ${JSON.stringify(server.stats.failures)}`,
      );
      expect(missing.length, `ids lost, e.g. ${missing.slice(0, 3).join(', ')}`).toBe(0);
      expect(stats).toMatchObject({ queued: 0, inFlight: 0, dropped: {} });
      expect(stats!.delivered).toBeGreaterThanOrEqual(pendingAtKill);
      expect(second.stderr()).toBe('');
      // The spool is empty and unlocked after the clean shutdown.
      const spool = createDiskSpool({ dir })('collector');
      expect(spool.count()).toBe(0);
      await spool.close?.();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
