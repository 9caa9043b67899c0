import { TracklaneError, TracklaneErrorCode, createTracker } from '@tracklane/core';
import type {
  ConsentOptions,
  Destination,
  Envelope,
  HttpClient,
  SelfDescribing,
  StoredEvent,
  Tracker,
  TrackerHooks,
  Transport,
  TransportResult,
} from '@tracklane/core';
import { TP2_FIELDS } from './tracker-protocol-fields.js';
import { consentEntity } from './tracker-protocol.js';

/** `tracker.name` of the envelopes the bridge builds (seen in hooks only: Snowplow sets its own `tv`). */
const BRIDGE_TRACKER = { name: 'tracklane-snowplow-bridge', version: '0.1.0' } as const;

/**
 * `trackSelfDescribingEvent` of `@snowplow/browser-tracker` 4.x, as far as the bridge calls it. The
 * app passes Snowplow's function, so this package never imports the browser tracker itself.
 */
export type SnowplowTrackSelfDescribingEvent = (
  event: {
    event: SelfDescribing;
    context?: SelfDescribing[] | null;
    timestamp?: { readonly type: 'ttm'; readonly value: number } | { readonly type: 'dtm'; readonly value: number } | null;
  },
  trackers?: string[],
) => void;

/**
 * A Snowplow browser-tracker plugin (`newTracker(id, url, {plugins: [bridge.plugin]})`): events the
 * bridge hands over get Tracklane's event id as their `eid`, so the id `track()` returns is the one
 * that lands in Snowplow. Other events on that tracker are left alone.
 */
export interface SnowplowEventIdPlugin {
  beforeTrack(payloadBuilder: { add(key: string, value: unknown): void }): void;
}

export interface SnowplowBrowserTrackerBridgeOptions {
  /** `trackSelfDescribingEvent` imported from `@snowplow/browser-tracker` (4.x). */
  trackSelfDescribingEvent: SnowplowTrackSelfDescribingEvent;
  /** Ids of the Snowplow trackers (first argument of `newTracker`) that receive the events. @default every tracker */
  trackers?: readonly string[];
  /**
   * Consent purpose of events whose schema names none (`necessary` is never gated).
   * @default 'analytics'
   */
  defaultPurpose?: string;
  /** Initial consent: `pending` holds events in memory, `denied` drops them. @default every purpose granted */
  consent?: ConsentOptions;
  /**
   * Most events held in memory while their purpose is pending; beyond it the oldest are dropped.
   * @default 1000
   */
  maxPendingConsent?: number;
  /**
   * PII pointers per schema URI without version (`iglu:com.acme/signup/jsonschema`) the app opts in
   * to send in clear. Nothing marked `x-pii` reaches Snowplow in clear otherwise.
   * @default {}
   */
  allowPiiInClear?: Readonly<Record<string, readonly string[]>>;
  /**
   * `onDelivered`: events handed to the Snowplow tracker (which then queues and sends them itself);
   * `onDropped`: events kept from it, with the reason; `onError`: failures worth knowing.
   */
  hooks?: TrackerHooks;
  /** Where warnings go (each distinct problem once; never event data). @default console.warn */
  warn?: (message: string) => void;
}

/**
 * What generated track functions drive (`trackSignup(bridge, {...})`), plus consent and the
 * Snowplow plugin. Identity, sessions, page context and delivery stay with the Snowplow tracker.
 */
export interface SnowplowBrowserTrackerBridge extends Pick<Tracker, 'track' | 'setConsent' | 'getConsent' | 'getStats' | 'shutdown'> {
  /** Resolves once every event consent allows was handed to the Snowplow tracker (or on timeout). */
  flush: Tracker['flush'];
  /** Add to the Snowplow tracker's `plugins` so its `eid` is the id `track()` returned. */
  readonly plugin: SnowplowEventIdPlugin;
}

/**
 * Drives `@snowplow/browser-tracker` with Tracklane's rules applied first: each `track()` is checked,
 * gated by consent (pending held, denied dropped), PII-transformed (`x-pii`) and then passed to
 * Snowplow's `trackSelfDescribingEvent` with the consent snapshot attached as a context entity
 * (`iglu:dev.tracklane/consent/jsonschema/1-0-0`). Built on core's tracker with one in-memory
 * destination, so the rules are core's own. `track()` never throws into the app.
 */
