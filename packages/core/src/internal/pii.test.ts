import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { REDACTED, applyPii } from './pii.js';
import { sha256Hex } from './sha256.js';

describe('sha256Hex', () => {
  it.each(['', 'abc', 'jane@example.com', 'ünïcödé ✓ 😀', 'x'.repeat(1000), 'a'.repeat(55), 'a'.repeat(56), 'a'.repeat(64)])(
    'matches node:crypto for %j',
    (text) => {
      expect(sha256Hex(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    },
  );
});

describe('applyPii', () => {
  const data = { email: 'jane@example.com', name: 'Jane', plan: 'pro', address: { street: '1 Main St', city: 'Paris' }, contacts: [{ phone: '123' }, { phone: '456' }] };

  it('hashes a marked property with SHA-256', () => {
    expect(applyPii(data, { '/email': 'hash' }).email).toBe(sha256Hex('jane@example.com'));
  });

  it('redacts and drops marked properties, leaving the rest', () => {
    const out = applyPii(data, { '/name': 'redact', '/plan': 'drop' });
    expect(out.name).toBe(REDACTED);
    expect(out).not.toHaveProperty('plan');
    expect(out.email).toBe('jane@example.com');
  });

  it('follows nested objects and arrays (`*`)', () => {
    const out = applyPii(data, { '/address/street': 'redact', '/contacts/*/phone': 'drop' });
    expect(out.address).toEqual({ street: REDACTED, city: 'Paris' });
    expect(out.contacts).toEqual([{}, {}]);
  });

  it('never mutates the input', () => {
    const before = structuredClone(data);
    applyPii(data, { '/email': 'hash', '/address/street': 'drop', '/contacts/*/phone': 'redact' });
    expect(data).toEqual(before);
  });

  it('ignores marks for absent properties and leaves null as is', () => {
    expect(applyPii({ a: null }, { '/a': 'hash', '/missing': 'drop', '/a/b': 'redact' })).toEqual({ a: null });
  });

  it('sends a property in clear only when the app opted in', () => {
    expect(applyPii(data, { '/email': 'hash' }, new Set(['/email'])).email).toBe('jane@example.com');
  });
});
