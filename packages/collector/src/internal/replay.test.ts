import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Envelope } from '@tracklane/core';
import { collectorSender, replayRawStore } from './replay.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'tracklane-replay-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const line = (id: string, created: string): string => JSON.stringify({ receivedAt: created, clientIp: '10.0.0.0', envelope: { id, ts: { created } } });

/** A raw store as the file sink writes it, plus a bad partition and a torn line. */
function store(): string {
  const dir = path.join(root, 'store');
  const put = (rel: string, text: string): void => {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  };
  put('good/date=2026-01-01/hour=00/part-2.jsonl', `${line('b', '2026-01-01T00:10:00.000Z')}\n${line('a', '2026-01-01T00:10:00.000Z')}\n`);
  put('good/date=2026-01-01/hour=00/part-1.jsonl', `${line('c', '2026-01-01T00:05:00.000Z')}\n{"envelope":{"id":"torn`);
  put('good/date=2026-01-01/hour=01/part-1.jsonl', `${line('d', '2026-01-01T01:00:00.000Z')}\n\n${line('e', '2026-01-01T01:59:59.999Z')}\n`);
  put('good/date=2025-12-31/hour=23/part-9.jsonl', `${line('z', '2025-12-31T23:00:00.000Z')}\n`);
  put('bad/date=2026-01-01/hour=00/part-1.jsonl', `${JSON.stringify({ errors: ['x'], payload: { id: 'bad' } })}\n`);
  put('good/date=2026-01-01/hour=00/notes.txt', 'not a part file');
  return dir;
}

async function replayed(options: { since?: Date; until?: Date; batchSize?: number } = {}): Promise<{ count: number; batches: string[][] }> {
  const batches: string[][] = [];
  const count = await replayRawStore({ from: store(), ...options, send: async (batch) => void batches.push(batch.map((e) => e.id)) });
  return { count, batches };
}

describe('replayRawStore', () => {
  it('sends every good event once, oldest first (creation time, then id); skips bad records and torn lines', async () => {
    const { count, batches } = await replayed();
    expect(batches.flat()).toEqual(['z', 'c', 'a', 'b', 'd', 'e']);
    expect(count).toBe(6);
  });

  it('sends the same sequence every time', async () => {
    expect((await replayed({ batchSize: 2 })).batches).toEqual((await replayed({ batchSize: 2 })).batches);
  });

  it('cuts batches of batchSize within an hour partition', async () => {
    expect((await replayed({ batchSize: 2 })).batches).toEqual([['z'], ['c', 'a'], ['b'], ['d', 'e']]);
  });

  it.each([
    [{ since: new Date('2026-01-01T00:10:00.000Z') }, ['a', 'b', 'd', 'e']],
    [{ until: new Date('2026-01-01T00:10:00.000Z') }, ['z', 'c']],
    [{ since: new Date('2026-01-01T00:06:00Z'), until: new Date('2026-01-01T01:59:59.999Z') }, ['a', 'b', 'd']],
    [{ since: new Date('2030-01-01T00:00:00Z') }, []],
  ])('%j → %j (since inclusive, until exclusive)', async (window, ids) => {
    const { count, batches } = await replayed(window);
    expect(batches.flat()).toEqual(ids);
    expect(count).toBe(ids.length);
  });

  it('replays nothing from an empty or missing store', async () => {
    const send = vi.fn();
    expect(await replayRawStore({ from: path.join(root, 'missing'), send })).toBe(0);
    expect(send).not.toHaveBeenCalled();
  });
});

describe('collectorSender', () => {
  const batch = [{ id: 'e1' } as Envelope];

  function fakeFetch(statuses: number[]) {
    const calls: { url: string; init: RequestInit }[] = [];
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response('{}', { status: statuses[Math.min(calls.length - 1, statuses.length - 1)] });
    });
    return calls;
  }

  it('posts a batch to /v1/batch with the write key as a bearer token', async () => {
    const calls = fakeFetch([200]);
    await collectorSender('http://collector.test/', 'wk')(batch);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe('http://collector.test/v1/batch');
    expect(calls[0]!.init.headers).toMatchObject({ authorization: 'Bearer wk', 'content-type': 'application/json' });
    expect(JSON.parse(calls[0]!.init.body as string)).toMatchObject({ events: [{ id: 'e1' }] });
  });

  it('fails at once on a 4xx other than 429: retrying cannot help', async () => {
    const calls = fakeFetch([401]);
    await expect(collectorSender('http://collector.test', 'wk')(batch)).rejects.toThrow('collector answered HTTP 401');
    expect(calls).toHaveLength(1);
  });

  it('retries 503 and 429, then succeeds', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      const calls = fakeFetch([503, 429, 200]);
      const sent = collectorSender('http://collector.test', 'wk')(batch);
      await vi.runAllTimersAsync();
      await sent;
      expect(calls).toHaveLength(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('gives up after 5 attempts when the collector keeps answering 503', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      const calls = fakeFetch([503]);
      const sent = collectorSender('http://collector.test', 'wk')(batch).catch((error: unknown) => error);
      await vi.runAllTimersAsync();
      const error = await sent;
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toContain('503');
      expect(calls).toHaveLength(5);
    } finally {
      vi.useRealTimers();
    }
  });
});
