import type { HttpClient, HttpRequest, HttpResponse } from '@tracklane/core';

/**
 * Bytes of `keepalive` bodies a page may have in flight: browsers allow 64 KiB in total per page
 * (sendBeacon shares it in Chromium); a little is kept back for headers and other scripts.
 */
export const KEEPALIVE_BUDGET_BYTES = 60_000;

/** What `sendBeacon` answers: the browser queued the body; no response will ever be read. */
const BEACON_QUEUED: HttpResponse = { status: 202, header: () => undefined, text: '' };

/**
 * POSTs with `fetch`. When the page is unloading, the request becomes a CORS-simple one (write key
 * as the `key` query parameter, `text/plain` body, so no preflight) sent with `keepalive` while the
 * 64 KiB budget allows, else with `navigator.sendBeacon`, else as a plain `fetch`.
 */
export function createBrowserHttpClient(): HttpClient {
  let keepaliveBytes = 0;
  return {
    async post(request: HttpRequest): Promise<HttpResponse> {
      if (!request.unloading) return send(request.url, request.body, request.headers, request.timeoutMs);
      const { url, headers } = simpleRequest(request);
      const bytes = typeof request.body === 'string' ? new Blob([request.body]).size : request.body.byteLength;
      if (keepaliveBytes + bytes <= KEEPALIVE_BUDGET_BYTES) {
        keepaliveBytes += bytes;
        try {
          return await send(url, request.body, headers, 0, true);
        } finally {
          keepaliveBytes -= bytes;
        }
      }
      const beacon = typeof navigator !== 'undefined' && navigator.sendBeacon?.bind(navigator);
      const body = request.body as BlobPart;
      if (beacon && bytes <= KEEPALIVE_BUDGET_BYTES && beacon(url, new Blob([body], { type: 'text/plain' }))) return BEACON_QUEUED;
      return send(url, request.body, headers, request.timeoutMs);
    },
  };
}

/** The same request without an `Authorization` header or a JSON content type, which both need a preflight. */
function simpleRequest(request: HttpRequest): { url: string; headers: Record<string, string> } {
  const { authorization, 'content-type': _type, ...headers } = request.headers;
  const key = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
  const url = key ? `${request.url}${request.url.includes('?') ? '&' : '?'}key=${encodeURIComponent(key)}` : request.url;
  return { url, headers: { ...headers, 'content-type': 'text/plain' } };
}

async function send(url: string, body: string | Uint8Array, headers: Record<string, string>, timeoutMs: number, keepalive = false): Promise<HttpResponse> {
  const controller = timeoutMs > 0 ? new AbortController() : undefined;
  const timer = controller && setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(url, {
      method: 'POST',
      body: body as BodyInit,
      headers,
      keepalive,
      credentials: 'omit',
      ...(controller ? { signal: controller.signal } : {}),
    });
    const text = await response.text();
    return { status: response.status, header: (name) => response.headers.get(name) ?? undefined, text };
  } finally {
    clearTimeout(timer);
  }
}
