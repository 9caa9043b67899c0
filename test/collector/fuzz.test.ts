// Fuzzing the real collector on loopback: property-based bodies (fast-check) and a corpus of
// malformed ones. Never a 5xx (a 503 only comes from a failing sink, and this sink is healthy),
// never a crash, and the valid events of a mixed batch still land.
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type HttpAnswer, type TestCollector } from '../helpers/collector.js';
import { ACCOUNT, CLICK, batch, envelope } from '../helpers/tracking-plan.js';

let collector: TestCollector;
beforeAll(async () => {
  collector = await startCollector({ durability: 'write' });
});
afterAll(() => collector.close());
afterEach(async () => {
  // Never a crash: the process still answers.
  expect((await collector.request('GET', '/healthz')).status).toBe(200);
});

/** Valid ids sent mixed with garbage: all of them must be in the good store. */
const mustLand = new Set<string>();

function expectNoServerError(answer: HttpAnswer, what: string): void {
  expect(answer.status, `${what}: ${answer.text.slice(0, 200)}`).toBeLessThan(500);
  expect(answer.text).not.toMatch(/\n\s+at |node:internal|\.ts:\d+/);
}

/** A 200 answers for every event of the batch. */
function expectAnswersEvery(answer: HttpAnswer, events: number): void {
  const { accepted, duplicates, rejected } = answer.json as { accepted: number; duplicates: number; rejected: unknown[] };
  expect(accepted + duplicates + rejected.length).toBe(events);
}

// ---------------------------------------------------------------------------------------------
// Mutations of a valid envelope: replace, delete or add a field anywhere (hostile keys included).

const PATHS = [
  [], ['id'], ['event'], ['event', 'schema'], ['event', 'data'], ['event', 'data', 'target'], ['event', 'data', 'label'], ['entities'], ['entities', 0],
  ['entities', 0, 'data'], ['entities', 0, 'data', 'plan'], ['ts'], ['ts', 'created'], ['app'], ['app', 'id'], ['app', 'platform'], ['tracker'],
  ['user'], ['user', 'sessionIndex'], ['consent'], ['consent', 'purposes'], ['consent', 'purposes', 'analytics'],
] as const;
const KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'id', 'schema', 'data', '', 'x'.repeat(300)];

type Mutation = { path: readonly (string | number)[]; op: 'set' | 'delete' | 'add'; key: string; value: unknown };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  path: fc.constantFrom(...PATHS),
  op: fc.constantFrom('set', 'delete', 'add'),
  key: fc.oneof(fc.constantFrom(...KEYS), fc.string()),
  value: fc.jsonValue({ maxDepth: 4 }),
});

/** Applies mutations to the JSON text of an envelope (parsed again, so `__proto__` is an own key). */
function mutate(valid: object, mutations: readonly Mutation[]): string {
  let root: unknown = JSON.parse(JSON.stringify(valid));
  for (const { path, op, key, value } of mutations) {
    if (path.length === 0 && op === 'set') {
      root = value;
      continue;
    }
    let parent: any = root;
    for (const step of path.slice(0, -1)) parent = parent?.[step];
    if (typeof parent !== 'object' || parent === null) continue;
    const last = path.at(-1);
    if (op === 'add') {
      const target = last === undefined ? parent : parent[last];
      if (typeof target === 'object' && target !== null) Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
    } else if (last !== undefined) {
      if (op === 'delete') delete parent[last];
      else parent[last] = value;
    }
  }
  return JSON.stringify(root) ?? 'null';
}

