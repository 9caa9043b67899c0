import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { claimInstance, tryClaimInstance, type LockTiming } from './instance-lock.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'tracklane-instance-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (): string => {
  const dir = path.join(root, `store-${dirs++}`);
  mkdirSync(dir);
  return dir;
};

/** Short enough for a test; the lock's logic does not depend on the scale. */
const FAST: LockTiming = { heartbeatMs: 40, leaseMs: 300 };
/** A lease no test waits for: a claim that succeeds under it did not wait it out. */
const SLOW: LockTiming = { heartbeatMs: 40, leaseMs: 60_000 };

const lockOf = (dir: string, id = 'i'): string => path.join(dir, `instance-${id}.lock`);
const holderOf = (dir: string, id = 'i') => JSON.parse(readFileSync(lockOf(dir, id), 'utf8')) as { token: string; host: string; pid: number; beat: string };
const foreign = (beat: number, host = 'another-host', pid = 1): string => `${JSON.stringify({ token: 'theirs', host, pid, beat: String(beat).padStart(12, '0') })}\n`;

/** A pid no process has: one that just exited (and was reaped). */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid;

describe('claimInstance', () => {
  it('creates the lock file with this host and pid, renews it, and removes it on release', async () => {
    const dir = freshDir();
    const lock = await claimInstance(dir, 'i', FAST);
    const first = holderOf(dir);
    expect(first).toMatchObject({ host: os.hostname(), pid: process.pid, beat: '000000000000' });
    await vi.waitFor(() => expect(holderOf(dir).beat).not.toBe(first.beat), { timeout: 2000, interval: 10 });
    expect(holderOf(dir).token).toBe(first.token);
    expect(lock.state()).toBe('held');
    await lock.release();
    expect(lock.state()).toBe('released');
    expect(existsSync(lockOf(dir))).toBe(false);
  });

  it('refuses at once a second claim of the same id in this process; other ids are free', async () => {
    const dir = freshDir();
    const lock = tryClaimInstance(dir, 'i', FAST);
    expect(() => tryClaimInstance(dir, 'i', FAST)).toThrow(expect.objectContaining({ code: 'INSTANCE_LOCKED' }));
    await expect(claimInstance(dir, 'i', FAST)).rejects.toMatchObject({ code: 'INSTANCE_LOCKED', message: expect.stringMatching(/instance id "i" is in use in .*this process already holds it.*--instance-id \(TRACKLANE_INSTANCE_ID\)/) });
    const other = await claimInstance(dir, 'j', FAST);
    await Promise.all([lock?.release(), other.release()]);
  });

  it('tryClaimInstance leaves a lock file it finds to be judged', () => {
    const dir = freshDir();
    writeFileSync(lockOf(dir), foreign(0));
    expect(tryClaimInstance(dir, 'i', FAST)).toBeUndefined();
    expect(holderOf(dir).token).toBe('theirs');
  });

  it('refuses an id whose lock file its holder renews (another process, another host), and leaves the lock alone', async () => {
    const dir = freshDir();
    writeFileSync(lockOf(dir), foreign(0));
    let beat = 0;
    const holder = setInterval(() => writeFileSync(lockOf(dir), foreign(++beat)), FAST.heartbeatMs);
    try {
      await expect(claimInstance(dir, 'i', SLOW)).rejects.toMatchObject({ code: 'INSTANCE_LOCKED', message: expect.stringContaining('held by pid 1 on another-host') });
    } finally {
      clearInterval(holder);
    }
    expect(holderOf(dir).token).toBe('theirs');
  });

  it.each([
    ['not renewed for the lease (a crash on another host)', foreign(7)],
    ['torn (a crash while it was first written) and not renewed', '{"token":"the'],
  ])('takes over a lock file %s', async (_, text) => {
    const dir = freshDir();
    writeFileSync(lockOf(dir), text);
    const lock = await claimInstance(dir, 'i', FAST);
    expect(holderOf(dir)).toMatchObject({ host: os.hostname(), pid: process.pid });
    await lock.release();
  });

  it('takes over at once the lock of a process of this host that is gone (a restart after kill -9)', async () => {
    const dir = freshDir();
    writeFileSync(lockOf(dir), foreign(3, os.hostname(), deadPid()));
    const lock = await claimInstance(dir, 'i', SLOW);
    expect(holderOf(dir).pid).toBe(process.pid);
    await lock.release();
  });

  it('a holder whose lock file another process took over finds out at its next renewal, and leaves the new lock alone on release', async () => {
    const dir = freshDir();
    const lost = vi.fn();
    const lock = await claimInstance(dir, 'i', FAST, lost);
    renameSync(lockOf(dir), `${lockOf(dir)}.moved`);
    writeFileSync(lockOf(dir), foreign(0));
    await vi.waitFor(() => expect(lost).toHaveBeenCalledOnce(), { timeout: 2000, interval: 10 });
    expect(lock.state()).toBe('lost');
    await lock.release();
    expect(holderOf(dir).token).toBe('theirs');
    // Its renewals went to the file it had open, never over the new holder's.
    expect(readFileSync(lockOf(dir), 'utf8')).toBe(foreign(0));
  });
});
