import { isAscii } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { CollectorError, CollectorErrorCode } from './errors.js';

const gunzipAsync = promisify(gunzip);

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a request body as UTF-8 text within limits: the raw size (`maxBodyBytes`) while it streams
 * in, and the inflated size of a gzip body (`maxInflatedBytes`), so a gzip bomb costs nothing.
 * Throws a CollectorError (BODY_TOO_LARGE, BODY_UNREADABLE or UNSUPPORTED_ENCODING) for a body it refuses.
 */
export async function readBody(req: IncomingMessage, limits: { maxBodyBytes: number; maxInflatedBytes: number }): Promise<string> {
  return decodeBody(await readBodyBytes(req, limits));
}

/** readBody without the decoding (`decodeBody`), which a worker thread can do. */
export async function readBodyBytes(req: IncomingMessage, limits: { maxBodyBytes: number; maxInflatedBytes: number }): Promise<Uint8Array> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') throw new CollectorError(CollectorErrorCode.UNSUPPORTED_ENCODING, `unsupported content-encoding ${encoding}`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxBodyBytes) throw new CollectorError(CollectorErrorCode.BODY_TOO_LARGE, `body larger than ${limits.maxBodyBytes} bytes`);

  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limits.maxBodyBytes) throw new CollectorError(CollectorErrorCode.BODY_TOO_LARGE, `body larger than ${limits.maxBodyBytes} bytes`);
    chunks.push(chunk);
  }
  let body = Buffer.concat(chunks);
  if (encoding === 'gzip') {
    try {
      body = await gunzipAsync(body, { maxOutputLength: limits.maxInflatedBytes });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new CollectorError(CollectorErrorCode.BODY_TOO_LARGE, `inflated body larger than ${limits.maxInflatedBytes} bytes`);
      }
      throw new CollectorError(CollectorErrorCode.BODY_UNREADABLE, 'body is not valid gzip');
    }
  }
  return body;
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
