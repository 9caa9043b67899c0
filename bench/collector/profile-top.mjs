#!/usr/bin/env node
// Self time per function and per module of a collector CPU profile (`run.mjs --cpu-prof`).
//
//   node bench/collector/profile-top.mjs <file.cpuprofile | dir (every thread's profile)> [--top 25]

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const [target, flag, n] = process.argv.slice(2);
if (!target) {
  console.error('usage: node bench/collector/profile-top.mjs <file.cpuprofile | dir> [--top 25]');
  process.exit(2);
}
const top = flag === '--top' ? Number(n) : 25;
// A directory holds one profile per thread (the main thread's first, then worker threads'); threads that
// were idle throughout (tsx's module loader threads) are left out.
const files = statSync(target).isDirectory()
  ? readdirSync(target)
      .filter((f) => f.endsWith('.cpuprofile'))
      .sort()
      .map((f) => join(target, f))
  : [target];

const short = (url) => url.replace(/^file:\/\//, '').replace(/.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '').replace(/.*\/work\/main\//, '');

for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const selfUs = new Map(profile.nodes.map((node) => [node.id, 0]));
  const deltas = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) selfUs.set(profile.samples[i], selfUs.get(profile.samples[i]) + (deltas[i + 1] ?? 0));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

  const byFunction = new Map();
  const byModule = new Map();
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id);
    const { functionName, url, lineNumber } = node.callFrame;
    const fn = `${functionName || '(anonymous)'} ${url ? `${short(url)}:${lineNumber + 1}` : ''}`.trim();
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    const mod = url ? (url.startsWith('node:') ? url : short(url).split('/').slice(0, url.includes('node_modules') ? 1 : 4).join('/')) : functionName;
    byModule.set(mod, (byModule.get(mod) ?? 0) + us);
  }
  const idle = byFunction.get('(idle)') ?? 0;
  if (files.length > 1 && idle / total > 0.95) continue;
  const print = (title, map) => {
    console.log(`\n${title}`);
    for (const [name, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      const ofBusy = name === '(idle)' ? '' : `${((100 * us) / Math.max(1, total - idle)).toFixed(1)} % of busy`;
      console.log(`${((100 * us) / total).toFixed(1).padStart(6)} %  ${ofBusy.padStart(14)}  ${name}`);
    }
  };
  console.log(`\n${file}: ${(total / 1e6).toFixed(2)} s sampled, ${((100 * idle) / total).toFixed(1)} % idle`);
  print('self time by function', byFunction);
  print('self time by module', byModule);
}
