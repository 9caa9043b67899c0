import { consentStateOf, createTracker } from '@tracklane/core';
import type { ConsentOptions, ConsentSnapshot, Destination, Tracker, TrackerOptions, TrackerPlugin, TrackerStats, Transport } from '@tracklane/core';
import { deviceContext, pageContext, type DeviceContextOptions, type PageContextOptions } from './context.js';
import { createBrowserHttpClient, KEEPALIVE_BUDGET_BYTES } from './http-client.js';
import { IdbQueue, type QueueLimits, type StorageKind } from './idb-queue.js';
import { IdentityStore, newId, type IdentityOptions } from './identity.js';
import { acquireSenderLock } from './sender-lock.js';
import { readStorage, writeStorage } from './storage.js';
import { TRACKER_NAME, TRACKER_VERSION } from './version.js';

export interface BrowserTrackerOptions extends Omit<TrackerOptions, 'platform' | 'store' | 'memoryStore'> {
  /** Platform of the app (`app.platform`). @default 'web' */
  platform?: TrackerOptions['platform'];
  /**
   * Prefix of everything the tracker keeps in the browser: IndexedDB databases
   * (`<prefix>-<destination>`), localStorage keys and cookies (`<prefix>_aid`, `_uid`, `_ses`, `_consent`).
   * @default 'tracklane'
   */
  storagePrefix?: string;
  /** The durable queue shared by the origin's tabs. @default {} */
  queue?: QueueLimits & {
    /** `false` keeps events in memory only (lost when the page goes away). @default true */
    indexedDB?: boolean;
  };
  /** Anonymous id, user id and session. @default {} */
  identity?: IdentityOptions;
  /** The `page` field (url, referrer, title); `false` leaves it out. @default {} */
  page?: PageContextOptions | false;
  /** The `device` field (user agent, language, timezone, screen); `false` leaves it out. @default {} */
  device?: DeviceContextOptions | false;
  /**
   * Keep the consent state in localStorage and restore it on the next page (also across tabs).
   * A stored state of another `consent.policyVersion` is ignored.
   * @default true
   */
  persistConsent?: boolean;
  /**
   * Flush when the page is hidden and send this tab's queued events with `fetch` keepalive or
   * `sendBeacon` when it goes away; resume sending when the browser is back online.
   * @default true
   */
  lifecycle?: boolean;
  /** Where warnings go. Never receives write keys or event data. @default console.warn */
  warn?: (message: string) => void;
}

export interface BrowserTrackerStats extends TrackerStats {
  /** `memory` when IndexedDB is unavailable (private modes), failed (quota) or turned off. */
  storage: StorageKind;
  /** Why the queue is in memory, if it is. */
  storageError?: string;
  /** True when this tab is the one sending for every tab of the origin. */
  sender: boolean;
}

export interface BrowserTracker extends Tracker {
  /** Forgets the user: a new anonymous id and session, no user id (call it at logout). */
  reset(): void;
  getStats(): BrowserTrackerStats;
}

/** How often the sending tab reads the shared queue for events it was not told about. */
const SENDER_PROBE_MS = 2000;

/**
 * A tracker for web pages. `track()` returns at once; events are kept in an IndexedDB queue shared
 * by the origin's tabs, one of which sends for all, so events survive reloads, offline periods and
 * closed tabs, and are sent once.
 */
