// Every body the serializer produces validates against Iglu Central's own schemas.
import { existsSync } from 'node:fs';
import path from 'node:path';
import AjvModule from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '@tracklane/core';
import { tp2Body } from './snowplow-destination.js';
import { CONSENT_SCHEMA, CONTEXTS_SCHEMA, PAYLOAD_DATA_SCHEMA, UNSTRUCT_EVENT_SCHEMA } from './tracker-protocol.js';
import { envelopeArb, igluCentral, loadIgluSchema, packageRoot } from './test-support.js';

const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;

const ajv = new Ajv({ allErrors: true, strict: false, logger: false });
addFormats(ajv);
const compile = (root: string, uri: string) => ajv.compile(loadIgluSchema(root, uri));

describe('tp2 bodies against Iglu Central', () => {
  it('finds Iglu Central', () => {
    expect(existsSync(path.join(igluCentral, 'schemas/com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4'))).toBe(true);
  });

  const payloadData = compile(igluCentral, PAYLOAD_DATA_SCHEMA);
  const contexts = compile(igluCentral, CONTEXTS_SCHEMA);
  const unstructEvent = compile(igluCentral, UNSTRUCT_EVENT_SCHEMA);
  const consent = compile(packageRoot, CONSENT_SCHEMA);

  const check = (validate: typeof payloadData, value: unknown, what: string): void => {
    if (!validate(value)) throw new Error(`${what}: ${ajv.errorsText(validate.errors)}`);
  };

  const stored = (json: string): StoredEvent => ({ id: 'x', purpose: 'analytics', createdAt: 0, json, bytes: json.length });

  for (const encodeBase64 of [false, true]) {
    it(`validates payload_data 1-0-4, unstruct_event 1-0-0 and contexts 1-0-1 (encodeBase64: ${encodeBase64})`, () => {
      fc.assert(
        fc.property(fc.array(envelopeArb, { minLength: 1, maxLength: 8 }), fc.nat(), (envelopes, sentAt) => {
          const body = JSON.parse(tp2Body(envelopes.map((e) => stored(JSON.stringify(e))), sentAt, encodeBase64));
          expect(body.schema).toBe(PAYLOAD_DATA_SCHEMA);
          expect(Object.keys(body)).toEqual(['schema', 'data']);
          check(payloadData, body.data, 'payload_data');
          body.data.forEach((item: Record<string, string>, i: number) => {
            const envelope = envelopes[i]!;
            const ue = JSON.parse(encodeBase64 ? Buffer.from(item.ue_px!, 'base64url').toString('utf8') : item.ue_pr!);
            const co = JSON.parse(encodeBase64 ? Buffer.from(item.cx!, 'base64url').toString('utf8') : item.co!);
            expect(ue.schema).toBe(UNSTRUCT_EVENT_SCHEMA);
            check(unstructEvent, ue.data, 'unstruct_event');
            expect(ue.data).toEqual(envelope.event);
            expect(co.schema).toBe(CONTEXTS_SCHEMA);
            check(contexts, co.data, 'contexts');
            expect(co.data.slice(0, -1)).toEqual(envelope.entities ?? []);
            check(consent, co.data.at(-1).data, 'consent entity');
            expect(item.eid).toBe(envelope.id);
            expect(item.stm).toBe(String(sentAt));
          });
        }),
        { numRuns: 150 },
      );
    }, 60_000);
  }

  it('the consent schema is a valid self-describing schema named by its path', () => {
    expect(loadIgluSchema(packageRoot, CONSENT_SCHEMA)).toMatchObject({ type: 'object', required: ['purposes'] });
  });
});
