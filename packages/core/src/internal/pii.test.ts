import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { REDACTED, applyPii } from './pii.js';
import { INITIAL_HASH, ROUND_CONSTANTS, sha256Hex } from './sha256.js';

describe('sha256Hex', () => {
  it('computes the constants of FIPS 180-4', () => {
    expect([...INITIAL_HASH]).toEqual([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
    expect(ROUND_CONSTANTS).toHaveLength(64);
    expect([ROUND_CONSTANTS[0], ROUND_CONSTANTS[1], ROUND_CONSTANTS[31], ROUND_CONSTANTS[62], ROUND_CONSTANTS[63]]).toEqual([
      0x428a2f98, 0x71374491, 0x14292967, 0xbef9a3f7, 0xc67178f2,
    ]);
  });

  it('gets the same constants from any engine whose roots are within a thousand ulps', () => {
    // A root that came close to a 2^-32 step could truncate differently with another engine's cbrt.
    const roots = [...Array.from({ length: 311 }, (_, n) => n + 1).filter((n) => n > 1 && [...Array(n).keys()].slice(2).every((d) => n % d !== 0))];
    expect(roots).toHaveLength(64);
    for (const [index, prime] of roots.entries()) {
      for (const root of index < 8 ? [Math.cbrt(prime), Math.sqrt(prime)] : [Math.cbrt(prime)]) {
        const scaled = (root % 1) * 2 ** 32;
        const ulpsToStep = Math.min(scaled % 1, 1 - (scaled % 1)) / (Number.EPSILON * 4 * 2 ** 32);
        expect(ulpsToStep).toBeGreaterThan(1000);
      }
    }
  });

  it.each(['', 'abc', 'jane@example.com', 'ünïcödé ✓ 😀', 'lone \ud800 surrogate', 'x'.repeat(1000), 'a'.repeat(55), 'a'.repeat(56), 'a'.repeat(64)])(
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
