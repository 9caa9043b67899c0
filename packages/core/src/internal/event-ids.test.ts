import { randomFillSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEventIdMinter } from './event-ids.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('event ids', () => {
  it.each([
    ['a pooled platform random source', (bytes: Uint8Array) => void randomFillSync(bytes)],
    ["uuid's own random source", undefined],
  ])('are UUID v7, unique and in minting order with %s', (_label, fill) => {
    const mint = createEventIdMinter(fill);
    const ids = Array.from({ length: 5000 }, () => mint(Date.now()));
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('carries the time it is given in the first 48 bits', () => {
    const mint = createEventIdMinter((bytes) => void randomFillSync(bytes));
    const times = [Date.UTC(2026, 10, 26, 3, 30, 0, 123), Date.UTC(2026, 10, 26, 3, 30, 0, 123), Date.UTC(2027, 0, 1), Date.UTC(2027, 0, 1, 0, 0, 0, 1)];
    const stamped = times.map((now) => parseInt(mint(now).replace(/-/g, '').slice(0, 12), 16));
    expect(stamped).toEqual(times);
  });

  it('stay in minting order when the clock steps back', () => {
    const mint = createEventIdMinter((bytes) => void randomFillSync(bytes));
    const ids = [mint(2_000), mint(2_000), mint(1_000), mint(1_000), mint(3_000)];
    expect([...ids].sort()).toEqual(ids);
  });

  it('draws the pool from the platform once per 1,024 ids', () => {
    let fills = 0;
    const mint = createEventIdMinter((bytes) => {
      fills++;
      randomFillSync(bytes);
    });
    for (let n = 0; n < 2048; n++) mint(Date.now());
    expect(fills).toBe(2);
  });

  it('formats exactly the bytes uuid wrote', () => {
    const random = new Uint8Array(16);
    randomFillSync(random);
    const id = createEventIdMinter((bytes) => bytes.set(random.subarray(0, 16)))(Date.now());
    const hex = id.replace(/-/g, '');
    // the random tail (bytes 11-15) comes straight from the pool
    expect(hex.slice(22)).toBe(Buffer.from(random.subarray(11, 16)).toString('hex'));
    expect(id).toMatch(UUID_V7);
  });
});
