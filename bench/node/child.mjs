// One measured run of one SDK, in a fresh process forked by run.mjs (loopback guard preloaded).
// argv: <sdk module path> <sink url> <n>
// Talks to the parent over the IPC channel:
//   -> {kind: 'started', rss}                       SDK constructed, nothing tracked yet
//   -> {kind: 'looped', endNs, loopNs, loopCpuUs, heapUsed, rss}   N synchronous track() calls done
//   -> {kind: 'drained', atNs, drainCpuUs, error}    the SDK's flush/shutdown promise settled
// CPU times are process.cpuUsage() (all threads: V8's GC helpers and libuv's zlib work included).
//   <- {kind: 'report'}  -> {kind: 'report', maxRssKiB, blocked, details}   then exit
// Timestamps are process.hrtime.bigint() sent as strings (CLOCK_MONOTONIC: the sink's clock too).

import { pathToFileURL } from 'node:url';
import { blockedAttempts } from '../lib/loopback-guard.mjs';

const [sdkPath, sinkUrl, nArg] = process.argv.slice(2);
const n = Number(nArg);
const tell = (message) => process.send?.(message);
let sdk;

process.on('message', (message) => {
  if (message?.kind !== 'report') return;
  let details = null;
  try {
    details = sdk?.details?.() ?? null;
  } catch (error) {
    details = { error: String(error) };
  }
  tell({ kind: 'report', maxRssKiB: process.resourceUsage().maxRSS, blocked: blockedAttempts(), details: JSON.parse(JSON.stringify(details)) });
  // Some SDKs keep timers or sockets alive: leave once the report is out.
  process.channel?.unref();
  setTimeout(() => process.exit(0), 100).unref();
});

async function main() {
  const { default: adapter } = await import(pathToFileURL(sdkPath).href);
  sdk = await adapter.start(sinkUrl);
  tell({ kind: 'started', rss: process.memoryUsage.rss() });

  const track = sdk.track;
  const cpu0 = process.cpuUsage();
  const begin = process.hrtime.bigint();
  for (let i = 0; i < n; i++) track(i);
  const end = process.hrtime.bigint();
  const cpu1 = process.cpuUsage(cpu0);
  const mem = process.memoryUsage();
  tell({ kind: 'looped', endNs: String(end), loopNs: String(end - begin), loopCpuUs: cpu1.user + cpu1.system, heapUsed: mem.heapUsed, rss: mem.rss });
  const cpu2 = process.cpuUsage();

  let error = null;
  try {
    await sdk.drain();
  } catch (e) {
    error = String(e?.message ?? e).slice(0, 300);
  }
  const cpu3 = process.cpuUsage(cpu2);
  tell({ kind: 'drained', atNs: String(process.hrtime.bigint()), drainCpuUs: cpu3.user + cpu3.system, error });
}

main().catch((e) => {
  tell({ kind: 'failed', error: String(e?.stack ?? e).split('\n').slice(0, 5).join(' | ') });
  setTimeout(() => process.exit(1), 100);
});