export function createBrowserTracker(options: BrowserTrackerOptions): BrowserTracker {
  const { storagePrefix: prefix = 'tracklane', queue: queueOptions = {}, identity: identityOptions = {}, warn, consent, ...coreOptions } = options;
  const identity = new IdentityStore(prefix, identityOptions);
  const queues = new Map<string, IdbQueue>();
  const transports = new Map<string, Transport>();
  const senderChanged = (): void => queues.forEach((queue) => queue.senderChanged());
  const lock = acquireSenderLock(`${prefix}-sender`, newId(), senderChanged);
  // The sender also looks at the shared queue now and then: IndexedDB is the truth, and an event
  // another tab announced while this one was busy (or never announced: it died) is found there.
  const probe = setInterval(() => {
    if (lock.held) senderChanged();
  }, SENDER_PROBE_MS);
  const consentKey = `${prefix}_consent`;
  const persistConsent = options.persistConsent !== false;

  const syncUser = (): void => {
    const { userId, ...ids } = identity.identity;
    core.identify(userId);
    core.setUser(ids);
  };
  const identityPlugin: TrackerPlugin = {
    name: 'identity',
    enrich(envelope, now) {
      if (!identity.touch(now)) return;
      // A session started: put it in the tracker's user, and in this envelope's (a copy when `track()`
      // was given a user of its own).
      const own = envelope.user !== core.getUser();
      syncUser();
      const { sessionId, sessionIndex } = identity.identity;
      envelope.user = own ? { ...envelope.user, sessionId, sessionIndex } : core.getUser();
    },
  };

  const core = createTracker(
    {
      ...coreOptions,
      consent: persistConsent ? restoreConsent(readStorage(consentKey), consent) : consent,
      user: { ...identity.identity, ...options.user },
      destinations: options.destinations.map(
        (destination): Destination => ({
          ...destination,
          // Kept for the synchronous send when the page goes away.
          createTransport: (platform) => {
            const transport = destination.createTransport(platform);
            transports.set(destination.name, transport);
            return transport;
          },
        }),
      ),
      store: (destination) => {
        const queue = new IdbQueue(`${prefix}-${destination}`, queueOptions, lock, queueOptions.indexedDB !== false);
        queues.set(destination, queue);
        return queue;
      },
      plugins: [
        identityPlugin,
        ...(options.page !== false ? [pageContext(options.page)] : []),
        ...(options.device !== false ? [deviceContext(options.device)] : []),
        ...(options.plugins ?? []),
      ],
    },
    {
      services: {
        http: createBrowserHttpClient(),
        // eslint-disable-next-line no-console -- the documented default sink of warnings (option `warn`)
        warn: warn ?? ((message) => console.warn(message)),
        // one call per 1,024 event ids (uuid's own source calls it per id)
        fillRandom: (bytes) => void crypto.getRandomValues(bytes),
      },
      tracker: { name: TRACKER_NAME, version: TRACKER_VERSION },
      defaultPlatform: 'web',
    },
  );

  /** A purpose denied since its events were stored: the purge that removes them may not have run yet. */
  const notDenied = (purpose: string): boolean => consentStateOf(core.getConsent(), purpose, consent?.default ?? 'granted') !== 'denied';
  /** The page is going away: hand this tab's unsent events to keepalive / beacon now, synchronously. */
  const sendBeforeUnload = (): void => {
    // Every tracked event to the stores now (synchronously), and the sends that follow marked keepalive.
    void core.flush({ unloading: true, timeoutMs: 10_000 });
    // Writes still committing would be aborted with the page: keep their events in localStorage too.
    for (const queue of queues.values()) queue.spillUncommitted();
    if (navigator.onLine === false) return;
    for (const [name, queue] of queues) {
      const transport = transports.get(name);
      if (!transport) continue;
      const batch = queue.claimForUnload(KEEPALIVE_BUDGET_BYTES - 2000, notDenied);
      if (batch.length === 0) continue;
      transport
        .send(batch, { timeoutMs: 10_000, unloading: true })
        .then((result) => queue.settle(batch, result.type === 'ok'))
        .catch(() => queue.settle(batch, false));
    }
  };
  /** From `pagehide` until the page is shown again (back-forward cache): the page is going away. */
  let leaving = false;
  let leavingSendQueued = false;
  /** An event tracked while the page goes away goes out like the rest, once the running listener returns. */
  const sendTrackedWhileLeaving = (): void => {
    if (leavingSendQueued) return;
    leavingSendQueued = true;
    queueMicrotask(() => {
      leavingSendQueued = false;
      sendBeforeUnload();
    });
  };
  const listeners: [EventTarget, string, (event: Event) => void][] = [];
  const listen = (target: EventTarget, type: string, listener: (event: Event) => void): void => {
    target.addEventListener(type, listener);
    listeners.push([target, type, listener]);
  };
  if (options.lifecycle !== false && typeof document !== 'undefined') {
    listen(document, 'visibilitychange', () => {
      if (document.visibilityState !== 'hidden') return;
      // Hidden is the last event some closes give (mobile, tab discard): store, spill and send at once.
      sendBeforeUnload();
    });
    listen(window, 'pagehide', () => {
      leaving = true;
      sendBeforeUnload();
    });
    listen(window, 'pageshow', () => {
      leaving = false;
    });
    listen(window, 'online', () => void core.flush({ resume: true, timeoutMs: 30_000 }));
  }
  if (persistConsent && typeof window !== 'undefined') {
    // Another tab changed consent: apply it here too (a denial purges this tab's held events).
    const onStorage = (event: Event): void => {
      const { key, newValue } = event as StorageEvent;
      const stored = key === consentKey && newValue ? restoreConsent(newValue, consent) : undefined;
      if (stored?.purposes) core.setConsent(stored.purposes, { ...stored, source: stored.source ?? 'stored' });
    };
    listen(window, 'storage', onStorage);
  }

  return {
    ...core,
    track(event, trackOptions) {
      const id = core.track(event, trackOptions);
      // Tracked after this tracker's `pagehide` listener ran (say, in the app's own, registered
      // later): its IndexedDB write would be aborted with the page, so it is sent now too.
      if (leaving) sendTrackedWhileLeaving();
      return id;
    },
    setConsent(purposes, meta) {
      core.setConsent(purposes, meta);
      if (persistConsent) writeStorage(consentKey, JSON.stringify(core.getConsent()));
    },
    identify(userId) {
      identity.setUserId(userId);
      core.identify(userId);
    },
    reset() {
      identity.reset();
      syncUser();
    },
    async shutdown(shutdownOptions) {
      clearInterval(probe);
      for (const [target, type, listener] of listeners) target.removeEventListener(type, listener);
      await core.shutdown(shutdownOptions);
      lock.release();
    },
    getStats(): BrowserTrackerStats {
      const all = [...queues.values()];
      const memory = all.find((queue) => queue.storage === 'memory');
      return {
        ...core.getStats(),
        storage: memory ? 'memory' : 'indexeddb',
        ...(memory?.storageError !== undefined ? { storageError: memory.storageError } : {}),
        sender: lock.held,
      };
    },
  };
}

/** The stored consent over the configured one, unless it was given under another policy version. */
function restoreConsent(text: string | undefined, configured: ConsentOptions | undefined): ConsentOptions | undefined {
  let stored: ConsentSnapshot | undefined;
  try {
    stored = JSON.parse(text ?? '') as ConsentSnapshot;
  } catch {
    // nothing stored, or not JSON
  }
  if (!stored?.purposes || (configured?.policyVersion !== undefined && stored.policyVersion !== configured.policyVersion)) return configured;
  return {
    ...configured,
    purposes: { ...configured?.purposes, ...stored.purposes },
    // the configured one when it is set (they are equal then); core takes undefined as none
    policyVersion: stored.policyVersion,
    source: stored.source ?? 'stored',
  };
}
