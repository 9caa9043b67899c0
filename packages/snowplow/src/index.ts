// @tracklane/snowplow: Tracklane events into an existing Snowplow pipeline (tracker protocol, tp2).
export { SNOWPLOW_MAX_POST_BYTES, snowplowDestination, tp2Body } from './internal/snowplow-destination.js';
export type { SnowplowDestinationOptions } from './internal/snowplow-destination.js';
export {
  CONSENT_SCHEMA,
  CONTEXTS_SCHEMA,
  PAYLOAD_DATA_SCHEMA,
  TP2_PATH,
  UNSTRUCT_EVENT_SCHEMA,
  consentEntity,
  toTrackerPayload,
  trackerVersion,
} from './internal/tracker-protocol.js';
export type { SerializeOptions, TrackerPayload } from './internal/tracker-protocol.js';
export { TP2_FIELDS, TP2_SELF_DESCRIBING_FIELDS } from './internal/tracker-protocol-fields.js';
export { base64UrlEncode } from './internal/base64.js';
export { snowplowBrowserTrackerBridge } from './internal/browser-tracker-bridge.js';
export type {
  SnowplowBrowserTrackerBridge,
  SnowplowBrowserTrackerBridgeOptions,
  SnowplowEventIdPlugin,
  SnowplowTrackSelfDescribingEvent,
} from './internal/browser-tracker-bridge.js';
