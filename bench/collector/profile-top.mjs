#!/usr/bin/env node
// Self time per function and per module of a collector CPU profile (`run.mjs --cpu-prof`).
//
//   node bench/collector/profile-top.mjs <file.cpuprofile | dir> [--top 25]

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const [target, flag, n] = process.argv.slice(2);
if (!target) {
  console.error('usage: node bench/collector/profile-top.mjs <file.cpuprofile | dir> [--top 25]');
  process.exit(2);
}
const top = flag === '--top' ? Number(n) : 25;
const file = statSync(target).isDirectory() ? join(target, readdirSync(target).find((f) => f.endsWith('.cpuprofile'))) : target;
const profile = JSON.parse(readFileSync(file, 'utf8'));

const selfUs = new Map(profile.nodes.map((node) => [node.id, 0]));
const deltas = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) selfUs.set(profile.samples[i], selfUs.get(profile.samples[i]) + (deltas[i + 1] ?? 0));
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

const short = (url) => url.replace(/^file:\/\//, '').replace(/.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '').replace(/.*\/work\/main\//, '');
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
const print = (title, map) => {
  console.log(`\n${title}`);
  for (const [name, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((100 * us) / total).toFixed(1).padStart(6)} %  ${name}`);
};
console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled`);
print('self time by function', byFunction);
print('self time by module', byModule);
