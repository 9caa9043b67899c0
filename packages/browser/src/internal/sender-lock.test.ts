import { afterEach, describe, expect, it, vi } from 'vitest';
import { acquireSenderLock, LEASE_MS } from './sender-lock.js';

afterEach(() => {
  vi.useRealTimers();
  localStorage.clear();
});

describe('sender lock', () => {
  it('uses Web Locks when the browser has them: the callback holds the lock for the life of the tab', async () => {
    let granted: (() => Promise<unknown>) | undefined;
    const request = vi.fn((_name: string, callback: () => Promise<unknown>) => {
      granted = callback;
      return new Promise(() => undefined);
    });
    vi.stubGlobal('navigator', { ...navigator, locks: { request } });
    const onAcquired = vi.fn();
    const lock = acquireSenderLock('tl-sender', 'tab-a', onAcquired);
    expect(request).toHaveBeenCalledWith('tl-sender', expect.any(Function));
    expect(lock.held).toBe(false);
    void granted!();
    expect(lock.held).toBe(true);
    expect(onAcquired).toHaveBeenCalledOnce();
  });

  it('without Web Locks, one tab holds a lease in localStorage; another takes over when it stops renewing', () => {
    vi.useFakeTimers();
    const a = acquireSenderLock('tl-sender', 'tab-a', () => undefined);
    const onB = vi.fn();
    const b = acquireSenderLock('tl-sender', 'tab-b', onB);
    expect([a.held, b.held]).toEqual([true, false]);
    vi.advanceTimersByTime(LEASE_MS * 3);
    expect([a.held, b.held]).toEqual([true, false]);
    a.release(); // the page went away
    vi.advanceTimersByTime(1000);
    expect([a.held, b.held]).toEqual([false, true]);
    expect(onB).toHaveBeenCalledOnce();
    b.release();
  });

  it('a tab that dies without releasing loses the lease after LEASE_MS', () => {
    vi.useFakeTimers();
    localStorage.setItem('tl-sender:lease', `dead-tab ${Date.now() + LEASE_MS}`);
    const b = acquireSenderLock('tl-sender', 'tab-b', () => undefined);
    expect(b.held).toBe(false);
    vi.advanceTimersByTime(LEASE_MS + 1000);
    expect(b.held).toBe(true);
    b.release();
  });
});
