// Disk spool throughput, a quick measurement (not a test):
//   node --import tsx test/scripts/spool-append-throughput.ts [events=200000] [dir=os.tmpdir()]
// Appends batches of 500 events (as the tracker does) with fsync 'never' and 'batch', then removes
// them in batches (with compactions) and reopens a full spool (replay).
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDiskSpool, type Envelope } from '@tracklane/node';
import type { StoredEvent } from '@tracklane/core';

const total = Number(process.argv[2] ?? 200_000);
const base = process.argv[3] ?? os.tmpdir();
const BATCH = 500;

function makeEvents(count: number): StoredEvent[] {
  return Array.from({ length: count }, (_, n) => {
    const createdAt = Date.now();
    const envelope: Envelope = {
      id: randomUUID(),
      event: { schema: 'iglu:com.acme/checkout_completed/jsonschema/1-0-2', data: { orderId: `ord-${n}`, total: 129.9, currency: 'EUR', items: 3 } },
      app: { id: 'shop-api', platform: 'srv', version: '4.2.0' },
      tracker: { name: 'tracklane-node', version: '0.1.0' },
      user: { userId: `user-${n % 5000}`, anonymousId: '8f6c2a8e-1b7e-4a7e-9d55-3f0f3c3b6a21' },
      consent: { purposes: { analytics: 'granted' }, policyVersion: '2024-01' },
      ts: { created: new Date(createdAt).toISOString() },
    };
    const json = JSON.stringify(envelope);
    return { id: envelope.id, purpose: 'analytics', createdAt, json, bytes: Buffer.byteLength(json) };
  });
}

function time(run: () => void): number {
  const started = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const events = makeEvents(total);
const avgBytes = Math.round(events.reduce((sum, e) => sum + e.bytes, 0) / total);
console.log(`${total} events of ~${avgBytes} B, batches of ${BATCH}, in ${base}`);
for (const fsync of ['never', 'batch'] as const) {
  const dir = fs.mkdtempSync(path.join(base, 'tracklane-spool-bench-'));
  try {
    const count = fsync === 'batch' ? Math.min(total, 50_000) : total;
    let store = createDiskSpool({ dir, fsync })('collector');
    const add = time(() => {
      // The disk spool is synchronous; the EventStore type allows promises.
      for (let i = 0; i < count; i += BATCH) void store.add(events.slice(i, i + BATCH));
    });
    const fileMiB = fs.statSync(path.join(dir, 'collector.log')).size / 2 ** 20;
    void store.close?.();
    const replay = time(() => {
      store = createDiskSpool({ dir, fsync })('collector');
    });
    const remove = time(() => {
      for (let i = 0; i < count; i += BATCH) void store.remove(events.slice(i, i + BATCH).map((e) => e.id));
    });
    void store.close?.();
    const rate = (seconds: number): string => `${Math.round(count / seconds).toLocaleString('en')} events/s`;
    console.log(
      `fsync ${fsync.padEnd(5)}: add ${rate(add)} (${(fileMiB / add).toFixed(0)} MiB/s, ${count} events, ${fileMiB.toFixed(1)} MiB); ` +
        `replay ${rate(replay)}; remove ${rate(remove)}`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
