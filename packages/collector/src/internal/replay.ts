import { createReadStream, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Envelope } from '@tracklane/core';

export interface ReplayOptions {
  /** Root of a raw store written by the file sink. */
  from: string;
  /** Only events created at or after this time. @default no lower bound */
  since?: Date;
  /** Only events created before this time. @default no upper bound */
  until?: Date;
  /**
   * Where the events go: a batch of envelopes at a time; `records` holds the same events as the
   * store has them (the line as written, with `receivedAt` and `clientIp`), in the same order.
   */
  send(batch: readonly Envelope[], records: readonly StoredGoodRecord[]): Promise<void>;
  /** Most events per call of `send`. @default 500 */
  batchSize?: number;
}

/** A good record of the raw store: its envelope and its line exactly as the file sink wrote it. */
export interface StoredGoodRecord {
  envelope: Envelope;
  line: string;
}

/**
 * Re-sends the good events of a raw store in a deterministic order (creation time, then id), so
 * two replays send the same sequence; the receiver's deduplication makes a second replay add nothing.
 * Returns the number of events sent.
 */
export async function replayRawStore(options: ReplayOptions): Promise<number> {
  const since = options.since?.getTime() ?? -Infinity;
  const until = options.until?.getTime() ?? Infinity;
  const batchSize = options.batchSize ?? 500;
  let sent = 0;
  for (const hourDir of partitionsBetween(path.join(options.from, 'good'), since, until)) {
    const records: StoredGoodRecord[] = [];
    for (const file of readdirSync(hourDir).filter((f) => f.endsWith('.jsonl')).sort()) {
      for await (const record of readEnvelopes(path.join(hourDir, file))) {
        const created = Date.parse(record.envelope.ts.created);
        if (created >= since && created < until) records.push(record);
      }
    }
    records.sort((a, b) => a.envelope.ts.created.localeCompare(b.envelope.ts.created) || a.envelope.id.localeCompare(b.envelope.id));
    for (let i = 0; i < records.length; i += batchSize) {
      const slice = records.slice(i, i + batchSize);
      await options.send(slice.map((r) => r.envelope), slice);
    }
    sent += records.length;
  }
  return sent;
}

/** Hour partitions (`date=YYYY-MM-DD/hour=HH`) that can hold events in [since, until), oldest first. */
function partitionsBetween(root: string, since: number, until: number): string[] {
  if (!existsSync(root)) return [];
  const hours: string[] = [];
  for (const dateDir of readdirSync(root).filter((d) => d.startsWith('date=')).sort()) {
    for (const hourDir of readdirSync(path.join(root, dateDir)).filter((h) => h.startsWith('hour=')).sort()) {
      const start = Date.parse(`${dateDir.slice(5)}T${hourDir.slice(5)}:00:00Z`);
      if (start + 3_600_000 > since && start < until) hours.push(path.join(root, dateDir, hourDir));
    }
  }
  return hours;
}

async function* readEnvelopes(file: string): AsyncGenerator<StoredGoodRecord> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    try {
      yield { envelope: (JSON.parse(line) as { envelope: Envelope }).envelope, line };
    } catch {
      // A torn last line (the collector died mid-append, before it answered 200): never acknowledged.
    }
  }
}

/** Sends batches to a collector's `/v1/batch`; retries 429/503/network errors a few times. */
export function collectorSender(url: string, writeKey: string): (batch: readonly Envelope[]) => Promise<void> {
  const endpoint = `${url.replace(/\/+$/, '')}/v1/batch`;
  return async (batch) => {
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${writeKey}` },
          body: JSON.stringify({ sentAt: new Date().toISOString(), events: batch }),
        });
        await response.arrayBuffer();
        if (response.ok) return;
        if (response.status !== 429 && response.status < 500) throw new Error(`collector answered HTTP ${response.status}`);
        if (attempt >= 5) throw new Error(`collector answered HTTP ${response.status} ${attempt} times`);
      } catch (error) {
        if (attempt >= 5 || (error as Error).message.startsWith('collector answered')) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
    }
  };
}
