#!/usr/bin/env node
// Where does the collector's time per event go? Times the pieces of ingesting the benchmark's bodies in
// isolation, in this one process (median of several rounds), on the TypeScript sources (run under tsx):
//
//   node --import tsx bench/collector/pieces.mjs [--batch 500] [--rounds 7]

import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { batchFactory } from './bodies.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const src = (file) => join(repoRoot, 'packages/collector/src/internal', file);
const { SchemaRegistry } = await import(src('schema-registry.ts'));
const { EventValidator, countMembers } = await import(src('event-validator.ts'));
const { locateEvents } = await import(src('event-spans.ts'));
const { GoodRecordWriter } = await import(src('stored-records.ts'));
const { decodeBody } = await import(src('read-body.ts'));

const args = process.argv.slice(2);
const flag = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const BATCH = flag('--batch', 500);
const ROUNDS = flag('--rounds', 7);
const BODIES = 40;

const next = batchFactory(BATCH);
const texts = Array.from({ length: BODIES }, next);
const buffers = texts.map((t) => Buffer.from(t));
const registry = new SchemaRegistry().load(join(repoRoot, 'examples/tracking-plan/schemas'));
const validator = new EventValidator(registry);
const events = texts.flatMap((t) => JSON.parse(t).events);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** µs per event of `fn`, which handles every body (perBody) or every event. */
function time(name, fn, perBody) {
  const runs = [];
  let keep;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    if (perBody) for (let i = 0; i < BODIES; i++) keep = fn(i);
    else for (let i = 0; i < events.length; i++) keep = fn(events[i], i);
    runs.push(((performance.now() - t0) * 1000) / events.length);
  }
  console.log(`${median(runs).toFixed(2).padStart(7)} µs/event  ${name}`);
  return keep;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
console.log(`${BODIES} bodies x ${BATCH} events, ~${Math.round(texts[0].length / BATCH)} bytes/event, Node ${process.version}`);
time('TextDecoder(fatal).decode(body)', (i) => utf8.decode(buffers[i]), true);
time('decodeBody(body) (ASCII fast path, else the same decoder)', (i) => decodeBody(buffers[i]), true);
time('JSON.parse(body)', (i) => JSON.parse(texts[i]), true);
time('locateEvents(body)', (i) => locateEvents(texts[i]), true);
time('countMembers(event) (the shape check)', (e) => countMembers(e, 32));
time('validator.validate(event) (shape check included)', (e) => validator.validate(e));
const receivedAt = new Date().toISOString();
time('stored line: JSON.stringify({receivedAt, clientIp, envelope})', (envelope) => JSON.stringify({ receivedAt, clientIp: '127.0.0.0', envelope }));
const writers = texts.map((text) => new GoodRecordWriter(receivedAt, '127.0.0.0', { text, spans: locateEvents(text) }));
time('stored line: the received text (GoodRecordWriter)', (envelope, i) => writers[Math.floor(i / BATCH)].value(envelope, i % BATCH, countMembers(envelope, 32)));
time('Buffer.from(text) (what the file write encodes)', (i) => Buffer.from(texts[i]), true);
