import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countMembers } from './event-validator.js';
import { locateEvents } from './event-spans.js';

/** The text of each located event. */
function texts(body: string): string[] | undefined {
  return locateEvents(body)?.map(({ start, end }) => body.slice(start, end));
}

describe('locateEvents', () => {
  it('finds each element of the top-level events array, whatever its type and wherever the key is', () => {
    const body = '{"sentAt":"2026-01-01T00:00:00Z","meta":{"events":[9]},"events":[{"id":"a","n":[1,{"x":"]}"}]},"s\\"}",-1.5e3,null,[]],"after":true}';
    expect(texts(body)).toEqual(['{"id":"a","n":[1,{"x":"]}"}]}', '"s\\"}"', '-1.5e3', 'null', '[]']);
  });

  it('allows whitespace between tokens', () => {
    expect(texts(' { "events" : [ {"a" : 1} , { } ] } ')).toEqual(['{"a" : 1}', '{ }']);
    expect(texts('{"events":[]}')).toEqual([]);
  });

  it('counts the members written in each event, repeated keys included', () => {
    expect(locateEvents('{"events":[{"a":{"b":1,"c":[{"d":":"}]}},{"a":1,"a":2}]}')?.map((span) => span.members)).toEqual([4, 2]);
  });

  it('marks an event written over several lines as not storable as it is (-1)', () => {
    expect(locateEvents('{"events":[{"a":1,\n"b":2},{"a":"\\n"}]}')?.map((span) => span.members)).toEqual([-1, 1]);
  });

  it.each([
    ['no top-level object', '[{"events":[]}]'],
    ['no events key', '{"sentAt":"x"}'],
    ['events given twice (JSON.parse keeps the last)', '{"events":[{"a":1}],"events":[{"b":2}]}'],
    ['an escaped key, which could spell events', '{"\\u0065vents":[{"a":1}],"events":[{"b":2}]}'],
  ])('gives up on %s', (_, body) => {
    expect(locateEvents(body)).toBeUndefined();
  });

  it('gives each event the text JSON.parse read it from, and counts members as the parsed event has keys when no key repeats', () => {
    const event = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 6 });
    const body = fc.record({ sentAt: fc.string(), events: fc.array(fc.oneof(event, fc.jsonValue({ maxDepth: 2 })), { maxLength: 6 }), other: fc.jsonValue({ maxDepth: 3 }) });
    fc.assert(
      fc.property(body, fc.boolean(), (value, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined);
        const parsed = JSON.parse(text) as { events: unknown[] };
        const spans = locateEvents(text);
        expect(spans).toHaveLength(parsed.events.length);
        spans!.forEach(({ start, end, members }, index) => {
          expect(JSON.parse(text.slice(start, end))).toEqual(parsed.events[index]);
          const multiLine = /[\n\r]/.test(text.slice(start, end));
          const keys = countMembers(parsed.events[index], 1000); // -1 for a `__proto__` key
          if (!multiLine && keys >= 0) expect(members).toBe(keys);
          if (multiLine && typeof parsed.events[index] === 'object' && parsed.events[index] !== null) expect(members).toBe(-1);
        });
      }),
      { numRuns: 500 },
    );
  });
});
