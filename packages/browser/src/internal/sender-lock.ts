import { readStorage, writeStorage } from './storage.js';

/** A lease in localStorage (browsers without Web Locks) lasts this long unless renewed. */
export const LEASE_MS = 3000;
const HEARTBEAT_MS = 1000;

export interface SenderLock {
  /** True while this tab is the one that sends for every tab of the origin. */
  readonly held: boolean;
  /** Gives the lease up (the page is going away); Web Locks release themselves. */
  release(): void;
}

/**
 * Elects one sender among the tabs of an origin: the holder of the Web Lock `name`, held until the
 * tab dies (the browser then hands it to the next tab waiting for it). Without Web Locks, a lease in
 * localStorage renewed every second; a tab that dies stops renewing and another takes over within
 * `LEASE_MS`. `onAcquired` runs when this tab becomes the sender.
 */
export function acquireSenderLock(name: string, tabId: string, onAcquired: () => void): SenderLock {
  const lock = { held: false, release: () => undefined as void };
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  const take = (): void => {
    lock.held = true;
    onAcquired();
  };
  if (locks?.request) {
    locks
      .request(name, () => {
        take();
        return new Promise<never>(() => undefined);
      })
      .catch(() => undefined);
    return lock;
  }
  const key = `${name}:lease`;
  const renew = (): void => {
    const [owner, until] = (readStorage(key) ?? '').split(' ');
    const now = Date.now();
    if (owner !== tabId && Number(until) > now) {
      lock.held = false;
      return;
    }
    writeStorage(key, `${tabId} ${now + LEASE_MS}`);
    if (!lock.held) take();
  };
  const timer = setInterval(renew, HEARTBEAT_MS);
  renew();
  lock.release = () => {
    clearInterval(timer);
    if (lock.held && readStorage(key)?.startsWith(`${tabId} `)) writeStorage(key, undefined);
    lock.held = false;
  };
  return lock;
}
