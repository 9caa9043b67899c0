import { readCookie, readStorage, writeCookie, writeStorage, type CookieOptions } from './storage.js';

export interface IdentityOptions extends CookieOptions {
  /**
   * Where the anonymous id, user id and session are kept. `'none'` is the cookieless mode: nothing
   * is written, ids live as long as the page.
   * @default 'cookie+localStorage'
   */
  storage?: 'cookie+localStorage' | 'localStorage' | 'cookie' | 'none';
  /**
   * A session ends after this long without an event; the next event starts a new one.
   * @default 1_800_000 (30 min)
   */
  sessionTimeoutMs?: number;
}

export interface Identity {
  anonymousId: string;
  userId?: string;
  sessionId: string;
  sessionIndex: number;
}

/** The last activity is written at most this often; a new session is written at once. */
const TOUCH_EVERY_MS = 5000;

/**
 * Anonymous id, user id and session (`<id> <index> <last activity>`), persisted in a first-party
 * cookie and/or localStorage (read from either; the cookie survives localStorage being cleared and
 * the other way round). Tabs share the session through the same storage.
 */
export class IdentityStore {
  #current!: Identity; // set by #start(), from the constructor
  #lastActivity = 0;
  #written = 0;
  readonly #timeoutMs: number;
  /** `<prefix>_`, the start of every cookie and localStorage key. */
  readonly #prefix: string;
  readonly #options: IdentityOptions;
  readonly #inCookie: boolean;
  readonly #inStorage: boolean;

  constructor(prefix: string, options: IdentityOptions) {
    this.#prefix = `${prefix}_`;
    this.#options = options;
    this.#timeoutMs = options.sessionTimeoutMs ?? 1_800_000;
    const where = options.storage ?? 'cookie+localStorage';
    this.#inCookie = where !== 'none' && where !== 'localStorage';
    this.#inStorage = where !== 'none' && where !== 'cookie';
    this.#start(this.#read('aid') ?? newId(), this.#read('uid'));
  }

  get identity(): Identity {
    return this.#current;
  }

  /**
   * Marks activity at `now`; returns true when the identity changed (a session started, or another
   * tab started one). Cheap on the hot path: storage is read only when the session looks expired
   * and written at most every few seconds.
   */
  touch(now: number): boolean {
    let changed = false;
    if (now - this.#lastActivity > this.#timeoutMs || now - this.#written > TOUCH_EVERY_MS) {
      const [id, index, last] = (this.#read('ses') ?? '').split(' ');
      const stored = Number(last);
      // A session still live in storage (another tab's, or this tab's before a reload): join it.
      if (id && stored > this.#lastActivity && now - stored <= this.#timeoutMs) {
        this.#lastActivity = stored;
        if (id !== this.#current.sessionId) changed = this.#setSession(id, Number(index));
      }
      if (now - this.#lastActivity > this.#timeoutMs) changed = this.#setSession(newId(), Math.max(this.#current.sessionIndex, Number(index) || 0) + 1);
      this.#written = now;
      this.#write('ses', `${this.#current.sessionId} ${this.#current.sessionIndex} ${now}`);
    }
    this.#lastActivity = now;
    return changed;
  }

  #setSession(sessionId: string, sessionIndex: number): true {
    this.#current = { ...this.#current, sessionId, sessionIndex };
    return true;
  }

  setUserId(userId: string | undefined): void {
    const { userId: _previous, ...rest } = this.#current;
    this.#current = userId === undefined ? rest : { ...rest, userId };
    this.#write('uid', userId);
  }

  /** A new anonymous id and session, no user id: for a logout. */
  reset(): void {
    this.#write('uid', undefined);
    this.#write('ses', undefined);
    this.#start(newId());
  }

  /** Starts over with these ids; the session (a new one, or another tab's) is written at once. */
  #start(anonymousId: string, userId?: string): void {
    this.#current = { anonymousId, sessionId: '', sessionIndex: 0, ...(userId ? { userId } : {}) };
    this.#write('aid', anonymousId);
    this.#lastActivity = 0;
    this.touch(Date.now());
  }

  #read(name: string): string | undefined {
    const key = this.#prefix + name;
    return (this.#inCookie && readCookie(key)) || (this.#inStorage ? readStorage(key) : undefined);
  }

  #write(name: string, value: string | undefined): void {
    const key = this.#prefix + name;
    if (this.#inCookie) writeCookie(key, value, this.#options);
    if (this.#inStorage) writeStorage(key, value);
  }
}

/** A random UUID v4; `crypto.randomUUID` needs a secure context, `getRandomValues` does not. */
export function newId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  // 8-4-4-4-12 hex digits
  return hex.replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
}
