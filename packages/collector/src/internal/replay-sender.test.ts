import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Envelope } from '@tracklane/core';
import { collectorSender } from './replay-sender.js';

const batch = [{ id: 'e1' } as Envelope, { id: 'e2' } as Envelope];
const KEY = 'wk_secret_1234';

interface Seen {
  method: string | undefined;
  url: string | undefined;
  authorization: string | undefined;
  body: string;
}

const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    }),
  );
});

/** A target on loopback that answers each request with the next of `answers` (the last one repeats). */
async function target(...answers: ((res: ServerResponse) => void)[]): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization, body });
      answers[Math.min(seen.length - 1, answers.length - 1)]!(res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const json = (status: number, body: unknown) => (res: ServerResponse) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
const FAST = { backoffMs: 1 };

describe('collectorSender', () => {
  it("posts a batch to /v1/batch with the write key as a bearer token, and returns the collector's counts", async () => {
    const { url, seen } = await target(json(200, { accepted: 1, duplicates: 0, rejected: [{ id: 'e2', errors: ['x'] }] }));
    expect(await collectorSender(`${url}/`, KEY, FAST)(batch)).toEqual({ accepted: 1, duplicates: 0, rejected: 1 });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/v1/batch', authorization: `Bearer ${KEY}` });
    expect(JSON.parse(seen[0]!.body)).toMatchObject({ events: [{ id: 'e1' }, { id: 'e2' }] });
  });

  it('follows no redirect: a 301 is a failure naming where it pointed, and the place it points to gets nothing', async () => {
    const elsewhere = await target(json(200, { accepted: 2, duplicates: 0, rejected: [] }));
    const { url, seen } = await target((res) => res.writeHead(301, { location: `${elsewhere.url}/v1/batch` }).end());
    await expect(collectorSender(url, KEY, FAST)(batch)).rejects.toMatchObject({
      code: 'REPLAY_TARGET',
      message: expect.stringContaining(`answered HTTP 301 (a redirect to ${elsewhere.url}/v1/batch): replay follows no redirect`),
    });
    expect(seen).toHaveLength(1);
    expect(elsewhere.seen).toHaveLength(0);
  });

  it.each<[string, (res: ServerResponse) => void, RegExp]>([
    ['an HTML page', (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Welcome to nginx!</body></html>'), /answered 200 with a body that is not JSON: not a collector's answer \("<html>/],
    ['JSON of another shape', json(200, { ok: true }), /answered 200 with no \{accepted, duplicates, rejected\}/],
    ['counts as strings', json(200, { accepted: '2', duplicates: 0, rejected: [] }), /no \{accepted, duplicates, rejected\}/],
    ['negative counts', json(200, { accepted: 3, duplicates: -1, rejected: [] }), /no \{accepted, duplicates, rejected\}/],
    ['counts that do not add up to the batch', json(200, { accepted: 8, duplicates: 0, rejected: [] }), /counts for 8 events \(8 accepted, 0 duplicates, 0 rejected\) where 2 were sent/],
    ['an empty 204', (res) => res.writeHead(204).end(), /answered HTTP 204/],
    ['a 401', json(401, { error: 'unknown write key' }), /answered HTTP 401/],
  ])('fails at once, without retrying, on %s', async (_, answer, message) => {
    const { url, seen } = await target(answer);
    const error = (await collectorSender(url, KEY, FAST)(batch).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ code: 'REPLAY_TARGET', message: expect.stringMatching(message) });
    expect(error.message).not.toContain(KEY);
    expect(seen).toHaveLength(1);
  });

  it('fails on an answer larger than any collector sends, without holding it', async () => {
    const { url } = await target((res) => res.writeHead(200, { 'content-type': 'application/json' }).end(`{"accepted":2,"pad":"${'x'.repeat(17 << 20)}"}`));
    await expect(collectorSender(url, KEY, FAST)(batch)).rejects.toMatchObject({ code: 'REPLAY_TARGET', message: expect.stringContaining('with more than 16777216 bytes') });
  });

  it('retries 503 and 429, then takes the answer', async () => {
    const { url, seen } = await target(json(503, {}), json(429, {}), json(200, { accepted: 0, duplicates: 2, rejected: [] }));
    expect(await collectorSender(url, KEY, FAST)(batch)).toEqual({ accepted: 0, duplicates: 2, rejected: 0 });
    expect(seen).toHaveLength(3);
  });

  it('retries 408 as core does (a collector or proxy that timed out reading the request)', async () => {
    const { url, seen } = await target(json(408, {}), json(200, { accepted: 2, duplicates: 0, rejected: [] }));
    expect(await collectorSender(url, KEY, FAST)(batch)).toEqual({ accepted: 2, duplicates: 0, rejected: 0 });
    expect(seen).toHaveLength(2);
  });

  it("waits what the collector's Retry-After says instead of its own backoff", async () => {
    const retryNow = (res: ServerResponse) => res.writeHead(503, { 'retry-after': '0' }).end();
    const { url, seen } = await target(retryNow, retryNow, json(200, { accepted: 2, duplicates: 0, rejected: [] }));
    // Its own backoff would wait an hour before the second attempt.
    expect(await collectorSender(url, KEY, { backoffMs: 3_600_000 })(batch)).toEqual({ accepted: 2, duplicates: 0, rejected: 0 });
    expect(seen).toHaveLength(3);
  });

  it('gives up after `attempts` when the collector keeps answering 503', async () => {
    const { url, seen } = await target(json(503, {}));
    await expect(collectorSender(url, KEY, FAST)(batch)).rejects.toMatchObject({ code: 'REPLAY_TARGET', message: expect.stringContaining('failed 5 times, the last: HTTP 503') });
    expect(seen).toHaveLength(5);
  });

  it('counts a target that never answers as a failed attempt (timeoutMs)', async () => {
    const { url, seen } = await target(() => undefined);
    await expect(collectorSender(url, KEY, { ...FAST, attempts: 2, timeoutMs: 100 })(batch)).rejects.toMatchObject({ message: expect.stringContaining('failed 2 times, the last: no answer within 100 ms') });
    expect(seen).toHaveLength(2);
  });
});
