import type { ConsentSnapshot, Envelope, SelfDescribing } from '@tracklane/core';
import { base64UrlEncode } from './base64.js';
import { TP2_FIELDS as F, TP2_SELF_DESCRIBING_FIELDS as SD } from './tracker-protocol-fields.js';

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
  set(F.id, envelope.id);
  set(F.tracker, trackerVersion(envelope.tracker));
  set(F['tracker.namespace'], envelope.tracker.namespace);
  set(F['app.id'], envelope.app.id);
  set(F['app.platform'], envelope.app.platform);
  set(F['ts.created'], epochMs(envelope.ts.created));
  set(F['ts.sent'], options.sentAtMs ?? epochMs(envelope.ts.sent));
  set(F['ts.true'], epochMs(envelope.ts.true));
  set(F['user.anonymousId'], envelope.user.anonymousId);
  set(F['user.userId'], envelope.user.userId);
  set(F['user.sessionId'], envelope.user.sessionId);
  set(F['user.sessionIndex'], envelope.user.sessionIndex);
  set(F['page.url'], envelope.page?.url);
  set(F['page.referrer'], envelope.page?.referrer);
  set(F['page.title'], envelope.page?.title);
  set(F['device.userAgent'], envelope.device?.userAgent);
  set(F['device.language'], envelope.device?.language);
  set(F['device.timezone'], envelope.device?.timezone);
  set(F['device.screen'], envelope.device?.screen);

  const event = JSON.stringify({ schema: UNSTRUCT_EVENT_SCHEMA, data: { schema: envelope.event.schema, data: envelope.event.data } });
  const entities = [...(envelope.entities ?? []).map((e) => ({ schema: e.schema, data: e.data })), consentEntity(envelope.consent)];
  const contexts = JSON.stringify({ schema: CONTEXTS_SCHEMA, data: entities });
  if (options.encodeBase64) {
    payload[SD.event.base64] = base64UrlEncode(event);
    payload[SD.entities.base64] = base64UrlEncode(contexts);
  } else {
    payload[SD.event.json] = event;
    payload[SD.entities.json] = contexts;
  }
  return payload;
}

/** The tp2 POST body for already-serialized payloads (JSON texts of `TrackerPayload`). */
export function payloadDataBody(payloadJsons: readonly string[]): string {
  return `{"schema":"${PAYLOAD_DATA_SCHEMA}","data":[${payloadJsons.join(',')}]}`;
}
