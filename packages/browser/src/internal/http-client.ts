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
    async post({ url, headers, body, timeoutMs, unloading }: HttpRequest): Promise<HttpResponse> {
      if (!unloading) return send(url, body, headers, timeoutMs);
      // Neither an `Authorization` header nor a JSON content type: both need a preflight.
      const { authorization, 'content-type': _type, ...simpleHeaders } = headers;
      const key = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
      if (key) url += `${url.includes('?') ? '&' : '?'}key=${encodeURIComponent(key)}`;
      simpleHeaders['content-type'] = 'text/plain';
      const blob = new Blob([body as BlobPart], { type: 'text/plain' });
      const bytes = blob.size;
      if (keepaliveBytes + bytes <= KEEPALIVE_BUDGET_BYTES) {
        keepaliveBytes += bytes;
        try {
          // Timed out like any request: a tab that lives on (only hidden) retries a stalled one and
          // frees its share of the budget; a page that is gone runs no timer, so nothing aborts it.
          return await send(url, body, simpleHeaders, timeoutMs, true);
        } finally {
          keepaliveBytes -= bytes;
        }
      }
      if (bytes <= KEEPALIVE_BUDGET_BYTES && typeof navigator !== 'undefined' && navigator.sendBeacon?.(url, blob)) return BEACON_QUEUED;
      return send(url, body, simpleHeaders, timeoutMs);
    },
  };
}

async function send(url: string, body: string | Uint8Array, headers: Record<string, string>, timeoutMs: number, keepalive?: boolean): Promise<HttpResponse> {
  const controller = timeoutMs > 0 ? new AbortController() : undefined;
  const timer = controller && setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(url, { method: 'POST', body: body as BodyInit, headers, keepalive, credentials: 'omit', signal: controller?.signal });
    const text = await response.text();
    return { status: response.status, header: (name) => response.headers.get(name) ?? undefined, text };
  } finally {
    clearTimeout(timer);
  }
}
