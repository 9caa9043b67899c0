// Counting loopback sink: one HTTP server on 127.0.0.1 that speaks just enough of each benchmarked
// SDK's ingestion API to accept its batches, and counts the benchmark marker `bench_i` per event.
//
// Every route knows where its SDK puts the event properties, so events are counted structurally (no
// text scanning): an event whose marker was already seen in this run is a duplicate, a new marker
// below `expected` is a delivered event. The time of a delivery is the moment its request body was
// fully received (process.hrtime.bigint(), CLOCK_MONOTONIC, comparable across processes on Linux).
//
//   route                                   SDK                  body                                 answer
//   POST /v1/batch  {events:[...]}          @tracklane/node      envelope.event.data.bench_i          {accepted, duplicates, rejected}
//   POST /v1/batch  {batch:[...]}           @segment/analytics-node  item.properties.bench_i         {success: true}
//   POST /2/httpapi                         @amplitude/analytics-node  events[].event_properties     {code: 200, events_ingested, ...}
//   POST /batch/                            posthog-node         batch[].properties.bench_i           {status: 1}
//   POST /com.snowplowanalytics.snowplow/tp2  @snowplow/node-tracker  data[].ue_px (base64url) / ue_pr  ok
//   POST /floor                             floor (array + fetch)    events[].data.bench_i            {ok: true}
// Bodies may be gzip (Content-Encoding or magic bytes). Anything else is answered 200 {} and counted
// under `unrecognised` so a surprise endpoint shows up in the report instead of vanishing.

import http from 'node:http';
import { gunzipSync, inflateSync, brotliDecompressSync } from 'node:zlib';

const json = (status, value) => ({ status, type: 'application/json', body: JSON.stringify(value) });

function markerOf(props) {
  const v = props?.bench_i;
  return typeof v === 'number' && Number.isInteger(v) ? v : -1;
}

function decodeBase64Url(s) {
  return Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
}

/** route handlers: (parsed body) -> { markers: number[], answer(dupes) } */
const ROUTES = {
  '/v1/batch'(body) {
    if (Array.isArray(body?.events)) {
      const markers = body.events.map((e) => markerOf(e?.event?.data));
      return { sdk: 'tracklane', markers, answer: (dupes) => json(200, { accepted: markers.length - dupes, duplicates: dupes, rejected: [] }) };
    }
    if (Array.isArray(body?.batch)) {
      return { sdk: 'segment', markers: body.batch.map((e) => markerOf(e?.properties)), answer: () => json(200, { success: true }) };
    }
    return null;
  },
  '/2/httpapi'(body, bytes) {
    if (!Array.isArray(body?.events)) return null;
    const markers = body.events.map((e) => markerOf(e?.event_properties));
    return { sdk: 'amplitude', markers, answer: () => json(200, { code: 200, events_ingested: markers.length, payload_size_bytes: bytes, server_upload_time: Date.now() }) };
  },
  '/batch'(body) {
    if (!Array.isArray(body?.batch)) return null;
    return { sdk: 'posthog', markers: body.batch.map((e) => markerOf(e?.properties)), answer: () => json(200, { status: 1 }) };
  },
  '/com.snowplowanalytics.snowplow/tp2'(body) {
    if (!Array.isArray(body?.data)) return null;
    const markers = body.data.map((p) => {
      try {
        const sde = p.ue_px ? JSON.parse(decodeBase64Url(p.ue_px)) : p.ue_pr ? JSON.parse(p.ue_pr) : null;
        return markerOf(sde?.data?.data);
      } catch {
        return -1;
      }
    });
    return { sdk: 'snowplow', markers, answer: () => ({ status: 200, type: 'text/plain', body: 'ok' }) };
  },
  '/floor'(body) {
    if (!Array.isArray(body?.events)) return null;
    return { sdk: 'floor', markers: body.events.map((e) => markerOf(e?.data)), answer: () => json(200, { ok: true }) };
  },
};

function decodeBody(buf, encoding) {
  if (encoding === 'gzip' || (buf[0] === 0x1f && buf[1] === 0x8b)) return gunzipSync(buf);
  if (encoding === 'deflate') return inflateSync(buf);
  if (encoding === 'br') return brotliDecompressSync(buf);
  return buf;
}

export function createCountingSink() {
  let run = null;

  const newRun = (expected) => ({
    expected,
    seen: new Uint8Array(expected),
    distinct: 0,
    duplicates: 0,
    outOfRange: 0,
    requests: 0,
    wireBytes: 0,
    bodyBytes: 0,
    unrecognised: 0,
    routes: {},
    firstAt: null,
    lastNewAt: null,
    allAt: null,
    lastActivityAt: process.hrtime.bigint(),
  });

  function handle(req, res) {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('error', () => {});
    req.on('end', () => {
      const at = process.hrtime.bigint();
      const r = run;
      const wire = Buffer.concat(chunks);
      const path = new URL(req.url ?? '/', 'http://sink').pathname.replace(/\/+$/, '') || '/';
      let reply = json(200, {});
      if (r) {
        r.lastActivityAt = at;
        r.requests++;
        r.wireBytes += wire.length;
        let parsed = null;
        let bodyLen = 0;
        try {
          const text = decodeBody(wire, req.headers['content-encoding']);
          bodyLen = text.length;
          parsed = text.length ? JSON.parse(text.toString('utf8')) : null;
        } catch {
          parsed = null;
        }
        r.bodyBytes += bodyLen;
        const route = ROUTES[path]?.(parsed, bodyLen) ?? null;
        const key = `${req.method} ${path}${route ? ` (${route.sdk})` : ''}`;
        r.routes[key] = (r.routes[key] ?? 0) + 1;
        if (!route) r.unrecognised++;
        else {
          let dupes = 0;
          let fresh = 0;
          for (const m of route.markers) {
            if (m < 0 || m >= r.expected) r.outOfRange++;
            else if (r.seen[m]) dupes++;
            else {
              r.seen[m] = 1;
              fresh++;
            }
          }
          r.duplicates += dupes;
          if (fresh) {
            r.distinct += fresh;
            r.firstAt ??= at;
            r.lastNewAt = at;
            if (r.distinct === r.expected) r.allAt = at;
          }
          reply = route.answer(dupes);
        }
      }
      res.writeHead(reply.status, { 'content-type': reply.type, 'content-length': Buffer.byteLength(reply.body) });
      res.end(reply.body);
    });
  }

  const server = http.createServer({ keepAliveTimeout: 60_000, requestTimeout: 0, headersTimeout: 60_000 }, handle);

  return {
    /** Start listening on 127.0.0.1, random port; resolves to the base URL. */
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: '127.0.0.1', port: 0, backlog: 8192 }, () => resolve(`http://127.0.0.1:${server.address().port}`));
      }),
    /** Reset the counters for a new run expecting markers 0..expected-1. */
    begin(expected) {
      run = newRun(expected);
    },
    /** Live counters of the current run. */
    get current() {
      return run;
    },
    /** Close every connection left open by the last SDK (fresh sockets for the next run). */
    dropConnections() {
      server.closeAllConnections();
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
