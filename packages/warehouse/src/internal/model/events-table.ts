import type { Envelope } from '@tracklane/core';
import type { ColumnType } from './column-type.js';
import { parseSchemaUri } from './schema-key.js';
import { canonicalDateTime } from './stage-value.js';

/** A good record of the raw store, parsed: what the collector wrote (`{receivedAt, clientIp, envelope}`). */
export interface GoodRecord {
  /** When the collector received the event (ISO 8601). */
  receivedAt: string;
  envelope: Envelope;
}

export interface EventsColumn {
  name: string;
  type: ColumnType;
  comment: string;
  value(record: GoodRecord, loadedAt: string): unknown;
}

/**
 * The `events` table: one row per event id, the envelope's fields (Snowplow's atomic names where
 * one exists: `app_id`, `platform`, `dvce_created_tstamp`, `collector_tstamp`, `event_vendor`...).
 * `event_tstamp` is when the event happened as the device says: the time the caller gave
 * (`ts.true`), else the device time at `track()`; `event_date` is its UTC day, the partition key.
 */
export const EVENTS_COLUMNS: readonly EventsColumn[] = [
  { name: 'event_id', type: 'VARCHAR', comment: 'The envelope id (UUID v7, minted at track time): the key.', value: (r) => r.envelope.id },
  { name: 'event_tstamp', type: 'TIMESTAMPTZ', comment: 'When the event happened: ts.true when the caller set it, else the device time at track().', value: (r) => r.envelope.ts.true ?? r.envelope.ts.created },
  { name: 'event_date', type: 'DATE', comment: 'UTC day of event_tstamp: the partition of the event.', value: (r) => utcDay(r.envelope.ts.true ?? r.envelope.ts.created) },
  { name: 'dvce_created_tstamp', type: 'TIMESTAMPTZ', comment: 'Device time when track() was called.', value: (r) => r.envelope.ts.created },
  { name: 'dvce_sent_tstamp', type: 'TIMESTAMPTZ', comment: 'Device time of the send attempt that landed.', value: (r) => r.envelope.ts.sent },
  { name: 'true_tstamp', type: 'TIMESTAMPTZ', comment: 'Time supplied by the caller.', value: (r) => r.envelope.ts.true },
  { name: 'collector_tstamp', type: 'TIMESTAMPTZ', comment: 'When the collector received the event; of several landings of one id, the earliest.', value: (r) => r.receivedAt },
  { name: 'load_tstamp', type: 'TIMESTAMPTZ', comment: 'When the loader wrote this row.', value: (_r, loadedAt) => loadedAt },
  { name: 'app_id', type: 'VARCHAR', comment: 'The application id.', value: (r) => r.envelope.app?.id },
  { name: 'app_version', type: 'VARCHAR', comment: 'The application version.', value: (r) => r.envelope.app?.version },
  { name: 'platform', type: 'VARCHAR', comment: 'web, srv, mob or app.', value: (r) => r.envelope.app?.platform },
  { name: 'tracker_name', type: 'VARCHAR', comment: 'The tracker that sent the event.', value: (r) => r.envelope.tracker?.name },
  { name: 'tracker_version', type: 'VARCHAR', comment: 'Its version.', value: (r) => r.envelope.tracker?.version },
  { name: 'tracker_namespace', type: 'VARCHAR', comment: 'Its namespace.', value: (r) => r.envelope.tracker?.namespace },
  { name: 'user_id', type: 'VARCHAR', comment: 'The user id the application set.', value: (r) => r.envelope.user?.userId },
  { name: 'anonymous_id', type: 'VARCHAR', comment: 'The device-scoped anonymous id.', value: (r) => r.envelope.user?.anonymousId },
  { name: 'session_id', type: 'VARCHAR', comment: 'The session id.', value: (r) => r.envelope.user?.sessionId },
  { name: 'session_index', type: 'BIGINT', comment: 'The session number on this device.', value: (r) => r.envelope.user?.sessionIndex },
  { name: 'page_url', type: 'VARCHAR', comment: 'The page URL.', value: (r) => r.envelope.page?.url },
  { name: 'page_referrer', type: 'VARCHAR', comment: 'The referrer.', value: (r) => r.envelope.page?.referrer },
  { name: 'page_title', type: 'VARCHAR', comment: 'The page title.', value: (r) => r.envelope.page?.title },
  { name: 'useragent', type: 'VARCHAR', comment: 'The device user agent.', value: (r) => r.envelope.device?.userAgent },
  { name: 'device_language', type: 'VARCHAR', comment: 'The device language.', value: (r) => r.envelope.device?.language },
  { name: 'device_timezone', type: 'VARCHAR', comment: 'The device time zone.', value: (r) => r.envelope.device?.timezone },
  { name: 'device_screen', type: 'VARCHAR', comment: 'Screen resolution, <width>x<height>.', value: (r) => r.envelope.device?.screen },
  { name: 'consent_purposes', type: 'JSON', comment: 'Consent per purpose at capture time: {"<purpose>": "granted|denied|pending"}.', value: (r) => r.envelope.consent?.purposes },
  { name: 'consent_policy_version', type: 'VARCHAR', comment: 'The consent policy version.', value: (r) => r.envelope.consent?.policyVersion },
  { name: 'consent_source', type: 'VARCHAR', comment: 'Where the consent decision came from.', value: (r) => r.envelope.consent?.source },
  { name: 'event_schema', type: 'VARCHAR', comment: "The event's schema URI.", value: (r) => r.envelope.event.schema },
  { name: 'event_vendor', type: 'VARCHAR', comment: "The event schema's vendor.", value: (r) => parseSchemaUri(r.envelope.event.schema)?.vendor },
  { name: 'event_name', type: 'VARCHAR', comment: "The event schema's name.", value: (r) => parseSchemaUri(r.envelope.event.schema)?.name },
  { name: 'event_version', type: 'VARCHAR', comment: "The event schema's version (M-R-A).", value: (r) => parseSchemaUri(r.envelope.event.schema)?.version },
];

/** The UTC day of an ISO time (with any offset); undefined when it is not a time, which staging then refuses. */
function utcDay(time: string): string | undefined {
  // A UTC time (what trackers send) names its day; another offset may move it.
  if (time.endsWith('Z') && time.charCodeAt(10) === 0x54) return time.slice(0, 10);
  // `+02` or `+0130` (the collector accepts them) are not spellings Date.parse reads.
  const ms = Date.parse(canonicalDateTime(time) ?? time);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString().slice(0, 10);
}
