import { ConsentModel, NECESSARY_PURPOSE } from './consent.js';
import { DeliveryQueue, asError, type QueueListener } from './delivery-queue.js';
import { TrackedEnvelope, applyTrackOptions, describeInvalidEvent } from './envelope-builder.js';
import type { ConsentState, Envelope, EnvelopeApp, EnvelopeTimestamps, EnvelopeTracker, EnvelopeUser, SelfDescribing } from './envelope.js';
import { TracklaneError, TracklaneErrorCode } from './errors.js';
import { createEventIdMinter } from './event-ids.js';
import { MemoryStore } from './memory-store.js';
import { applyPii, type PiiRules } from './pii.js';
import { DEFAULT_RETRY_POLICY } from './retry-policy.js';
import { delay } from './scheduler.js';
import { StatsCollector } from './stats.js';
import type { StoredEvent } from './store.js';
import {
  DropReason,
  type EntityInput,
  type FlushOptions,
  type SchemaRules,
  type ShutdownOptions,
  type TrackOptions,
  type Tracker,
  type TrackerOptions,
  type TrackerStats,
} from './tracker-types.js';
import type { PlatformServices } from './transport.js';
import { envelopesOf, storedEventOf } from './wire-format.js';
import { validateTrackerOptions } from './validate-options.js';

/** What a platform package adds when it builds a tracker on core. */
export interface TrackerRuntime {
  /** The platform's HTTP client, warning sink and random source, given to destinations. */
  services: PlatformServices;
  /** Name and version of the platform tracker (`tracker` in every envelope). */
  tracker: EnvelopeTracker;
  /** `app.platform` when `TrackerOptions.platform` is not set. */
  defaultPlatform: EnvelopeApp['platform'];
}

/** Events serialized and stored per macrotask when a burst is stored. */
const STORE_CHUNK = 1000;

/** An event held in memory until its purpose's consent is given or refused. */
interface HeldEvent {
  envelope: Envelope;
  options: TrackOptions | undefined;
}

/**
 * Builds a tracker: `track()` builds the envelope synchronously (ids, timestamps and identity are
 * those of the call) and hands it to a microtask that applies PII rules and stores it for every
 * destination; each destination's queue delivers it. Nothing here throws into the host app.
 */