describe('property-based', () => {
  it('any JSON value as the body: 200, 400 or 413, never a server error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), fc.record({ events: fc.array(fc.jsonValue({ maxDepth: 6 }), { maxLength: 30 }) })), async (body) => {
        const answer = await collector.post(JSON.stringify(body) ?? 'null');
        expectNoServerError(answer, 'json value');
        expect([200, 400, 413]).toContain(answer.status);
        const isBatch = typeof body === 'object' && body !== null && Array.isArray((body as { events?: unknown }).events);
        expect(answer.status === 200).toBe(isBatch);
        if (answer.status === 200) expectAnswersEvery(answer, (body as { events: unknown[] }).events.length);
      }),
      { numRuns: 150 },
    );
  });

  it('mutated envelopes mixed with valid ones: 200, every event answered, every valid event lands', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(mutation, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 6 }),
        fc.boolean(),
        async (mutations, validCount, gzip) => {
          const valid = Array.from({ length: validCount }, () => envelope());
          const mutated = mutations.map((m) => mutate(envelope(), m));
          const texts = [...valid.map((e) => JSON.stringify(e)), ...mutated].sort(() => Math.random() - 0.5);
          const answer = await collector.post(`{"sentAt":"now","events":[${texts.join(',')}]}`, { gzip });
          expectNoServerError(answer, 'mutated batch');
          expect(answer.status).toBe(200);
          expectAnswersEvery(answer, texts.length);
          expect(answer.json.accepted).toBeGreaterThanOrEqual(validCount);
          const rejectedIds = new Set(answer.json.rejected.map((r: { id: string | null }) => r.id));
          for (const event of valid) {
            expect(rejectedIds.has(event.id)).toBe(false);
            mustLand.add(event.id);
          }
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        },
      ),
      { numRuns: 120 },
    );
    const landed = new Set(collector.records('good').map((r) => r.envelope!.id));
    expect([...mustLand].filter((id) => !landed.has(id))).toEqual([]);
  });

  it('arbitrary bytes and text, with any content type and encoding: never a server error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)), fc.string({ unit: 'binary', maxLength: 512 })),
        fc.constantFrom(null, 'application/json', 'text/plain', 'application/octet-stream', 'application/json; charset=latin1', ''),
        fc.constantFrom(undefined, 'gzip', 'identity', 'br', 'gzip, gzip'),
        async (body, contentType, encoding) => {
          const answer = await collector.post(body, { contentType, headers: encoding ? { 'content-encoding': encoding } : {} });
          expectNoServerError(answer, 'bytes');
          expect([200, 400, 413, 415]).toContain(answer.status);
        },
      ),
      { numRuns: 100 },
    );
  });
});

// ---------------------------------------------------------------------------------------------

const validBatchText = JSON.stringify(batch([envelope(), envelope()]));
const nest = (open: string, close: string, levels: number, inner = '1'): string => open.repeat(levels) + inner + close.repeat(levels);

/** [name, body, extra headers, statuses allowed] */
const CORPUS: [string, Buffer | string, Record<string, string>, number[]][] = [
  ['empty body', '', {}, [400]],
  ['whitespace', ' \n\t ', {}, [400]],
  ['null', 'null', {}, [400]],
  ['a number', '1e400', {}, [400]],
  ...[1, 10, 50, 100, validBatchText.length - 1].map((cut): [string, string, Record<string, string>, number[]] => [`truncated JSON at ${cut}`, validBatchText.slice(0, cut), {}, [400]]),
  ['events: null', '{"events":null}', {}, [400]],
  ['events: a string', '{"events":"[]"}', {}, [400]],
  ['events of every wrong type', '{"events":[1,"a",null,true,[],{},{"id":5,"event":"x"}]}', {}, [200]],
  ['event fields of wrong types', JSON.stringify(batch([{ ...envelope(), ts: 'now', app: [], user: 7, consent: { purposes: [] } }])), {}, [200]],
  ['huge string in an event', JSON.stringify(batch([envelope({ event: { schema: CLICK, data: { target: 'x', label: 'y'.repeat(900_000) } } })])), {}, [200]],
  ['huge key in an event', `{"events":[{"${'k'.repeat(500_000)}":1}]}`, {}, [200]],
  ['huge schema URI', JSON.stringify(batch([envelope({ event: { schema: `iglu:${'a'.repeat(300_000)}/b/jsonschema/1-0-0`, data: {} } })])), {}, [200]],
  ['huge timestamp', JSON.stringify(batch([envelope({ ts: { created: `2026-01-01T00:00:00${'0'.repeat(200_000)}Z` } })])), {}, [200]],
  ['a body over the size limit', 'x'.repeat(1_100_000), {}, [413]],
  ['10^5 nested arrays as the body', nest('[', ']', 100_000), {}, [400]],
  ['10^5 nested objects as the body', nest('{"a":', '}', 100_000), {}, [400]],
  ['10^5 nested arrays in an event', `{"events":[${nest('[', ']', 100_000)}]}`, {}, [200]],
  ['10^5 nested objects in event data', `{"events":[{"event":{"schema":"${CLICK}","data":${nest('{"a":', '}', 100_000)}}}]}`, {}, [200]],
  ['10^6 nested arrays, gzipped', gzipSync(`{"events":[${nest('[', ']', 1_000_000)}]}`), { 'content-encoding': 'gzip' }, [200, 413]],
  ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x65, 0xff, 0xfe, 0x22, 0x3a, 0x5b, 0x5d, 0x7d]), {}, [400]],
  ['lone surrogate escapes', `{"events":[{"id":"\\ud800","x":"\\udfff\\ud800"}]}`, {}, [200]],
  ['NUL bytes', `{"events":[{"id":"a\u0000b"}]}\u0000`, {}, [400]],
  ['a UTF-8 BOM', `\ufeff${validBatchText.replace(/"id":"[^"]+"/g, () => `"id":"${crypto.randomUUID()}"`)}`, {}, [200]],
  ['duplicate keys', '{"events":[],"events":[{"id":1}]}', {}, [200]],
  ['gzip bomb', gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20)), { 'content-encoding': 'gzip' }, [413]],
  ['gzip of garbage', Buffer.concat([gzipSync('{"events":[]}').subarray(0, 10), Buffer.alloc(100, 0xab)]), { 'content-encoding': 'gzip' }, [400]],
  ['binary garbage', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) % 256)), {}, [400]],
  ['10^5 tiny events', `{"events":[${Array(100_000).fill('0').join(',')}]}`, {}, [413]],
  ['101 entities', JSON.stringify(batch([envelope({ entities: Array.from({ length: 101 }, () => ({ schema: ACCOUNT, data: { plan: 'pro' } })) })])), {}, [200]],
];

