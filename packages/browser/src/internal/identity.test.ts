import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdentityStore } from './identity.js';
import { readCookie } from './storage.js';

const clearCookies = () => {
  for (const part of document.cookie.split('; ')) if (part) document.cookie = `${part.split('=')[0]}=; Max-Age=0; Path=/`;
};
beforeEach(() => {
  localStorage.clear();
  clearCookies();
});
// Cookies written under fake timers expire by the fake clock: clear them before the real one returns.
afterEach(() => {
  clearCookies();
  vi.useRealTimers();
});

describe('IdentityStore', () => {
  it('persists the anonymous id in a first-party cookie and localStorage, and restores it from either', () => {
    const first = new IdentityStore('tl', {});
    const { anonymousId } = first.identity;
    expect(anonymousId).toMatch(/^[0-9a-f-]{36}$/);
    expect(readCookie('tl_aid')).toBe(anonymousId);
    expect(localStorage.getItem('tl_aid')).toBe(anonymousId);
    localStorage.clear();
    expect(new IdentityStore('tl', {}).identity.anonymousId).toBe(anonymousId);
    clearCookies();
    localStorage.setItem('tl_aid', anonymousId);
    expect(new IdentityStore('tl', {}).identity.anonymousId).toBe(anonymousId);
  });

  it('writes only where configured; cookieless mode (`none`) writes nothing', () => {
    new IdentityStore('ls', { storage: 'localStorage' });
    expect(readCookie('ls_aid')).toBeUndefined();
    expect(localStorage.getItem('ls_aid')).not.toBeNull();
    const none = new IdentityStore('no', { storage: 'none' });
    none.setUserId('u1');
    expect(document.cookie).not.toContain('no_');
    expect(Object.keys(localStorage).filter((k) => k.startsWith('no_'))).toEqual([]);
    expect(none.identity).toMatchObject({ userId: 'u1', sessionIndex: 1 });
  });

  it('starts a session at once (written synchronously), and a new one with the next index after the idle timeout', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const store = new IdentityStore('tl', { sessionTimeoutMs: 60_000 });
    const first = store.identity;
    expect(first.sessionIndex).toBe(1);
    expect(localStorage.getItem('tl_ses')).toBe(`${first.sessionId} 1 1000000`);
    expect(store.touch(1_030_000)).toBe(false);
    expect(store.touch(1_089_000)).toBe(false); // 59 s after the last activity
    expect(store.touch(1_150_000)).toBe(true);
    expect(store.identity.sessionIndex).toBe(2);
    expect(store.identity.sessionId).not.toBe(first.sessionId);
    expect(localStorage.getItem('tl_ses')).toBe(`${store.identity.sessionId} 2 1150000`);
    expect(store.identity.anonymousId).toBe(first.anonymousId);
  });

  it('continues the stored session on a page loaded within the idle timeout, and starts the next one after it', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const first = new IdentityStore('tl', { sessionTimeoutMs: 60_000 }).identity;
    vi.setSystemTime(1_059_000); // a reload 59 s later: the same session
    expect(new IdentityStore('tl', { sessionTimeoutMs: 60_000 }).identity).toMatchObject({ sessionId: first.sessionId, sessionIndex: 1 });
    vi.setSystemTime(1_120_000); // 61 s after that page's last activity: a new session, the next index
    const later = new IdentityStore('tl', { sessionTimeoutMs: 60_000 }).identity;
    expect(later.sessionId).not.toBe(first.sessionId);
    expect(later.sessionIndex).toBe(2);
    expect(later.anonymousId).toBe(first.anonymousId);
    expect(localStorage.getItem('tl_ses')).toBe(`${later.sessionId} 2 1120000`);
  });

  it('shares the session with other tabs through storage', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const a = new IdentityStore('tl', { sessionTimeoutMs: 60_000 });
    const b = new IdentityStore('tl', { sessionTimeoutMs: 60_000 });
    expect(b.identity.sessionId).toBe(a.identity.sessionId);
    // tab a stays active; tab b wakes up after the timeout and joins a's session instead of starting one
    a.touch(1_050_000);
    a.touch(1_100_000);
    expect(b.touch(1_101_000)).toBe(false);
    expect(b.identity.sessionId).toBe(a.identity.sessionId);
  });

  it('identify persists the user id; reset starts over with a new anonymous id and session', () => {
    const store = new IdentityStore('tl', {});
    const before = store.identity;
    store.setUserId('alice');
    expect(new IdentityStore('tl', {}).identity.userId).toBe('alice');
    store.reset();
    expect(store.identity.userId).toBeUndefined();
    expect(store.identity.anonymousId).not.toBe(before.anonymousId);
    expect(store.identity.sessionId).not.toBe(before.sessionId);
    expect(new IdentityStore('tl', {}).identity).toMatchObject({ anonymousId: store.identity.anonymousId, sessionId: store.identity.sessionId });
  });
});
