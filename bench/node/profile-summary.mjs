#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `pnpm bench:node --cpu-prof tracklane --reps 1`, written to
// bench/results/cpu-prof/): self time per function and per package, in two windows split at the
// longest stretch of samples inside the benchmark's track() loop, so the track() cost and the delivery
// cost are reported apart.
//
//   node bench/node/profile-summary.mjs <file.cpuprofile> [--top 25]

import { readFileSync } from 'node:fs';

const [file, ...rest] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/node/profile-summary.mjs <file.cpuprofile> [--top 25]');
  process.exit(2);
}
const top = rest[0] === '--top' ? Number(rest[1]) : 25;
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const where = (n) => {
  const { functionName, url, lineNumber } = n.callFrame;
  const short = url.replace(/^file:\/\//, '').replace(/.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '').replace(/.*\/work\/main\//, '');
  return `${functionName || '(anonymous)'} ${short ? `${short}:${lineNumber + 1}` : ''}`.trim();
};
const pkgOf = (n) => {
  const url = n.callFrame.url;
  if (!url) return n.callFrame.functionName.startsWith('(') ? n.callFrame.functionName : '(native)';
  if (url.startsWith('node:')) return url.split('/')[0];
  const m = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  const w = /\/work\/main\/(packages\/[^/]+|bench)/.exec(url);
  return w ? w[1] : url;
};
/** true when the sample's stack contains the benchmark child's main() loop frame (the track loop). */
const inLoop = (id) => {
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const n = nodes.get(cur);
    if (n.callFrame.functionName === 'main' && n.callFrame.url.endsWith('bench/node/child.mjs')) return true;
  }
  return false;
};

// sample i lasts timeDeltas[i + 1]
const windows = { 'track() loop (stack under child main)': new Map(), 'everything else (delivery, GC, idle)': new Map() };
const pkgWindows = { 'track() loop (stack under child main)': new Map(), 'everything else (delivery, GC, idle)': new Map() };
const totals = { 'track() loop (stack under child main)': 0, 'everything else (delivery, GC, idle)': 0 };
const { samples, timeDeltas } = profile;
for (let i = 0; i < samples.length; i++) {
  const dt = (timeDeltas[i + 1] ?? 0) / 1000;
  const n = nodes.get(samples[i]);
  const w = inLoop(samples[i]) ? 'track() loop (stack under child main)' : 'everything else (delivery, GC, idle)';
  totals[w] += dt;
  windows[w].set(where(n), (windows[w].get(where(n)) ?? 0) + dt);
  pkgWindows[w].set(pkgOf(n), (pkgWindows[w].get(pkgOf(n)) ?? 0) + dt);
}
const sorted = (m) => [...m.entries()].sort((a, b) => b[1] - a[1]);
for (const w of Object.keys(windows)) {
  console.log(`\n## ${w}: ${totals[w].toFixed(0)} ms of samples`);
  console.log(`by package: ${sorted(pkgWindows[w]).slice(0, 10).map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(', ')}`);
  console.log('| self ms | % | function |\n|---:|---:|---|');
  for (const [k, v] of sorted(windows[w]).slice(0, top)) console.log(`| ${v.toFixed(1)} | ${((v / totals[w]) * 100).toFixed(1)} | ${k} |`);
}
