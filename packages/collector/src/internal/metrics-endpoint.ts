import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/**
 * `GET /metrics`: the Prometheus text of `registry`, to a request with `Authorization: Bearer
 * <token>` when a token is set (compared in constant time), else 401. Resolves with the status.
 */
export function metricsAnswer(registry: Registry, token: string | undefined): (req: IncomingMessage, res: ServerResponse) => Promise<number> {
  const expected = token === undefined ? undefined : digest(token);
  return async (req, res) => {
    if (expected !== undefined) {
      const presented = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="metrics"' }).end(JSON.stringify({ error: 'metrics need their bearer token' }));
        return 401;
      }
    }
    if (req.method !== 'GET') {
      res.writeHead(405, { 'content-type': 'application/json', allow: 'GET' }).end(JSON.stringify({ error: 'use GET' }));
      return 405;
    }
    const text = await registry.metrics();
    res.writeHead(200, { 'content-type': registry.contentType }).end(text);
    return 200;
  };
}

/** A listener of its own for `/metrics` (every other path: 404), e.g. on an internal interface. */
export function createMetricsServer(answer: (req: IncomingMessage, res: ServerResponse) => Promise<number>, onError: (error: Error) => void): Server {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
      return;
    }
    answer(req, res).catch((error: unknown) => {
      onError(error as Error);
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  return server;
}

/** Listens on `port` and `host`; resolves with the base URL (`http://host:port`). */
export function listenOn(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      resolve(`http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`);
    });
  });
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
