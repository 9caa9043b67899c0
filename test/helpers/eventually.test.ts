import { describe, expect, it, vi } from 'vitest';
import { eventually } from './eventually.js';

describe('eventually', () => {
  it('resolves with the first answer that neither throws nor is false', async () => {
    let calls = 0;
    const answer = await eventually(
      () => {
        calls++;
        if (calls === 1) throw new Error('not yet');
        return calls === 2 ? false : { calls };
      },
      { what: 'the third call', intervalMs: 1 },
    );
    expect(answer).toEqual({ calls: 3 });
  });

  it('takes an assertion as the check', async () => {
    let queued = 3;
    await eventually(() => expect(--queued).toBe(0), { what: 'an empty queue', intervalMs: 1 });
    expect(queued).toBe(0);
  });

  it('fails at the deadline naming what it waited for and what the last check said', async () => {
    const failure = await eventually(() => expect(1).toBe(2), { what: 'one to be two', timeoutMs: 30, intervalMs: 5 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/^timed out after 30 ms \(\d+ checks\) waiting for one to be two; the last check threw AssertionError: expected 1 to be 2/);
    expect((failure as Error).cause).toBeInstanceOf(Error);
    await expect(eventually(() => false, { what: 'never', timeoutMs: 10 })).rejects.toThrow(/waiting for never; the last check returned false$/);
  });

  it('gives up on a check that never answers at the deadline', async () => {
    await expect(eventually(() => new Promise(() => {}), { what: 'a hung check', timeoutMs: 20 })).rejects.toThrow(/the last check had not answered$/);
  });

  it('waits on real time while the test has faked the clock', async () => {
    vi.useFakeTimers();
    try {
      let ready = false;
      void Promise.resolve().then(() => (ready = true));
      await expect(eventually(() => ready, { what: 'ready', timeoutMs: 1000 })).resolves.toBe(true);
      await expect(eventually(() => false, { what: 'never', timeoutMs: 20 })).rejects.toThrow(/waiting for never/);
    } finally {
      vi.useRealTimers();
    }
  });
});
