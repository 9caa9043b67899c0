// JSON that JSON.parse takes but no strict reader gets back: numbers that overflow a double (`1e400`
// became Infinity and was stored as written) and escaped lone surrogates (`\ud800`, stored as
// written: Go, Rust's serde_json and others refuse or alter the line). Each event holding one is
// rejected alone, naming the field; the batch's other events land; every stored line is strict JSON.
import { beforeAll, describe, expect, it } from 'vitest';
import { partFiles, type TestCollector } from '../helpers/collector.js';
import { collectorWithNormalClient, expectHealthy } from '../helpers/normal-client.js';
import { CLICK, PURCHASE, envelope } from '../helpers/tracking-plan.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const TP2 = '/com.snowplowanalytics.snowplow/tp2';

/**
 * What a strict reader asks of a line: JSON.parse takes it, and no string or key holds a lone
 * surrogate (String.prototype.isWellFormed, ES2024; Node 20 has it) and no number is infinite.
 */
function expectStrictJson(line: string): void {
  const isWellFormed = (text: string): boolean => (text as unknown as { isWellFormed(): boolean }).isWellFormed();
  const stack: unknown[] = [JSON.parse(line)];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node === 'string') expect(isWellFormed(node), `a lone surrogate in ${line.slice(0, 120)}`).toBe(true);
    else if (typeof node === 'number') expect(Number.isFinite(node)).toBe(true);
    else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        expect(isWellFormed(key), `a lone surrogate in a key of ${line.slice(0, 120)}`).toBe(true);
        stack.push(value);
      }
    }
  }
}

function expectStoreStrict(dataDir: string): number {
  let lines = 0;
  for (const kind of ['good', 'bad']) {
    for (const file of partFiles(path.join(dataDir, kind))) {
      const text = readFileSync(file, 'utf8');
      expect(text.endsWith('\n'), `${file} ends with a whole line`).toBe(true);
      for (const line of text.split('\n').slice(0, -1)) {
        expectStrictJson(line);
        lines++;
      }
    }
  }
  return lines;
}

describe('values JSON cannot carry', () => {
  const setup = collectorWithNormalClient((collector) => expectStoreStrict(collector.dataDir));
  let collector: TestCollector;
  beforeAll(() => void (collector = setup.collector));

  /** A body as text (JSON.stringify cannot write `1e400`), one good event around the hostile one. */
  const post = (hostile: string) => {
    const [before, after] = [envelope(), envelope()];
    const text = `{"sentAt":"${new Date().toISOString()}","events":[${JSON.stringify(before)},${hostile},${JSON.stringify(after)}]}`;
    return { answer: collector.post(text), good: [before.id, after.id] };
  };
  const hostileEvent = (id: string, schema: string, data: string): string => JSON.stringify(envelope({ id, event: { schema, data: {} } })).replace('"data":{}', `"data":${data}`);

  it.each<[string, string, string, string]>([
    ['1e400', PURCHASE, '{"orderId":"o-1","total":1e400,"currency":"EUR"}', '/event/data/total: number too large for JSON (overflows to Infinity)'],
    ['-1e999', PURCHASE, '{"orderId":"o-1","total":-1e999,"currency":"EUR"}', '/event/data/total: number too large for JSON (overflows to -Infinity)'],
    ['a 400-digit integer', PURCHASE, `{"orderId":"o-1","total":${'9'.repeat(400)},"currency":"EUR"}`, '/event/data/total: number too large for JSON (overflows to Infinity)'],
    ['a lone high surrogate', CLICK, '{"target":"buy","label":"caf\\ud800"}', '/event/data/label: string holds a lone surrogate (\\ud800 at index 3), not Unicode text'],
    ['a lone low surrogate', CLICK, '{"target":"\\udfff"}', '/event/data/target: string holds a lone surrogate (\\udfff at index 0), not Unicode text'],
    ['a lone surrogate in a key', CLICK, '{"target":"buy","meta":{"\\udc00x":1}}', '/event/data/meta/\ufffdx: key holds a lone surrogate (\\udc00 at index 0), not Unicode text'],
  ])('%s: the event is rejected naming the field, the others land; the bad line is strict JSON', async (_name, schema, data, error) => {
    const id = crypto.randomUUID();
    const { answer, good } = post(hostileEvent(id, schema, data));
    const { status, json } = await answer;
    expect(status).toBe(200);
    expect(json).toEqual({ accepted: 2, duplicates: 0, rejected: [{ id, errors: [error] }] });
    const landed = collector.records('good').map((r) => r.envelope!.id);
    expect(landed).toEqual(expect.arrayContaining(good));
    expect(landed).not.toContain(id);
    const bad = collector.records('bad').filter((r) => (r.payload as { id?: string }).id === id);
    expect(bad).toHaveLength(1);
    expect(bad[0]!.errors).toEqual([error]);
    expect(await collector.metrics()).toMatch(/tracklane_collector_events_total\{outcome="rejected",schema="iglu:com\.example\/\w+\/jsonschema\/1-0-0",reason="unrepresentable"\} [1-9]/);
    expectStoreStrict(collector.dataDir);
    await expectHealthy(collector.url);
  });

  it('a paired surrogate escape, 1.7e308 and 1e-400 are numbers and text JSON carries: accepted', async () => {
    const id = crypto.randomUUID();
    const { answer } = post(hostileEvent(id, PURCHASE, '{"orderId":"\\ud83d\\ude00","total":1.7e308,"currency":"EUR"}'));
    expect((await answer).json).toEqual({ accepted: 3, duplicates: 0, rejected: [] });
    const id2 = crypto.randomUUID();
    expect((await post(hostileEvent(id2, PURCHASE, '{"orderId":"o","total":1e-400,"currency":"EUR"}')).answer).json).toMatchObject({ accepted: 3 });
  });

  it('the tp2 route: a lone surrogate in ue_pr or in a refused payload is kept as U+FFFD in the bad store', async () => {
    const eid = crypto.randomUUID();
    const uePr = JSON.stringify({ schema: 'iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0', data: { schema: CLICK, data: { target: 'x' } } }).replace('"x"', '"\\ud800"');
    const payload = `{"schema":"iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4","data":[{"e":"ue","eid":"${eid}","aid":"shop","p":"web","ue_pr":${JSON.stringify(uePr)}},{"e":"\\ud800tr","aid":"shop","p":"web"}]}`;
    const answer = await collector.request('POST', TP2, { authorization: 'Bearer sk_test_server_5f1e0c2b9d', 'content-type': 'application/json' }, payload);
    expect(answer.status).toBe(200);
    expect(answer.json.accepted).toBe(0);
    expect(answer.json.rejected).toHaveLength(2);
    expect(answer.json.rejected[0].errors).toEqual(['/event/data/target: string holds a lone surrogate (\\ud800 at index 0), not Unicode text']);
    expectStoreStrict(collector.dataDir);
  });
});
