import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Envelope } from '@tracklane/core';

/** The small tracking plan the collector tests validate against. */
export const CLICK = 'iglu:com.example/click/jsonschema/1-0-0';
export const PURCHASE = 'iglu:com.example/purchase/jsonschema/1-0-0';
/** An entity. */
export const ACCOUNT = 'iglu:com.example/account/jsonschema/1-0-0';

const META = 'http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#';

/** Schema files by path in the Iglu layout: extensionless and `.json`, as both are accepted. */
const SCHEMA_FILES: Record<string, Record<string, unknown>> = {
  'com.example/click/jsonschema/1-0-0': {
    $schema: META,
    self: { vendor: 'com.example', name: 'click', format: 'jsonschema', version: '1-0-0' },
    'x-tracklane': { kind: 'event', owner: 'web' },
    type: 'object',
    properties: {
      target: { type: 'string', maxLength: 64 },
      label: { type: ['string', 'null'], maxLength: 256 },
      meta: { type: 'object' },
    },
    required: ['target'],
    additionalProperties: false,
  },
  'com.example/purchase/jsonschema/1-0-0.json': {
    $schema: META,
    self: { vendor: 'com.example', name: 'purchase', format: 'jsonschema', version: '1-0-0' },
    type: 'object',
    properties: {
      orderId: { type: 'string', minLength: 1, maxLength: 64 },
      total: { type: 'number', minimum: 0 },
      currency: { type: 'string', pattern: '^[A-Z]{3}$' },
    },
    required: ['orderId', 'total', 'currency'],
    additionalProperties: false,
  },
  'com.example/account/jsonschema/1-0-0': {
    $schema: META,
    self: { vendor: 'com.example', name: 'account', format: 'jsonschema', version: '1-0-0' },
    'x-tracklane': { kind: 'entity' },
    type: 'object',
    properties: { plan: { enum: ['free', 'pro', 'enterprise'] } },
    required: ['plan'],
  },
};

/** Writes the plan's schemas below `dir` (Iglu layout). */
export function writeTrackingPlan(dir: string): void {
  for (const [file, schema] of Object.entries(SCHEMA_FILES)) {
    const full = path.join(dir, file);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, JSON.stringify(schema, null, 2));
  }
}

/** A fresh event id in the envelope's UUID format. */
export const eventId = (): string => randomUUID();

/** A valid envelope of a `click` event with a fresh id; `patch` replaces top-level fields. */
export function envelope(patch: Partial<Envelope> & Record<string, unknown> = {}): Envelope {
  return {
    id: eventId(),
    event: { schema: CLICK, data: { target: 'buy-button', label: 'Buy' } },
    entities: [{ schema: ACCOUNT, data: { plan: 'pro' } }],
    ts: { created: new Date().toISOString() },
    app: { id: 'shop', platform: 'web', version: '1.2.3' },
    tracker: { name: 'tracklane-test', version: '0.0.0' },
    user: { anonymousId: 'anon-1', sessionId: 'session-1', sessionIndex: 1 },
    consent: { purposes: { analytics: 'granted' }, policyVersion: '1', source: 'test' },
    ...patch,
  };
}

/** An envelope whose event data breaks its schema (missing `target`). */
export const invalidEnvelope = (patch: Partial<Envelope> = {}): Envelope => envelope({ event: { schema: CLICK, data: { label: 'no target' } }, ...patch });

/** The batch body of the collector protocol. */
export const batch = (events: readonly unknown[]): { sentAt: string; events: readonly unknown[] } => ({ sentAt: new Date().toISOString(), events });
