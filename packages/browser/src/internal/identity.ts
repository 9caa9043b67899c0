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
  #current: Identity;
  #lastActivity = 0;
  #written = 0;
  readonly #timeoutMs: number;
  readonly #prefix: string;
  readonly #options: IdentityOptions;

  constructor(prefix: string, options: IdentityOptions) {
    this.#prefix = prefix;
    this.#options = options;
    this.#timeoutMs = options.sessionTimeoutMs ?? 1_800_000;
    const userId = this.#read('uid');
    this.#current = { anonymousId: this.#read('aid') ?? newId(), sessionId: '', sessionIndex: 0, ...(userId ? { userId } : {}) };
    this.#write('aid', this.#current.anonymousId);
    this.touch(Date.now());
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
    if (now - this.#lastActivity > this.#timeoutMs || now - this.#written > TOUCH_EVERY_MS) {
      const [id, index, last] = (this.#read('ses') ?? '').split(' ');
      const stored = Number(last);
      if (id && stored > this.#lastActivity) {
        this.#lastActivity = stored;
        if (id !== this.#current.sessionId) return this.#adopt(id, Number(index), now);
      }
      if (now - this.#lastActivity > this.#timeoutMs) return this.#adopt(newId(), Math.max(this.#current.sessionIndex, Number(index) || 0) + 1, now);
      this.#lastActivity = now;
      this.#persistSession();
      return false;
    }
    this.#lastActivity = now;
    return false;
  }

  #adopt(sessionId: string, sessionIndex: number, now: number): true {
    this.#current = { ...this.#current, sessionId, sessionIndex };
    this.#lastActivity = now;
    this.#persistSession();
    return true;
  }

  #persistSession(): void {
    this.#written = this.#lastActivity;
    this.#write('ses', `${this.#current.sessionId} ${this.#current.sessionIndex} ${this.#lastActivity}`);
  }

  setUserId(userId: string | undefined): void {
    const { userId: _previous, ...rest } = this.#current;
    this.#current = userId === undefined ? rest : { ...rest, userId };
    this.#write('uid', userId);
  }

  /** A new anonymous id and session, no user id: for a logout. */
  reset(): void {
    this.#current = { anonymousId: newId(), sessionId: '', sessionIndex: 0 };
    this.#write('aid', this.#current.anonymousId);
    this.#write('uid', undefined);
    this.#write('ses', undefined);
    this.#lastActivity = 0;
    this.touch(Date.now());
  }

  #read(name: string): string | undefined {
    const key = `${this.#prefix}_${name}`;
    const where = this.#options.storage ?? 'cookie+localStorage';
    if (where === 'none') return undefined;
    return (where !== 'localStorage' ? readCookie(key) : undefined) || (where !== 'cookie' ? readStorage(key) : undefined);
  }

  #write(name: string, value: string | undefined): void {
    const key = `${this.#prefix}_${name}`;
    const where = this.#options.storage ?? 'cookie+localStorage';
    if (where === 'none') return;
    if (where !== 'localStorage') writeCookie(key, value, this.#options);
    if (where !== 'cookie') writeStorage(key, value);
  }
}

/** A random UUID v4; `crypto.randomUUID` needs a secure context, `getRandomValues` does not. */
export function newId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
