import { readFileSync } from 'node:fs';
import AjvModule from 'ajv-draft-04';
import formatsModule from 'ajv-formats';

// CommonJS packages: under Node's ESM interop the default import is module.exports, whose `default` is the export.
const Ajv = AjvModule.default;
const addFormats = formatsModule.default;
import { describe, expect, it } from 'vitest';
import { SCHEMA, scriptedDestination, testTracker } from './test-support.js';

const schemaFile = new URL('../../schemas/dev.tracklane/envelope/jsonschema/1-0-0', import.meta.url);
const { $schema: _meta, self, ...envelopeSchema } = JSON.parse(readFileSync(schemaFile, 'utf8')) as Record<string, unknown>;
const ajv = new Ajv({ allErrors: true });
addFormats(ajv);
const validate = ajv.compile(envelopeSchema);

describe('the envelope JSON Schema (iglu:dev.tracklane/envelope/jsonschema/1-0-0)', () => {
  it('describes itself with the Iglu key it is stored under', () => {
    expect(self).toEqual({ vendor: 'dev.tracklane', name: 'envelope', format: 'jsonschema', version: '1-0-0' });
  });

  it('accepts every envelope the tracker builds, with and without optional parts', async () => {
    const destination = scriptedDestination(() => ({ type: 'ok' }));
    const tracker = testTracker({ destinations: [destination], appVersion: '2.0.0', namespace: 'web', consent: { purposes: { ads: 'denied' }, policyVersion: '3' } });
    tracker.track({ schema: SCHEMA, data: { n: 1 } });
    tracker.setUser({ anonymousId: 'anon-1', sessionId: 's-1', sessionIndex: 3 });
    tracker.identify('user-1');
    tracker.track({ schema: SCHEMA, data: { nested: { ok: true } } }, { trueTimestamp: new Date(), entities: [{ schema: SCHEMA, data: { e: 1 } }] });
    await tracker.flush();
    const envelopes = destination.batches.flat();
    expect(envelopes).toHaveLength(2);
    for (const envelope of envelopes) {
      const wire = JSON.parse(JSON.stringify({ ...envelope, ts: { ...envelope.ts, sent: new Date().toISOString() } })) as unknown;
      expect(validate(wire), ajv.errorsText(validate.errors)).toBe(true);
    }
  });

  it.each([
    ['an id that is not a UUID', { id: 'nope' }],
    ['a schema that is not an Iglu URI', { event: { schema: 'x', data: {} } }],
    ['an unknown platform', { app: { id: 'a', platform: 'tv' } }],
    ['an unknown consent state', { consent: { purposes: { ads: 'maybe' } } }],
    ['an unknown top-level field', { extra: 1 }],
  ])('rejects %s', (_label, patch) => {
    const valid = {
      id: '01890a5d-ac96-774b-bcce-b302099a8057',
      event: { schema: SCHEMA, data: {} },
      ts: { created: '2026-01-01T00:00:00.000Z' },
      app: { id: 'a', platform: 'web' },
      tracker: { name: 't', version: '1' },
      user: {},
      consent: { purposes: {} },
    };
    expect(validate(valid)).toBe(true);
    expect(validate({ ...valid, ...patch })).toBe(false);
  });
});
