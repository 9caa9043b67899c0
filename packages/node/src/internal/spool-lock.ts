import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TracklaneError, TracklaneErrorCode } from '@tracklane/core';

/** Name of the lock file inside a spool directory. */
export const LOCK_FILE = 'spool.lock';
/** A takeover marker older than this belongs to a process that died mid-takeover. */
const STALE_TAKEOVER_MS = 10_000;

/** Locks held by this process, by lock path, so a second tracker here is refused too. */
const held = new Map<string, string>();
let exitHookInstalled = false;

/**
 * An exclusive lock on a spool directory: `spool.lock` holds `<pid>\n<hostname>`, created with
 * `O_EXCL`. Only one process (and one tracker in it) may append to a spool, since two writers would
 * interleave records and send each event twice. A lock whose pid is dead on this host (a crash, a
 * `kill -9`) is stale and taken over; a second process racing for the same stale lock is
 * serialised by a short-lived `spool.lock.takeover` marker. A lock from another host (a shared
 * network directory) cannot be checked and is treated as live. Returns the release function.
 */
export function acquireSpoolLock(dir: string): () => void {
  const lockPath = path.join(dir, LOCK_FILE);
  if (held.has(lockPath)) throw locked(lockPath, 'another tracker in this process');
  const token = `${process.pid}\n${os.hostname()}\n`;
  for (let attempt = 0; attempt < 50; attempt++) {
    if (tryCreate(lockPath, token)) return register(lockPath, token);
    const holder = readHolder(lockPath);
    if (holder === undefined) continue; // released meanwhile: try again
    if (isAlive(holder)) throw locked(lockPath, `process ${holder.pid} on ${holder.host}`);
    if (takeOver(lockPath, token, holder.raw)) return register(lockPath, token);
    sleepMs(20); // another process is taking over: see who wins
  }
  throw locked(lockPath, 'a process that keeps taking it over');
}

function tryCreate(lockPath: string, token: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(lockPath, 'wx');
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw error;
  }
  try {
    fs.writeSync(fd, token);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

/** Replaces a stale lock, unless another process replaced it first (checked under the marker). */
function takeOver(lockPath: string, token: string, staleRaw: string): boolean {
  const marker = `${lockPath}.takeover`;
  if (!tryCreate(marker, token)) {
    const age = ageMs(marker);
    if (age !== undefined && age > STALE_TAKEOVER_MS) fs.rmSync(marker, { force: true });
    return false;
  }
  try {
    if (readHolder(lockPath)?.raw !== staleRaw) return false;
    fs.rmSync(lockPath, { force: true });
    return tryCreate(lockPath, token);
  } finally {
    fs.rmSync(marker, { force: true });
  }
}

interface Holder {
  pid: number;
  host: string;
  raw: string;
}

function readHolder(lockPath: string): Holder | undefined {
  let raw: string;
  try {
    raw = fs.readFileSync(lockPath, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  const [pid, host] = raw.split('\n');
  // An empty or garbled file is a lock whose writer died between create and write: stale.
  return { pid: Number(pid) || 0, host: host ?? '', raw };
}

function isAlive({ pid, host }: Holder): boolean {
  if (host !== '' && host !== os.hostname()) return true;
  if (!(pid > 0)) return false;
  // Our own pid, but not in `held`: left by an earlier process that had our pid (e.g. pid 1 in a container).
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM'; // exists, owned by another user
  }
}

function register(lockPath: string, token: string): () => void {
  held.set(lockPath, token);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Best effort: a lock left behind by a crash is stale anyway and gets taken over.
    process.once('exit', () => {
      for (const [file, own] of held) releaseFile(file, own);
    });
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    held.delete(lockPath);
    releaseFile(lockPath, token);
  };
}

function releaseFile(lockPath: string, token: string): void {
  try {
    if (fs.readFileSync(lockPath, 'utf8') === token) fs.rmSync(lockPath, { force: true });
  } catch {
    // already gone
  }
}

function locked(lockPath: string, holder: string): TracklaneError {
  return new TracklaneError(
    TracklaneErrorCode.STORE,
    `Tracklane: the disk spool ${path.dirname(lockPath)} is in use by ${holder}; give each process its own \`spool.dir\` (lock file: ${lockPath})`,
  );
}

function ageMs(file: string): number | undefined {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as { code?: string }).code : undefined;
}
