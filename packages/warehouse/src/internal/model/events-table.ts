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
  /**
   * The same value as DuckDB computes it from a stored line read as READ_ENVELOPE (`e`, the
   * envelope; `received_at`; `loaded_at`): for lines the target converts itself. A test loads one
   * store both ways and compares every row.
   */
  sql: string;
  value(record: GoodRecord, loadedAt: string): unknown;
}

/**
 * The `events` table: one row per event id, the envelope's fields (Snowplow's atomic names where
 * one exists: `app_id`, `platform`, `dvce_created_tstamp`, `collector_tstamp`, `event_vendor`...).
 * `event_tstamp` is when the event happened as the device says: the time the caller gave
 * (`ts.true`), else the device time at `track()`; `event_date` is its UTC day, the partition key.
 */
export const EVENTS_COLUMNS: readonly EventsColumn[] = [
  { name: 'event_id', type: 'VARCHAR', comment: 'The envelope id (UUID v7, minted at track time): the key.', sql: 'e.id', value: (r) => r.envelope.id },
  { name: 'event_tstamp', type: 'TIMESTAMPTZ', comment: 'When the event happened: ts.true when the caller set it, else the device time at track().', sql: 'coalesce(e.ts."true", e.ts.created)', value: (r) => r.envelope.ts.true ?? r.envelope.ts.created },
  { name: 'event_date', type: 'DATE', comment: 'UTC day of event_tstamp: the partition of the event.', sql: "CAST(timezone('UTC', coalesce(e.ts.\"true\", e.ts.created)) AS DATE)", value: (r) => utcDay(r.envelope.ts.true ?? r.envelope.ts.created) },
  { name: 'dvce_created_tstamp', type: 'TIMESTAMPTZ', comment: 'Device time when track() was called.', sql: 'e.ts.created', value: (r) => r.envelope.ts.created },
  { name: 'dvce_sent_tstamp', type: 'TIMESTAMPTZ', comment: 'Device time of the send attempt that landed.', sql: 'e.ts.sent', value: (r) => r.envelope.ts.sent },
  { name: 'true_tstamp', type: 'TIMESTAMPTZ', comment: 'Time supplied by the caller.', sql: 'e.ts."true"', value: (r) => r.envelope.ts.true },
  { name: 'collector_tstamp', type: 'TIMESTAMPTZ', comment: 'When the collector received the event; of several landings of one id, the earliest.', sql: 'received_at', value: (r) => r.receivedAt },
  { name: 'load_tstamp', type: 'TIMESTAMPTZ', comment: 'When the loader wrote this row.', sql: 'loaded_at', value: (_r, loadedAt) => loadedAt },
  { name: 'app_id', type: 'VARCHAR', comment: 'The application id.', sql: 'e.app.id', value: (r) => r.envelope.app?.id },
  { name: 'app_version', type: 'VARCHAR', comment: 'The application version.', sql: 'e.app.version', value: (r) => r.envelope.app?.version },
  { name: 'platform', type: 'VARCHAR', comment: 'web, srv, mob or app.', sql: 'e.app.platform', value: (r) => r.envelope.app?.platform },
  { name: 'tracker_name', type: 'VARCHAR', comment: 'The tracker that sent the event.', sql: 'e.tracker.name', value: (r) => r.envelope.tracker?.name },
  { name: 'tracker_version', type: 'VARCHAR', comment: 'Its version.', sql: 'e.tracker.version', value: (r) => r.envelope.tracker?.version },
  { name: 'tracker_namespace', type: 'VARCHAR', comment: 'Its namespace.', sql: 'e.tracker.namespace', value: (r) => r.envelope.tracker?.namespace },
  { name: 'user_id', type: 'VARCHAR', comment: 'The user id the application set.', sql: 'e."user".userId', value: (r) => r.envelope.user?.userId },
  { name: 'anonymous_id', type: 'VARCHAR', comment: 'The device-scoped anonymous id.', sql: 'e."user".anonymousId', value: (r) => r.envelope.user?.anonymousId },
  { name: 'session_id', type: 'VARCHAR', comment: 'The session id.', sql: 'e."user".sessionId', value: (r) => r.envelope.user?.sessionId },
  { name: 'session_index', type: 'BIGINT', comment: 'The session number on this device.', sql: 'e."user".sessionIndex', value: (r) => r.envelope.user?.sessionIndex },
  { name: 'page_url', type: 'VARCHAR', comment: 'The page URL.', sql: 'e.page.url', value: (r) => r.envelope.page?.url },
  { name: 'page_referrer', type: 'VARCHAR', comment: 'The referrer.', sql: 'e.page.referrer', value: (r) => r.envelope.page?.referrer },
  { name: 'page_title', type: 'VARCHAR', comment: 'The page title.', sql: 'e.page.title', value: (r) => r.envelope.page?.title },
  { name: 'useragent', type: 'VARCHAR', comment: 'The device user agent.', sql: 'e.device.userAgent', value: (r) => r.envelope.device?.userAgent },
  { name: 'device_language', type: 'VARCHAR', comment: 'The device language.', sql: 'e.device.language', value: (r) => r.envelope.device?.language },
  { name: 'device_timezone', type: 'VARCHAR', comment: 'The device time zone.', sql: 'e.device.timezone', value: (r) => r.envelope.device?.timezone },
  { name: 'device_screen', type: 'VARCHAR', comment: 'Screen resolution, <width>x<height>.', sql: 'e.device.screen', value: (r) => r.envelope.device?.screen },
  { name: 'consent_purposes', type: 'JSON', comment: 'Consent per purpose at capture time: {"<purpose>": "granted|denied|pending"}.', sql: 'e.consent.purposes', value: (r) => r.envelope.consent?.purposes },
  { name: 'consent_policy_version', type: 'VARCHAR', comment: 'The consent policy version.', sql: 'e.consent.policyVersion', value: (r) => r.envelope.consent?.policyVersion },
  { name: 'consent_source', type: 'VARCHAR', comment: 'Where the consent decision came from.', sql: 'e.consent.source', value: (r) => r.envelope.consent?.source },
  { name: 'event_schema', type: 'VARCHAR', comment: "The event's schema URI.", sql: 'e.event.schema', value: (r) => r.envelope.event.schema },
  { name: 'event_vendor', type: 'VARCHAR', comment: "The event schema's vendor.", sql: "split_part(split_part(e.event.schema, '/', 1), ':', 2)", value: (r) => parseSchemaUri(r.envelope.event.schema)?.vendor },
  { name: 'event_name', type: 'VARCHAR', comment: "The event schema's name.", sql: "split_part(e.event.schema, '/', 2)", value: (r) => parseSchemaUri(r.envelope.event.schema)?.name },
  { name: 'event_version', type: 'VARCHAR', comment: "The event schema's version (M-R-A).", sql: "split_part(e.event.schema, '/', 4)", value: (r) => parseSchemaUri(r.envelope.event.schema)?.version },
];

/** The UTC day of an ISO time (with any offset); undefined when it is not a time, which staging then refuses. */
function utcDay(time: string): string | undefined {
  // A UTC time (what trackers send) names its day; another offset may move it.
  if (time.endsWith('Z') && time.charCodeAt(10) === 0x54) return time.slice(0, 10);
  // `+02` or `+0130` (the collector accepts them) are not spellings Date.parse reads.
  const ms = Date.parse(canonicalDateTime(time) ?? time);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString().slice(0, 10);
}
