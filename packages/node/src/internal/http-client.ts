import http from 'node:http';
import https from 'node:https';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { HttpClient, HttpRequest, HttpResponse } from '@tracklane/core';

const gzipAsync = promisify(gzipCallback);

export interface NodeHttpClientOptions {
  /**
   * Most sockets open at once per host (keep-alive connections are reused).
   * @default 8
   */
  maxSockets?: number;
}

/** Largest response body read; collector answers are small, anything bigger is cut. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * An HTTP client on `node:http` with keep-alive agents, so a busy tracker reuses a few connections
 * instead of opening one per batch. Rejects on network errors and timeouts; resolves for any status.
 */
export function createNodeHttpClient(options: NodeHttpClientOptions = {}): HttpClient & { destroy(): void } {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 8, scheduling: 'lifo' as const };
  const agents = { 'http:': new http.Agent(agentOptions), 'https:': new https.Agent(agentOptions) };

  const post = (request: HttpRequest): Promise<HttpResponse> =>
    new Promise((resolve, reject) => {
      const url = new URL(request.url);
      const isHttps = url.protocol === 'https:';
      const body = typeof request.body === 'string' ? Buffer.from(request.body) : request.body;
      const req = (isHttps ? https : http).request(
        url,
        {
          method: 'POST',
          agent: isHttps ? agents['https:'] : agents['http:'],
          headers: { ...request.headers, 'content-length': String(body.byteLength) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size <= MAX_RESPONSE_BYTES) chunks.push(chunk);
          });
          res.on('error', reject);
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              header: (name) => {
                const value = res.headers[name.toLowerCase()];
                return Array.isArray(value) ? value[0] : value;
              },
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
        },
      );
      // A deadline for the whole attempt: the `timeout` option of http.request only fires when the
      // socket is idle, so a server trickling bytes could hold the request (and its batch) forever.
      const deadline = setTimeout(() => req.destroy(new Error(`request timed out after ${request.timeoutMs} ms`)), request.timeoutMs);
      req.on('close', () => clearTimeout(deadline));
      req.on('error', reject);
      req.end(body);
    });

  return {
    post,
    // Level 1: on event batches it compresses about as well as the default level at a third of the CPU.
    gzip: async (text) => new Uint8Array(await gzipAsync(Buffer.from(text), { level: 1 })),
    destroy: () => {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}
