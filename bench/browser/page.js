// The benchmark page (bundled once per SDK with its sdks/<name>.js as `sdk`): `window.bench` times
// track() in blocks of calls with performance.now() (5 µs resolution: the page is cross-origin
// isolated) and records long tasks during bursts.
/* global window, location, crossOriginIsolated */
import { start } from 'sdk';

const params = new URLSearchParams(location.search);
let sdk;
let offset = 0;

async function ready() {
  sdk = await start(params.get('sink'));
  return true;
}

/** `blocks` blocks of `size` calls, a task each (the SDK's async work runs between); µs per call of each block. */
async function time(blocks, size) {
  const perCall = [];
  for (let b = 0; b < blocks; b++) {
    const t0 = performance.now();
    for (let i = 0; i < size; i++) sdk.track(offset++);
    perCall.push(((performance.now() - t0) * 1000) / size);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return perCall;
}

/**
 * `n` calls, `chunk` per task (`chunk` = `n`: all in one task), then long tasks observed for
 * `settleMs` more (the SDK stores and sends meanwhile).
 */
async function burst(n, chunk, settleMs) {
  const longTasks = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longTasks.push(Math.round(entry.duration));
  });
  observer.observe({ type: 'longtask' });
  await new Promise((resolve) => setTimeout(resolve, 100));
  let loopMs = 0;
  for (let done = 0; done < n; done += chunk) {
    const t0 = performance.now();
    for (let i = 0; i < chunk; i++) sdk.track(offset++);
    loopMs = Math.max(loopMs, performance.now() - t0);
    if (chunk < n) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  observer.disconnect();
  return { loopMs, longTasks, pending: sdk.pending() };
}

window.bench = { ready, time, burst, isolated: () => crossOriginIsolated };
