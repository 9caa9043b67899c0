import { isAscii } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import { createGunzip } from 'node:zlib';
import { CollectorError, CollectorErrorCode } from './errors.js';

/** Inflated bytes per step: few steps per body, and a bomb is stopped within one step of its limit. */
const INFLATE_CHUNK_BYTES = 64 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a request body as UTF-8 text within limits: the raw size (`maxBodyBytes`) while it streams
 * in, and the inflated size of a gzip body (`maxInflatedBytes`), so a gzip bomb costs nothing.
 * Throws a CollectorError (BODY_TOO_LARGE, BODY_UNREADABLE or UNSUPPORTED_ENCODING) for a body it refuses.
 */
export async function readBody(req: IncomingMessage, limits: BodyLimits): Promise<string> {
  return decodeBody(await readBodyBytes(req, limits));
}

/** Limits of readBody, and where the bytes it holds are counted. */
export interface BodyLimits {
  maxBodyBytes: number;
  maxInflatedBytes: number;
  /**
   * Told of each chunk's size as it is held: the body as received, then as inflated (an
   * InflightTicket's `charge`). May throw (the budget is spent): reading stops and that error is thrown.
   */
  charge?: (bytes: number) => void;
}

/** readBody without the decoding (`decodeBody`), which a worker thread can do. */
export async function readBodyBytes(req: IncomingMessage, limits: BodyLimits): Promise<Uint8Array> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') throw new CollectorError(CollectorErrorCode.UNSUPPORTED_ENCODING, `unsupported content-encoding ${encoding}`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxBodyBytes) throw new CollectorError(CollectorErrorCode.BODY_TOO_LARGE, `body larger than ${limits.maxBodyBytes} bytes`);

  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limits.maxBodyBytes) throw new CollectorError(CollectorErrorCode.BODY_TOO_LARGE, `body larger than ${limits.maxBodyBytes} bytes`);
    limits.charge?.(chunk.length);
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks);
  return encoding === 'gzip' ? inflate(body, limits) : body;
}

/**
 * Inflates a gzip body chunk by chunk (in libuv's thread pool, off the event loop), counting each
 * chunk against `maxInflatedBytes` and `charge` as it comes out: a bomb stops at the limit, and
 * many bodies at once stop at the budget, before their memory is taken.
 */
function inflate(body: Buffer, limits: BodyLimits): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const gunzip = createGunzip({ chunkSize: INFLATE_CHUNK_BYTES });
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (error: Error): void => {
      gunzip.destroy();
      reject(error);
    };
    gunzip.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxInflatedBytes) return fail(new CollectorError(CollectorErrorCode.BODY_TOO_LARGE, `inflated body larger than ${limits.maxInflatedBytes} bytes`));
      try {
        limits.charge?.(chunk.length);
      } catch (error) {
        return fail(error as Error);
      }
      chunks.push(chunk);
    });
    gunzip.on('error', () => fail(new CollectorError(CollectorErrorCode.BODY_UNREADABLE, 'body is not valid gzip')));
    gunzip.on('end', () => resolve(Buffer.concat(chunks, size)));
    gunzip.end(body);
  });
}

/** The body as text; throws a CollectorError (BODY_UNREADABLE) when it is not UTF-8. */
export function decodeBody(body: Uint8Array): string {
  // ASCII (most bodies from servers) is its own UTF-8: copying the bytes is all the decoding it needs.
  if (isAscii(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('latin1');
  try {
    return utf8.decode(body);
  } catch {
    throw new CollectorError(CollectorErrorCode.BODY_UNREADABLE, 'body is not valid UTF-8');
  }
}

/** The body's JSON value; throws a CollectorError (BODY_NOT_JSON) when the text is not JSON, the one way JSON.parse fails on a string. */
export function parseBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CollectorError(CollectorErrorCode.BODY_NOT_JSON, 'body is not valid JSON', { cause: error });
  }
}