export function createTracker(options: TrackerOptions, runtime: TrackerRuntime): Tracker {
  validateTrackerOptions(options);
  const { services } = runtime;
  const hooks = options.hooks ?? {};
  const stats = new StatsCollector();
  const consent = new ConsentModel(options.consent);
  const defaultPurpose = options.defaultPurpose ?? 'analytics';
  const maxPendingConsent = options.maxPendingConsent ?? 1000;
  const plugins = options.plugins ?? [];
  const allowClear = new Map(Object.entries(options.allowPiiInClear ?? {}).map(([k, v]) => [k, new Set(v)]));
  /** By schema URI: what a call that does not say otherwise gets (`{ ...rules, ...trackOptions }`). */
  const plan = options.trackingPlan && new Map(Object.entries(options.trackingPlan));
  /** Whether the plan adds to a call: a generated function's call already carries its schema's rules. */
  const planAdds = (rules: SchemaRules, trackOptions: TrackOptions | undefined): boolean =>
    (!!rules.purpose && !trackOptions?.purpose) || (!!rules.pii && !trackOptions?.pii);
  const retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const app: EnvelopeApp = Object.freeze({
    id: options.appId,
    platform: options.platform ?? runtime.defaultPlatform,
    ...(options.appVersion !== undefined ? { version: options.appVersion } : {}),
  });
  const trackerInfo: EnvelopeTracker = Object.freeze({
    ...runtime.tracker,
    ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
  });
  let user: EnvelopeUser = Object.freeze({ ...options.user });
  // Events accepted by track() and waiting to be stored, with the options of each call at the same
  // index (parallel arrays: a burst of events allocates no wrapper per event).
  let intake: Envelope[] = [];
  let intakeOptions: (TrackOptions | undefined)[] = [];
  /** Events of `intake` before this index were handed to the queues already. */
  let intakeFrom = 0;
  let intakeScheduled = false;
  let held: HeldEvent[] = [];
  let shutdownPromise: Promise<void> | undefined;
  const warned = new Set<string>();
  const newEventId = createEventIdMinter(services.fillRandom?.bind(services));
  const purposeOf = (trackOptions: TrackOptions | undefined): string => trackOptions?.purpose ?? defaultPurpose;

  const safeHook = (run: () => void): void => {
    try {
      run();
    } catch (error) {
      reportError(new TracklaneError(TracklaneErrorCode.HOOK, 'A tracker hook threw', { cause: error }));
    }
  };
  const reportError = (error: Error): void => {
    stats.lastError = error.message;
    if (hooks.onError && error.message !== 'A tracker hook threw') safeHook(() => hooks.onError?.(error));
  };
  const drop = (envelopes: readonly Envelope[], reason: DropReason, destination?: string): void => {
    stats.countDrop(reason, envelopes.length, destination);
    if (hooks.onDropped) safeHook(() => hooks.onDropped?.(envelopes, reason, destination));
  };
  /** Stored events are parsed back into envelopes only when a hook wants them. */
  const dropStored = (events: readonly StoredEvent[], reason: DropReason, destination: string): void => {
    stats.countDrop(reason, events.length, destination);
    if (hooks.onDropped) safeHook(() => hooks.onDropped?.(envelopesOf(events), reason, destination));
  };
  /** A call that never became an envelope (invalid, after shutdown): counted, no hook. */
  const refuse = (reason: DropReason): undefined => {
    stats.countDrop(reason, 1);
    return undefined;
  };
  const warnOnce = (key: string, message: string): void => {
    if (warned.has(key)) return;
    warned.add(key);
    services.warn(message);
  };
  /** Drops an event as `invalid`, warning once per problem; reported with its envelope where one was built. */
  const dropInvalid = (problem: string, envelope?: Envelope): undefined => {
    warnOnce(problem, `Tracklane: dropped an invalid event (${problem}).`);
    return envelope ? void drop([envelope], DropReason.invalid) : refuse(DropReason.invalid);
  };
  /**
   * An event that threw in `track()` (a plugin, a getter of its options) or on its way to the store
   * (a cycle, a BigInt, a getter, `toJSON` or Proxy that throws): dropped alone, the cause through
   * `onError`. One warning for all of them, without the cause: its text is the app's, may carry
   * event data, and may differ for every event.
   */
  const dropFailed = (error: unknown, envelope: Envelope | undefined): undefined => {
    reportError(new TracklaneError(TracklaneErrorCode.INVALID_EVENT, 'track() failed', { cause: error }));
    return dropInvalid('it threw; see onError', envelope);
  };

  const queues = options.destinations.map((destination) => {
    const store = options.store ? options.store(destination.name) : new MemoryStore(options.memoryStore);
    const listener: QueueListener = {
      delivered: (events) => {
        if (hooks.onDelivered && events.length > 0) safeHook(() => hooks.onDelivered?.(envelopesOf(events), destination.name));
      },
      dropped: (events, reason) => dropStored(events, reason, destination.name),
      retried: (_events, message) => {
        stats.lastError = message;
      },
      error: reportError,
    };
    return new DeliveryQueue(
      destination.name,
      store,
      destination.createTransport(services),
      {
        maxBatchEvents: destination.batch?.maxEvents ?? 500,
        maxBatchBytes: destination.batch?.maxBytes ?? 512_000,
        concurrency: options.concurrency ?? 4,
        requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
        flushIntervalMs: options.flushIntervalMs ?? 1000,
        retry,
        consentAllows: (purpose) => consent.stateOf(purpose) !== 'denied',
      },
      listener,
    );
  });
  // Events a durable store kept from an earlier run are sent, except those of purposes denied now
  // (the denial may have come after they were stored, in a page or process that ended before its purge).
  const deniedAtStart = Object.entries(consent.snapshot.purposes)
    .filter(([purpose, state]) => state === 'denied' && purpose !== NECESSARY_PURPOSE)
    .map(([purpose]) => purpose);
  const restored = Promise.all(queues.map((queue) => queue.restore(deniedAtStart))).catch((error: unknown) => reportError(asError(error)));

  const protectPii = (item: SelfDescribing, rules: PiiRules): SelfDescribing => {
    const schemaWithoutVersion = item.schema.slice(0, item.schema.lastIndexOf('/'));
    return { schema: item.schema, data: applyPii(item.data, rules, allowClear.get(schemaWithoutVersion)) };
  };

  /**
   * Applies PII rules to up to `max` events of the intake and hands them to every destination's
   * queue, whose stores start their writes synchronously. `undefined` when the intake is empty.
   */
  const storeChunk = (max: number): Promise<unknown> | undefined => {
    if (intakeFrom >= intake.length) {
      intake = [];
      intakeOptions = [];
      intakeFrom = 0;
      return undefined;
    }
    // Taken before any event is serialized: the hooks a dropped event calls may track, or store the
    // intake themselves (`flush({ unloading })`), which then goes on after this chunk, or restarts.
    const events = intake;
    const callOptions = intakeOptions;
    let index = intakeFrom;
    const end = (intakeFrom = Math.min(events.length, index + max));
    const stored: StoredEvent[] = [];
    for (; index < end; index++) {
      const envelope = events[index]!;
      // Each event on its own: one that throws (a cycle, a BigInt...) is dropped, the next is stored.
      try {
        stored.push(toStoredEvent(envelope, callOptions[index]));
      } catch (error) {
        dropFailed(error, envelope);
      }
      events[index] = callOptions[index] = undefined as never;
    }
    return Promise.all(queues.map((queue) => queue.enqueue(stored)));
  };
  /**
   * Stores the intake in chunks, yielding between them: the first batches go out while the rest is
   * serialized, and each chunk's objects can be collected once they are text.
   */
  const storeIntake = async (): Promise<void> => {
    intakeScheduled = false;
    for (let chunk = storeChunk(STORE_CHUNK); chunk; chunk = storeChunk(STORE_CHUNK)) {
      await chunk;
      if (intakeFrom < intake.length) await delay(0);
    }
  };
  /** Throws when the event cannot be stored: PII rules or serialization threw (see `storedEventOf`). */
  const toStoredEvent = (envelope: Envelope, trackOptions: TrackOptions | undefined): StoredEvent => {
    const pii = trackOptions?.pii;
    if (pii) envelope.event = protectPii(envelope.event, pii);
    if (envelope.entities) {
      envelope.entities = envelope.entities.map(({ pii: own, ...entity }: EntityInput) => {
        const pii = own ?? plan?.get(entity.schema)?.pii;
        return pii ? protectPii(entity, pii) : entity;
      });
    }
    return storedEventOf(envelope, purposeOf(trackOptions), msOf(envelope.ts.created));
  };
  let storing: Promise<void> = Promise.resolve();
  const scheduleIntake = (): void => {
    if (intakeScheduled) return;
    intakeScheduled = true;
    queueMicrotask(() => {
      storing = storing.then(storeIntake).catch((error: unknown) => reportError(asError(error)));
    });
  };

  // Formatting a timestamp costs more than the rest of track(): events of one millisecond share one
  // frozen `ts` object (serialized once too), and turning it back into epoch ms for the store is cached.
  let lastMs = -1;
  let lastTs: EnvelopeTimestamps = Object.freeze({ created: '' });
  const timestampsAt = (ms: number): EnvelopeTimestamps => {
    if (ms !== lastMs) {
      lastMs = ms;
      lastTs = Object.freeze({ created: new Date(ms).toISOString() });
    }
    return lastTs;
  };
  let parsedIso = '';
  let parsedMs = 0;
  const msOf = (iso: string): number => {
    if (iso !== parsedIso) {
      parsedIso = iso;
      parsedMs = Date.parse(iso);
    }
    return parsedMs;
  };

  const track = (event: SelfDescribing, trackOptions?: TrackOptions): string | undefined => {
    stats.tracked++;
    let envelope: Envelope | undefined;
    try {
      if (shutdownPromise) return refuse(DropReason.afterShutdown);
      const problem = describeInvalidEvent(event);
      if (problem) return dropInvalid(problem);
      const rules = plan?.get(event.schema);
      if (rules && planAdds(rules, trackOptions)) trackOptions = { ...rules, ...trackOptions };
      const state = consent.stateOf(purposeOf(trackOptions));
      const now = Date.now();
      // The event object is the app's own: it is read, never changed (PII rules replace it), and
      // only its schema and data are serialized.
      envelope = new TrackedEnvelope(newEventId(now), event, timestampsAt(now), app, trackerInfo, user, consent.snapshot);
      if (trackOptions) applyTrackOptions(envelope, trackOptions);
      if (state === 'denied') {
        drop([envelope], DropReason.consentDenied);
        return undefined;
      }
      for (const plugin of plugins) plugin.enrich(envelope, now);
      if (state === 'pending') hold({ envelope, options: trackOptions });
      else {
        intake.push(envelope);
        intakeOptions.push(trackOptions);
        scheduleIntake();
      }
      return envelope.id;
    } catch (error) {
      return dropFailed(error, envelope);
    }
  };

  const hold = (pending: HeldEvent): void => {
    held.push(pending);
    if (held.length > maxPendingConsent) drop([held.shift()!.envelope], DropReason.consentPendingOverflow);
  };

  const setConsent = (purposes: Record<string, ConsentState>, meta?: { policyVersion?: string; source?: string }): void => {
    const changed = consent.update(purposes, meta);
    const stillHeld: HeldEvent[] = [];
    const denied: Envelope[] = [];
    for (const pending of held) {
      const state = consent.stateOf(purposeOf(pending.options));
      if (state === 'granted') {
        pending.envelope.consent = consent.snapshot;
        intake.push(pending.envelope);
        intakeOptions.push(pending.options);
      } else if (state === 'denied') denied.push(pending.envelope);
      else stillHeld.push(pending);
    }
    held = stillHeld;
    if (denied.length > 0) drop(denied, DropReason.consentDenied);
    if (intake.length > 0) scheduleIntake();
    for (const [purpose, state] of changed) {
      if (state !== 'denied' || purpose === NECESSARY_PURPOSE) continue;
      // Events of this purpose may still be waiting to be stored: let them land, then purge.
      storing = storing
        .then(() => Promise.all(queues.map((queue) => queue.purgePurpose(purpose))))
        .then(() => undefined)
        .catch((error: unknown) => reportError(asError(error)));
    }
  };

  const flush = async (flushOptions: FlushOptions = {}): Promise<void> => {
    // The page may be going away: what is still in the intake goes to the stores now, not in later
    // tasks that may never run.
    if (flushOptions.unloading) storeChunk(Infinity)?.catch((error: unknown) => reportError(asError(error)));
    const work = (async () => {
      await restored;
      if (intakeScheduled) storing = storing.then(storeIntake).catch((error: unknown) => reportError(asError(error)));
      await storing;
      await Promise.all(queues.map((queue) => queue.flush(flushOptions)));
    })();
    await (flushOptions.timeoutMs === undefined ? work : Promise.race([work, delay(flushOptions.timeoutMs)]));
  };

  const shutdown = (shutdownOptions: ShutdownOptions = {}): Promise<void> => {
    shutdownPromise ??= (async () => {
      try {
        await flush({ timeoutMs: shutdownOptions.timeoutMs ?? 5000 });
      } catch (error) {
        reportError(asError(error));
      }
      // Consent never came for these: they go nowhere now, counted.
      if (held.length > 0) drop(held.splice(0).map((pending) => pending.envelope), DropReason.shutdown);
      await Promise.all(queues.map((queue) => queue.close().catch((error: unknown) => reportError(asError(error)))));
    })();
    return shutdownPromise;
  };

  return {
    track,
    identify: (userId) => {
      const { userId: _previous, ...rest } = user;
      user = Object.freeze(userId === undefined ? rest : { ...rest, userId });
    },
    setUser: (patch) => {
      user = Object.freeze({ ...user, ...patch });
    },
    getUser: () => user,
    setConsent,
    getConsent: () => consent.snapshot,
    flush,
    shutdown,
    getStats: (): TrackerStats => stats.snapshot(queues, held.length),
  };
}
