import { v7 as uuidv7 } from 'uuid';

/** Fills a buffer with cryptographically strong random bytes (`crypto.getRandomValues`). */
export type FillRandom = (bytes: Uint8Array) => void;

const POOL_BYTES = 16 * 1024;

/**
 * Mints UUID v7 event ids with `uuid`, drawing randomness from a pool refilled 1,024 ids at a time
 * (uuid's own pool refills every 16 ids, which dominates `track()`). Ids are monotonic within a
 * millisecond, as RFC 9562 method 1 (a counter seeded from random bits) describes.
 */
export function createEventIdMinter(fillRandom: FillRandom | undefined): () => string {
  if (!fillRandom) return () => uuidv7();
  const pool = new Uint8Array(POOL_BYTES);
  let offset = POOL_BYTES;
  let msecs = -Infinity;
  let seq = 0;
  return () => {
    if (offset + 16 > POOL_BYTES) {
      fillRandom(pool);
      offset = 0;
    }
    const random = pool.subarray(offset, (offset += 16));
    const now = Date.now();
    if (now > msecs) {
      msecs = now;
      seq = (random[6]! << 23) | (random[7]! << 16) | (random[8]! << 8) | random[9]!;
    } else {
      seq = (seq + 1) | 0;
      if (seq === 0) msecs++;
    }
    return uuidv7({ random, msecs, seq });
  };
}