describe('corpus of malformed bodies', () => {
  it.each(CORPUS)('%s', async (_name, body, headers, statuses) => {
    const answer = await collector.post(body, { headers });
    expectNoServerError(answer, _name);
    expect(statuses).toContain(answer.status);
    if (answer.status === 200) expect(answer.json).toEqual({ accepted: expect.any(Number), duplicates: expect.any(Number), rejected: expect.any(Array) });
  });

  it('each malformed event mixed into a batch of valid ones: the valid ones land', async () => {
    const malformedEvents = ['1', 'null', '"x"', '[]', '{}', nest('[', ']', 50_000), '{"id":"\\ud800"}', `{"event":{"schema":"${CLICK}","data":${nest('{"a":', '}', 2_000)}}}`];
    const valid = Array.from({ length: malformedEvents.length + 1 }, () => envelope());
    const parts = valid.flatMap((event, i) => [JSON.stringify(event), ...(malformedEvents[i] ? [malformedEvents[i]] : [])]);
    const answer = await collector.post(`{"events":[${parts.join(',')}]}`);
    expect(answer.status).toBe(200);
    expect(answer.json.accepted).toBe(valid.length);
    expect(answer.json.rejected).toHaveLength(malformedEvents.length);
    const landed = new Set(collector.records('good').map((r) => r.envelope!.id));
    for (const event of valid) expect(landed.has(event.id)).toBe(true);
  });
});

describe('malformed HTTP', () => {
  /** Writes raw bytes on a fresh connection; resolves with the status line's code (0 if none). */
  const raw = (text: string): Promise<number> =>
    new Promise((resolve) => {
      const { port } = new URL(collector.url);
      const socket = net.connect(Number(port), '127.0.0.1');
      let received = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => (received += chunk));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0)));
      socket.setTimeout(5000, () => socket.destroy());
      socket.end(text);
    });
  const request = (line: string, headers = '', body = '{}') =>
    `${line}\r\nHost: x\r\nAuthorization: Bearer x\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n${headers}\r\n${body}`;

  it.each([
    ['an absolute-form target the URL parser refuses', request('POST http://[ HTTP/1.1')],
    ['a target with a bad port', request('POST http://a:99999/v1/batch HTTP/1.1')],
    ['a target with a bad host escape', request('GET http://%zz/healthz HTTP/1.1')],
    ['an asterisk target', request('GET * HTTP/1.1')],
    ['a header without a colon', request('POST /v1/batch HTTP/1.1', 'Broken header\r\n')],
    ['an invalid chunked body', 'POST /v1/batch HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n'],
    ['both Content-Length and Transfer-Encoding', 'POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n'],
    ['a body shorter than its Content-Length, then a close', 'POST /v1/batch HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer x\r\nContent-Length: 100\r\n\r\n{"ev'],
    ['garbage instead of a request line', '\u0000\u0001\u0002 nonsense\r\n\r\n'],
  ])('%s: no 5xx', async (_name, text) => {
    const status = await raw(text);
    expect(status === 0 || status < 500, `status ${status}`).toBe(true);
  });
});
