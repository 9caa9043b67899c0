import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createBrowserHttpClient, KEEPALIVE_BUDGET_BYTES } from './http-client.js';

const URL_ = 'https://collect.example.com/v1/batch';
const received: { url: string; contentType: string | null; authorization: string | null; body: string }[] = [];
const server = setupServer(
  http.post(URL_, async ({ request }) => {
    received.push({
      url: request.url,
      contentType: request.headers.get('content-type'),
      authorization: request.headers.get('authorization'),
      body: await request.text(),
    });
    return HttpResponse.json({ accepted: 1, duplicates: 0, rejected: [] }, { headers: { 'retry-after': '3' } });
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  received.length = 0;
});
afterAll(() => server.close());

const request = (body: string, unloading = false) => ({
  url: URL_,
  headers: { 'content-type': 'application/json', authorization: 'Bearer wk_123' },
  body,
  timeoutMs: 1000,
  ...(unloading ? { unloading } : {}),
});

describe('browser HTTP client', () => {
  it('POSTs JSON with the write key in the Authorization header', async () => {
    const response = await createBrowserHttpClient().post(request('{"events":[]}'));
    expect(response.status).toBe(200);
    expect(response.header('Retry-After')).toBe('3');
    expect(JSON.parse(response.text)).toMatchObject({ accepted: 1 });
    expect(received).toEqual([{ url: URL_, contentType: 'application/json', authorization: 'Bearer wk_123', body: '{"events":[]}' }]);
  });

  it('when unloading, sends a CORS-simple keepalive request: key in the query, text/plain, no Authorization', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    await createBrowserHttpClient().post(request('{"events":[1]}', true));
    expect(fetchSpy.mock.calls[0]![1]).toMatchObject({ keepalive: true, credentials: 'omit' });
    expect(received).toEqual([{ url: `${URL_}?key=wk_123`, contentType: 'text/plain', authorization: null, body: '{"events":[1]}' }]);
  });

  it('falls back to sendBeacon beyond the keepalive budget, and to a plain fetch when the beacon is refused', async () => {
    const beacons: [string, Blob][] = [];
    let accept = true;
    vi.spyOn(navigator, 'sendBeacon').mockImplementation((url, data) => {
      beacons.push([String(url), data as Blob]);
      return accept;
    });
    const client = createBrowserHttpClient();
    const big = 'x'.repeat(KEEPALIVE_BUDGET_BYTES - 5);
    // the first body takes most of the budget while it is in flight
    const first = client.post(request(big, true));
    const second = await client.post(request('{"b":2}', true));
    expect(second.status).toBe(202);
    expect(beacons[0]![0]).toBe(`${URL_}?key=wk_123`);
    expect(beacons[0]![1].type).toBe('text/plain');
    expect(await beacons[0]![1].text()).toBe('{"b":2}');
    accept = false;
    const third = await client.post(request('{"c":3}', true));
    expect(third.status).toBe(200);
    await first;
    expect(received.map((r) => r.body.length)).toEqual([big.length, 7]);
  });

  it('rejects on a network error and on timeout, so the queue retries', async () => {
    server.use(http.post(URL_, () => HttpResponse.error()));
    await expect(createBrowserHttpClient().post(request('{}'))).rejects.toThrow();
    server.use(http.post(URL_, () => new Promise(() => undefined)));
    await expect(createBrowserHttpClient().post({ ...request('{}'), timeoutMs: 20 })).rejects.toThrow();
  });

  it('times out a stalled keepalive request too (a hidden tab lives on), and gives its budget back', async () => {
    server.use(http.post(URL_, () => new Promise(() => undefined)));
    const client = createBrowserHttpClient();
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const big = 'x'.repeat(KEEPALIVE_BUDGET_BYTES - 5);
    await expect(client.post({ ...request(big, true), timeoutMs: 20 })).rejects.toThrow();
    expect(fetchSpy.mock.calls[0]![1]).toMatchObject({ keepalive: true });
    server.resetHandlers();
    await client.post(request(big, true));
    expect(fetchSpy.mock.calls[1]![1]).toMatchObject({ keepalive: true }); // the budget is free again
  });
});
