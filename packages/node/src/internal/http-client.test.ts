import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeHttpClient } from './http-client.js';

interface TestServer {
  url: string;
  /** Connections the server accepted so far. */
  sockets: number;
  bodies: Buffer[];
  close(): Promise<void>;
}

const servers: TestServer[] = [];
const clients: { destroy(): void }[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A loopback server; `handle` answers (or not) after the body was read. */
async function startServer(handle: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<TestServer> {
  const httpServer = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      state.bodies.push(Buffer.concat(chunks));
      handle(req, res);
    });
  });
  const state: TestServer = {
    url: '',
    sockets: 0,
    bodies: [],
    close: () =>
      new Promise((resolve) => {
        httpServer.closeAllConnections();
        httpServer.close(() => resolve());
      }),
  };
  httpServer.on('connection', () => state.sockets++);
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}/v1/batch`;
  servers.push(state);
  return state;
}

function client(options?: Parameters<typeof createNodeHttpClient>[0]): ReturnType<typeof createNodeHttpClient> {
  const created = createNodeHttpClient(options);
  clients.push(created);
  return created;
}

const ok = (_req: http.IncomingMessage, res: http.ServerResponse): void => {
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"accepted":1}');
};

describe('createNodeHttpClient', () => {
  it('posts the body and headers and resolves with status, headers and text', async () => {
    const server = await startServer((req, res) => {
      res.writeHead(503, { 'Retry-After': '7', 'x-echo': req.headers['x-test'] }).end('busy');
    });
    const response = await client().post({ url: server.url, headers: { 'x-test': 'yes' }, body: 'hello', timeoutMs: 5000 });
    expect(response.status).toBe(503);
    expect(response.header('retry-after')).toBe('7');
    expect(response.header('X-Echo')).toBe('yes');
    expect(response.text).toBe('busy');
    expect(server.bodies[0]!.toString()).toBe('hello');
  });

  it('reuses one keep-alive connection for sequential requests', async () => {
    const server = await startServer(ok);
    const http = client();
    for (let i = 0; i < 20; i++) {
      const response = await http.post({ url: server.url, headers: {}, body: `{"n":${i}}`, timeoutMs: 5000 });
      expect(response.status).toBe(200);
    }
    expect(server.sockets).toBe(1);
  });

  it('opens at most maxSockets connections for concurrent requests', async () => {
    const server = await startServer((req, res) => setTimeout(() => ok(req, res), 20));
    const http = client({ maxSockets: 3 });
    const send = (): Promise<unknown> => http.post({ url: server.url, headers: {}, body: 'x', timeoutMs: 5000 });
    await Promise.all(Array.from({ length: 12 }, send));
    await Promise.all(Array.from({ length: 12 }, send));
    expect(server.sockets).toBe(3);
  });

  it('rejects when the server does not answer within timeoutMs', async () => {
    const server = await startServer(() => {
      // never answers
    });
    const started = Date.now();
    await expect(client().post({ url: server.url, headers: {}, body: 'x', timeoutMs: 150 })).rejects.toThrow(/timed out after 150 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('rejects at timeoutMs even when the server keeps trickling bytes (a total deadline, not an idle timeout)', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200);
      const drip = setInterval(() => res.write(' '), 20);
      res.on('close', () => clearInterval(drip));
    });
    const started = Date.now();
    await expect(client().post({ url: server.url, headers: {}, body: 'x', timeoutMs: 300 })).rejects.toThrow(/timed out after 300 ms/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('rejects on a reset connection and on a refused connection', async () => {
    const server = await startServer((req) => req.socket.destroy());
    await expect(client().post({ url: server.url, headers: {}, body: 'x', timeoutMs: 5000 })).rejects.toThrow();
    const closed = await startServer(ok);
    const url = closed.url;
    await closed.close();
    servers.splice(servers.indexOf(closed), 1);
    await expect(client().post({ url, headers: {}, body: 'x', timeoutMs: 5000 })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('gzips bodies that the server can gunzip', async () => {
    const server = await startServer(ok);
    const http = client();
    const text = JSON.stringify({ events: Array.from({ length: 200 }, (_, i) => ({ id: i, name: 'évènement' })) });
    const compressed = await http.gzip!(text);
    expect(compressed.byteLength).toBeLessThan(Buffer.byteLength(text) / 4);
    expect(gunzipSync(compressed).toString('utf8')).toBe(text);
    await http.post({ url: server.url, headers: { 'content-encoding': 'gzip' }, body: compressed, timeoutMs: 5000 });
    expect(gunzipSync(server.bodies[0]!).toString('utf8')).toBe(text);
  });
});
