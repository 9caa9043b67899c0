import { describe, expect, it } from 'vitest';
import { SchemaRegistry } from './schema-registry.js';

const URI = 'iglu:com.acme/signup/jsonschema/1-0-0';
const schema = {
  self: { vendor: 'com.acme', name: 'signup', format: 'jsonschema', version: '1-0-0' },
  type: 'object',
  properties: {
    email: { type: 'string', format: 'email', maxLength: 40, 'x-pii': 'hash' },
    name: { type: 'string', minLength: 3, 'x-pii': 'redact' },
    phone: { type: 'string', pattern: '^\\+[0-9]+$', 'x-pii': 'drop' },
    contacts: { type: 'array', items: { type: 'object', properties: { email: { type: 'string', format: 'email', 'x-pii': 'hash' } } } },
    plan: { enum: ['free', 'team'] },
  },
  required: ['email', 'name', 'phone', 'plan'],
  additionalProperties: false,
};
const registry = new SchemaRegistry();
registry.add(schema, 'test');
const errors = (data: unknown) => registry.get(URI)!.validate(data, '/data');
const HASH = 'a'.repeat(64);

describe('fields marked x-pii at the collector', () => {
  it('accept the original value, as sent by an app that opted in', () => {
    expect(errors({ email: 'jane@example.com', name: 'Jane', phone: '+331', plan: 'free' })).toEqual([]);
  });

  it('accept what trackers send in their place: a SHA-256 hex, the redaction marker, absence', () => {
    expect(errors({ email: HASH, name: '[redacted]', plan: 'team', contacts: [{ email: HASH }] })).toEqual([]);
  });

  it('still reject anything else in a PII field, and keep every other constraint', () => {
    expect(errors({ email: 'not an email', name: 'Jane', plan: 'free' })).not.toEqual([]);
    expect(errors({ email: HASH.slice(1), name: 'Jane', plan: 'free' })).not.toEqual([]);
    expect(errors({ email: HASH, name: 'Jo', plan: 'free' })).not.toEqual([]);
    expect(errors({ email: HASH, name: '[redacted]', plan: 'pro' })).toEqual(['/data/plan: must be equal to one of the allowed values']);
    expect(errors({ email: HASH, plan: 'free' })).toEqual(["/data: must have required property 'name'"]);
  });
});
