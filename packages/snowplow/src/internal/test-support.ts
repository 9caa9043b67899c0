// Test helpers shared by this package's tests (not exported from the package).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { Envelope, SelfDescribing } from '@tracklane/core';

export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const repoRoot = path.resolve(packageRoot, '../..');
/** Iglu Central, vendored in the repository (test/corpora/iglu-central/README.md). */
export const igluCentral = path.join(repoRoot, 'test/corpora/iglu-central');

/** A self-describing JSON Schema from a local Iglu layout, without `$schema` and `self` (ajv knows neither). */
export function loadIgluSchema(root: string, uri: string): Record<string, unknown> {
  const [vendor, name, format, version] = uri.replace(/^iglu:/, '').split('/') as [string, string, string, string];
  const text = readFileSync(path.join(root, 'schemas', vendor, name, format, version), 'utf8');
  const { $schema: _meta, self: _self, ...body } = JSON.parse(text) as Record<string, unknown>;
  return body;
}

const segment = (chars: string, max: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...chars), minLength: 1, maxLength: max });
const lower = 'abcdefghijklmnopqrstuvwxyz';

export const schemaUriArb: fc.Arbitrary<string> = fc
  .tuple(segment(`${lower}.-`, 20), segment(`${lower}_-0123456789`, 20), fc.nat(9), fc.nat(9), fc.nat(9))
  .map(([vendor, name, m, r, a]) => `iglu:${vendor}/${name}/jsonschema/${m + 1}-${r}-${a}`);

/** Short text, within the envelope schema's 255-character fields: full unicode. */
const shortTextArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
);

/** Any text in event and entity data: full unicode, sometimes long. */
const textArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 2_000, maxLength: 20_000 }) },
);

const dataArb: fc.Arbitrary<Record<string, unknown>> = fc.dictionary(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.oneof(textArb, fc.jsonValue({ maxDepth: 3 })),
  { maxKeys: 8 },
);

const selfDescribingArb: fc.Arbitrary<SelfDescribing> = fc.record({ schema: schemaUriArb, data: dataArb });

const isoArb: fc.Arbitrary<string> = fc
  .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) })
  .map((ms) => new Date(ms).toISOString());

const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
/** Drops keys whose value is undefined, as JSON does. */
const defined = <T extends object>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Tracker names as Snowplow writes them in `tv` (`<name>-<version>`): no `-<digit>` inside the name. */
const trackerNameArb = fc
  .string({ unit: fc.constantFrom(...`${lower}-_`), minLength: 1, maxLength: 16 })
  .filter((name) => !name.startsWith('-') && !name.endsWith('-'));

/** Envelopes as core stores them: unicode, large payloads, many entities, optional parts absent. */
export const envelopeArb: fc.Arbitrary<Envelope> = fc
  .record({
    id: fc.uuid(),
    event: selfDescribingArb,
    entities: opt(fc.array(selfDescribingArb, { maxLength: 25 })),
    ts: fc.record({ created: isoArb, true: opt(isoArb) }),
    app: fc.record({ id: segment(`${lower}-0123456789`, 20), platform: fc.constantFrom('web', 'srv', 'mob', 'app') }),
    tracker: fc.record({
      name: trackerNameArb,
      version: fc.tuple(fc.nat(20), fc.nat(20), fc.nat(20)).map((v) => v.join('.')),
      namespace: opt(segment(`${lower}0123456789`, 10)),
    }),
    user: fc.record({ anonymousId: opt(fc.uuid()), userId: opt(shortTextArb), sessionId: opt(fc.uuid()), sessionIndex: opt(fc.integer({ min: 0, max: 1_000_000 })) }),
    consent: fc.record({
      purposes: fc.dictionary(segment(`${lower}_`, 12).filter((name) => name !== '__proto__'), fc.constantFrom('granted', 'denied', 'pending') as fc.Arbitrary<'granted'>, { maxKeys: 4 }),
      policyVersion: opt(shortTextArb),
      source: opt(fc.constantFrom('banner', 'default', 'server')),
    }),
    page: opt(fc.record({ url: opt(fc.webUrl()), referrer: opt(fc.webUrl()), title: opt(shortTextArb) })),
    device: opt(
      fc.record({
        userAgent: opt(shortTextArb),
        language: opt(fc.constantFrom('en-US', 'de', 'ja-JP', 'pt-BR')),
        timezone: opt(fc.constantFrom('Europe/Berlin', 'UTC', 'Asia/Tokyo')),
        screen: opt(fc.tuple(fc.nat(8000), fc.nat(8000)).map(([w, h]) => `${w}x${h}`)),
      }),
    ),
  })
  .map(defined);
