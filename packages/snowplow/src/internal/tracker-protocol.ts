import type { ConsentSnapshot, Envelope, SelfDescribing } from '@tracklane/core';
import { base64UrlEncode } from './base64.js';

/** Schema of the tp2 POST body: `{schema, data: [payload, ...]}`. */
export const PAYLOAD_DATA_SCHEMA = 'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4';
/** Wrapper of the self-describing event in `ue_pr` / `ue_px`. */
export const UNSTRUCT_EVENT_SCHEMA = 'iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0';
/** Wrapper of the context entities in `co` / `cx`. */
export const CONTEXTS_SCHEMA = 'iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1';
/** The consent snapshot as a context entity (`schemas/dev.tracklane/consent/jsonschema/1-0-0`). */
export const CONSENT_SCHEMA = 'iglu:dev.tracklane/consent/jsonschema/1-0-0';
/** Path of the tracker protocol's POST endpoint on a Snowplow collector. */
export const TP2_PATH = '/com.snowplowanalytics.snowplow/tp2';

/** One event in the tracker protocol: every value a string. */
export type TrackerPayload = Record<string, string>;

export interface SerializeOptions {
  /** `ue_px` / `cx` (base64url) instead of `ue_pr` / `co` (JSON). @default false */
  encodeBase64?: boolean;
  /** `stm`: when the event is sent, epoch ms. @default the envelope's `ts.sent`, else omitted */
  sentAtMs?: number;
}

const epochMs = (iso: string | undefined): string | undefined => {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : String(ms);
};

/**
 * `tv`: Snowplow's `<name>-<version>` (e.g. `js-4.1.0`). `trackerOfTv` in the collector reads it
 * back by splitting before the first `-<digit>`.
 */
export const trackerVersion = (tracker: Envelope['tracker']): string => `${tracker.name}-${tracker.version}`;

/** The consent snapshot as a context entity. */
export function consentEntity(consent: ConsentSnapshot): SelfDescribing {
  const data: Record<string, unknown> = { purposes: { ...consent.purposes } };
  if (consent.policyVersion !== undefined) data.policyVersion = consent.policyVersion;
  if (consent.source !== undefined) data.source = consent.source;
  return { schema: CONSENT_SCHEMA, data };
}

/**
 * Maps one envelope to a tracker-protocol payload (`e=ue`), field by field as in the envelope table of
 * docs/design.md. Absent envelope fields are absent in the payload, never empty strings.
 */
export function toTrackerPayload(envelope: Envelope, options: SerializeOptions = {}): TrackerPayload {
  const payload: TrackerPayload = {};
  const set = (key: string, value: string | number | undefined): void => {
    if (value !== undefined) payload[key] = String(value);
  };
  set('e', 'ue');
  set('eid', envelope.id);
  set('tv', trackerVersion(envelope.tracker));
  set('tna', envelope.tracker.namespace);
  set('aid', envelope.app.id);
  set('p', envelope.app.platform);
  set('dtm', epochMs(envelope.ts.created));
  set('stm', options.sentAtMs ?? epochMs(envelope.ts.sent));
  set('ttm', epochMs(envelope.ts.true));
  set('duid', envelope.user.anonymousId);
  set('uid', envelope.user.userId);
  set('sid', envelope.user.sessionId);
  set('vid', envelope.user.sessionIndex);
  set('url', envelope.page?.url);
  set('refr', envelope.page?.referrer);
  set('page', envelope.page?.title);
  set('ua', envelope.device?.userAgent);
  set('lang', envelope.device?.language);
  set('tz', envelope.device?.timezone);
  set('res', envelope.device?.screen);

  const event = JSON.stringify({ schema: UNSTRUCT_EVENT_SCHEMA, data: { schema: envelope.event.schema, data: envelope.event.data } });
  const entities = [...(envelope.entities ?? []).map((e) => ({ schema: e.schema, data: e.data })), consentEntity(envelope.consent)];
  const contexts = JSON.stringify({ schema: CONTEXTS_SCHEMA, data: entities });
  if (options.encodeBase64) {
    payload.ue_px = base64UrlEncode(event);
    payload.cx = base64UrlEncode(contexts);
  } else {
    payload.ue_pr = event;
    payload.co = contexts;
  }
  return payload;
}

/** The tp2 POST body for already-serialized payloads (JSON texts of `TrackerPayload`). */
export function payloadDataBody(payloadJsons: readonly string[]): string {
  return `{"schema":"${PAYLOAD_DATA_SCHEMA}","data":[${payloadJsons.join(',')}]}`;
}