export function snowplowBrowserTrackerBridge(options: SnowplowBrowserTrackerBridgeOptions): SnowplowBrowserTrackerBridge {
  const trackSelfDescribingEvent = options?.trackSelfDescribingEvent;
  if (typeof trackSelfDescribingEvent !== 'function') {
    throw new TracklaneError(
      TracklaneErrorCode.INVALID_CONFIG,
      "Tracklane: snowplowBrowserTrackerBridge needs `trackSelfDescribingEvent` from '@snowplow/browser-tracker'",
    );
  }
  const trackers = options.trackers ? [...options.trackers] : undefined;
  /** The id of the event being handed to Snowplow right now, for the plugin. */
  let handingOver: string | undefined;

  const handOver = (envelope: Envelope): void => {
    const trueMs = envelope.ts.true === undefined ? undefined : Date.parse(envelope.ts.true);
    handingOver = envelope.id;
    try {
      trackSelfDescribingEvent(
        {
          event: envelope.event,
          context: [...(envelope.entities ?? []), consentEntity(envelope.consent)],
          // dtm: the time of the track() call, not of the hand-over a few microtasks later.
          timestamp: trueMs === undefined ? { type: 'dtm', value: Date.parse(envelope.ts.created) } : { type: 'ttm', value: trueMs },
        },
        trackers,
      );
    } finally {
      handingOver = undefined;
    }
  };

  const transport: Transport = {
    // Batches of one (see `batch` below): a failure concerns exactly that event.
    send: (batch: readonly StoredEvent[]): Promise<TransportResult> => {
      try {
        for (const event of batch) handOver(JSON.parse(event.json) as Envelope);
        return Promise.resolve({ type: 'ok' });
      } catch (error) {
        // Snowplow's tracker catches its own errors; a throwing replacement cannot succeed on retry.
        const reason = `the Snowplow tracker threw: ${error instanceof Error ? error.message : String(error)}`;
        return Promise.resolve({ type: 'fatal', reason });
      }
    },
  };
  const destination: Destination = {
    name: 'snowplow-browser-tracker',
    // One event per hand-over, started as soon as it is stored: events reach Snowplow within the
    // task that tracked them (microtasks; core stores bursts beyond 1,000 over the next tasks), so a
    // page that unloads next has already passed them on.
    batch: { maxEvents: 1 },
    createTransport: () => transport,
  };
  const noHttp: HttpClient = {
    post: () => Promise.reject(new TracklaneError(TracklaneErrorCode.TRANSPORT, 'the bridge sends through the Snowplow tracker')),
  };
  const core = createTracker(
    {
      appId: 'snowplow-browser-tracker', // never sent: the Snowplow tracker's own appId applies
      destinations: [destination],
      concurrency: 1,
      defaultPurpose: options.defaultPurpose,
      consent: options.consent,
      maxPendingConsent: options.maxPendingConsent,
      allowPiiInClear: options.allowPiiInClear,
      hooks: options.hooks,
    },
    {
      services: {
        http: noHttp,
        // eslint-disable-next-line no-console -- the documented default sink of warnings (option `warn`)
        warn: options.warn ?? ((message) => console.warn(message)),
        // event ids from one getRandomValues call per 1,024 (uuid's own source calls it per id)
        fillRandom: (bytes) => void crypto.getRandomValues(bytes),
      },
      tracker: BRIDGE_TRACKER,
      defaultPlatform: 'web',
    },
  );
  return {
    track: (event, trackOptions) => core.track(event, trackOptions),
    setConsent: (purposes, meta) => core.setConsent(purposes, meta),
    getConsent: () => core.getConsent(),
    flush: (flushOptions) => core.flush(flushOptions),
    shutdown: (shutdownOptions) => core.shutdown(shutdownOptions),
    getStats: () => core.getStats(),
    plugin: {
      beforeTrack: (payloadBuilder) => {
        if (handingOver !== undefined) payloadBuilder.add(TP2_FIELDS.id, handingOver);
      },
    },
  };
}
