import { v7 as uuidv7 } from 'uuid';

/** Fills a buffer with cryptographically strong random bytes (`crypto.getRandomValues`). */
export type FillRandom = (bytes: Uint8Array) => void;

const POOL_BYTES = 16 * 1024;

/** Lowercase hex digits of every byte, as char codes: `HEX_CODES[2b]`, `HEX_CODES[2b + 1]`. */
const HEX_CODES = new Uint8Array(512);
for (let byte = 0; byte < 256; byte++) {
  const hex = (byte + 0x100).toString(16);
  HEX_CODES[2 * byte] = hex.charCodeAt(1);
  HEX_CODES[2 * byte + 1] = hex.charCodeAt(2);
}
/** Where each of the 16 bytes goes in the 36 characters `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`. */
const BYTE_POSITIONS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
const HYPHEN = 45;

/**
 * Mints UUID v7 event ids with `uuid`, drawing randomness from a pool refilled 1,024 ids at a time
 * (uuid's own pool refills every 16 ids, which dominates `track()`). Ids are monotonic within a
 * millisecond, as RFC 9562 method 1 (a counter seeded from random bits) describes. `uuid` writes the
 * 16 bytes into a reused buffer; they are formatted here in one `String.fromCharCode` call, a flat
 * string, which costs half of uuid's own formatting. The caller passes the time (`Date.now()`) it
 * also stamps the envelope with, so the id and `ts.created` agree and the clock is read once.
 * Without `fillRandom` (no shipped platform), uuid mints the id alone and reads its own clock.
 */
export function createEventIdMinter(fillRandom: FillRandom | undefined): (now: number) => string {
  if (!fillRandom) return () => uuidv7();
  const pool = new Uint8Array(POOL_BYTES);
  // One 16-byte window of the pool per id, made once: uuid reads bytes 6-9 (to seed the counter,
  // below) and 10-15 (the random tail) of the window it is given.
  const windows = Array.from({ length: POOL_BYTES / 16 }, (_, k) => pool.subarray(16 * k, 16 * k + 16));
  let next = windows.length;
  const options = { random: windows[0]!, msecs: -Infinity, seq: 0 };
  const bytes = new Uint8Array(16);
  const chars: number[] = new Array<number>(36).fill(HYPHEN);
  /** The millisecond whose 6 timestamp bytes are in `chars` already. */
  let formattedMs = -Infinity;
  return (now) => {
    if (next === windows.length) {
      fillRandom(pool);
      next = 0;
    }
    const random = windows[next++]!;
    options.random = random;
    if (now > options.msecs) {
      options.msecs = now;
      options.seq = (random[6]! << 23) | (random[7]! << 16) | (random[8]! << 8) | random[9]!;
    } else {
      options.seq = (options.seq + 1) | 0;
      if (options.seq === 0) options.msecs++;
    }
    uuidv7(options, bytes, 0);
    // Ids of one millisecond share their first 6 bytes: those characters are written once.
    const from = options.msecs === formattedMs ? 6 : 0;
    formattedMs = options.msecs;
    for (let b = from; b < 16; b++) {
      const at = BYTE_POSITIONS[b]!;
      const hex = bytes[b]! * 2;
      chars[at] = HEX_CODES[hex]!;
      chars[at + 1] = HEX_CODES[hex + 1]!;
    }
    return String.fromCharCode.apply(null, chars);
  };
}
