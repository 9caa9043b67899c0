// Envelopes for the Snowplow round-trip tests: valid for the collector (envelope schema, a small
// permissive tracking plan), otherwise as varied as fast-check makes them.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import type { Envelope, SelfDescribing } from '@tracklane/core';

/** Event and entity schemas that accept any object: the tests are about the protocol, not the plan. */
export const OPEN_SCHEMAS = [
  'iglu:dev.tracklane.roundtrip/any_event/jsonschema/1-0-0',
  'iglu:dev.tracklane.roundtrip/other_event/jsonschema/2-1-3',
  'iglu:dev.tracklane.roundtrip/any_entity/jsonschema/1-0-0',
] as const;

export function writeOpenSchemas(dir: string): void {
  for (const uri of OPEN_SCHEMAS) {
    const [vendor, name, format, version] = uri.slice('iglu:'.length).split('/') as [string, string, string, string];
    const file = path.join(dir, vendor, name, format, version);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(
      file,
      JSON.stringify({
        $schema: 'http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#',
        self: { vendor, name, format, version },
        type: 'object',
      }),
    );
  }
}

const lower = 'abcdefghijklmnopqrstuvwxyz';
const segment = (chars: string, max: number) => fc.string({ unit: fc.constantFrom(...chars), minLength: 1, maxLength: max });
const shortText = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 60 }));
const key = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((k) => k !== '__proto__');
const value = fc.oneof(
  shortText,
  fc.string({ unit: 'grapheme-ascii', minLength: 1_000, maxLength: 6_000 }),
  fc.jsonValue({ maxDepth: 3 }).filter((v) => !JSON.stringify(v).includes('"__proto__"')),
);
const data = fc.dictionary(key, value, { maxKeys: 6 });
const selfDescribing = (schemas: readonly string[]): fc.Arbitrary<SelfDescribing> => fc.record({ schema: fc.constantFrom(...schemas), data });
const iso = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }).map((ms) => new Date(ms).toISOString());
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

/** Envelopes as core stores them (no `ts.sent`), JSON-clean (no undefined members). */
export const envelopeArb: fc.Arbitrary<Envelope> = fc
  .record({
    id: fc.uuid({ version: 7 }),
    event: selfDescribing(OPEN_SCHEMAS.slice(0, 2)),
    entities: opt(fc.array(selfDescribing(OPEN_SCHEMAS.slice(2)), { maxLength: 20 })),
    ts: fc.record({ created: iso, true: opt(iso) }),
    app: fc.record({ id: segment(`${lower}-0123456789`, 20), platform: fc.constantFrom('web', 'srv', 'mob', 'app') as fc.Arbitrary<'web'> }),
    tracker: fc.record({
      name: segment(`${lower}_-`, 16).filter((n) => !n.startsWith('-') && !n.endsWith('-')),
      version: fc.tuple(fc.nat(20), fc.nat(20), fc.nat(20)).map((v) => v.join('.')),
      namespace: opt(segment(`${lower}0123456789`, 10)),
    }),
    user: fc.record({ anonymousId: opt(fc.uuid()), userId: opt(shortText), sessionId: opt(fc.uuid()), sessionIndex: opt(fc.nat(1_000_000)) }),
    consent: fc.record({
      purposes: fc.dictionary(segment(`${lower}_`, 12).filter((name) => name !== '__proto__'), fc.constantFrom('granted', 'denied', 'pending') as fc.Arbitrary<'granted'>, { maxKeys: 4 }),
      policyVersion: opt(shortText),
      source: opt(fc.constantFrom('banner', 'default', 'server')),
    }),
    page: opt(fc.record({ url: opt(fc.webUrl()), referrer: opt(fc.webUrl()), title: opt(shortText) })),
    device: opt(
      fc.record({
        userAgent: opt(shortText),
        language: opt(fc.constantFrom('en-US', 'de', 'ja-JP')),
        timezone: opt(fc.constantFrom('Europe/Berlin', 'UTC', 'Asia/Tokyo')),
        screen: opt(fc.tuple(fc.nat(8000), fc.nat(8000)).map(([w, h]) => `${w}x${h}`)),
      }),
    ),
  })
  .map((envelope) => JSON.parse(JSON.stringify(envelope)) as Envelope);

/**
 * What the tracker protocol carries of an envelope: all of it except `app.version` (tp2 has no
 * field for it), `ts.sent` (set per attempt as `stm`), and empty `entities`, `page` or `device`
 * (tp2 has nothing to send for them).
 */
export function carriedByTp2(envelope: Envelope): Envelope {
  const { ts, app, entities, page, device, ...rest } = structuredClone(envelope);
  const { sent: _sent, ...keptTs } = ts;
  const { version: _version, ...keptApp } = app;
  return {
    ...rest,
    ts: keptTs,
    app: keptApp,
    ...(entities && entities.length > 0 ? { entities } : {}),
    ...(page && Object.keys(page).length > 0 ? { page } : {}),
    ...(device && Object.keys(device).length > 0 ? { device } : {}),
  };
}
