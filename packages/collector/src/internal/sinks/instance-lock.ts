import { randomUUID } from 'node:crypto';
import { closeSync, openSync, promises as fs, write, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CollectorError, CollectorErrorCode } from '../errors.js';

/** How a lock is held and judged. Defaults in {@link LOCK_TIMING}. */
export interface LockTiming {
  /** How often the holder renews its lock file. */
  heartbeatMs: number;
  /** How long a lock file must stay unrenewed before another process takes it over. */
  leaseMs: number;
}

/**
 * A holder renews every 2 s; a lock left unrenewed for 10 s is taken over (a collector killed with
 * `kill -9` in a container restarts with the same id and PID 1: it waits that long once).
 */
export const LOCK_TIMING: LockTiming = { heartbeatMs: 2000, leaseMs: 10_000 };

/** A claimed instance id: `held` until released, or `lost` when another process took its lock file. */
export interface InstanceLock {
  readonly file: string;
  state(): 'held' | 'lost' | 'released';
  release(): Promise<void>;
}

/** Lock files this process holds: a second claim of one is refused at once. */
const heldHere = new Set<string>();

/**
 * Claims `instanceId` in the raw store at `root`: the lock file `instance-<id>.lock` is created
 * exclusively and renewed every `heartbeatMs` through its own descriptor, so two processes never
 * append to the same part files. A lock file found there is judged: held by a dead process on this
 * host (its pid is gone), or not renewed for `leaseMs` (a crash elsewhere), it is taken over;
 * renewed while watched, the claim is refused (INSTANCE_LOCKED). Renewal is judged by the file's
 * content changing, never by comparing clocks: hosts sharing a volume need not agree on the time.
 */
export async function claimInstance(root: string, instanceId: string, timing: LockTiming = LOCK_TIMING, onLost: () => void = () => undefined): Promise<InstanceLock> {
  const file = lockFile(root, instanceId);
  if (heldHere.has(file)) throw refused(file, instanceId, 'this process already holds it');
  const token = randomUUID();
  for (let attempt = 0; attempt < 3; attempt++) {
    const fd = create(file, token);
    if (fd !== undefined) return hold(file, token, fd, timing, onLost);
    const seen = await readText(file);
    if (seen === undefined) continue; // released since: try again
    const holder = parseHolder(seen);
    const deadHere = holder !== undefined && holder.host === os.hostname() && holder.pid !== process.pid && !pidAlive(holder.pid);
    if (!deadHere && (await renewedWithin(file, seen, timing))) {
      throw refused(file, instanceId, holder ? `held by pid ${holder.pid} on ${holder.host}, renewed while this one waited` : 'held by a process that renews it');
    }
    if (!(await takeOver(file, seen, token))) throw refused(file, instanceId, 'another process renewed or took it while this one took it over');
  }
  throw refused(file, instanceId, 'claimed by other processes at the same time');
}

/**
 * Claims `instanceId` at once when no lock file is there (the usual start), without a turn of the
 * event loop; undefined when there is one to judge (claimInstance). Throws when this process holds it.
 */
export function tryClaimInstance(root: string, instanceId: string, timing: LockTiming = LOCK_TIMING, onLost: () => void = () => undefined): InstanceLock | undefined {
  const file = lockFile(root, instanceId);
  if (heldHere.has(file)) throw refused(file, instanceId, 'this process already holds it');
  const token = randomUUID();
  const fd = create(file, token);
  return fd === undefined ? undefined : hold(file, token, fd, timing, onLost);
}

const lockFile = (root: string, instanceId: string): string => path.join(root, `instance-${instanceId}.lock`);

interface Holder {
  token: string;
  host: string;
  pid: number;
}

/** The holder and a renewal counter, padded so that each renewal writes the same bytes over the last. */
const lockText = (token: string, beat: number): string =>
  `${JSON.stringify({ token, host: os.hostname(), pid: process.pid, beat: String(beat).padStart(12, '0') })}\n`;

function parseHolder(text: string): Holder | undefined {
  try {
    const value = JSON.parse(text) as Partial<Holder>;
    return typeof value.token === 'string' && typeof value.host === 'string' && typeof value.pid === 'number' ? (value as Holder) : undefined;
  } catch {
    return undefined; // torn by a crash while it was first written
  }
}

function refused(file: string, instanceId: string, why: string): CollectorError {
  return new CollectorError(
    CollectorErrorCode.INSTANCE_LOCKED,
    `instance id "${instanceId}" is in use in ${path.dirname(file)} (${path.basename(file)}: ${why}); give each collector sharing a data directory its own --instance-id (TRACKLANE_INSTANCE_ID)`,
  );
}

/** Creates the lock file if there is none (one small synchronous write); undefined when one exists. */
function create(file: string, token: string): number | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw error;
  }
  try {
    writeSync(fd, lockText(token, 0), 0);
    return fd;
  } catch (error) {
    closeSync(fd);
    void fs.rm(file, { force: true });
    throw error;
  }
}

/** Writes `text` at the start of the file open as `fd`. */
const writeAt0 = (fd: number, text: string): Promise<void> =>
  new Promise((resolve, reject) => write(fd, text, 0, (error) => (error ? reject(error) : resolve())));

async function readText(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Watches the lock file for `leaseMs`: true as soon as its content changes (its holder renews it). */
async function renewedWithin(file: string, seen: string, timing: LockTiming): Promise<boolean> {
  const polls = Math.max(1, Math.ceil((timing.leaseMs * 4) / timing.heartbeatMs));
  for (let i = 0; i < polls; i++) {
    await new Promise((resolve) => setTimeout(resolve, timing.leaseMs / polls));
    if ((await readText(file)) !== seen) return true;
  }
  return false;
}

/**
 * Moves a stale lock file aside (one rename: of two processes taking it over, one moves it) and
 * checks that what it moved is what it judged; if the holder renewed it meanwhile, it goes back.
 */
async function takeOver(file: string, seen: string, token: string): Promise<boolean> {
  const aside = `${file}.stale-${token}`;
  try {
    await fs.rename(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true; // gone already: create it
    throw error;
  }
  if ((await readText(aside)) === seen) {
    await fs.rm(aside, { force: true });
    return true;
  }
  // Someone else's live lock: put it back unless a third process made a new one since.
  await fs.link(aside, file).catch(() => undefined);
  await fs.rm(aside, { force: true });
  return false;
}

function hold(file: string, token: string, fd: number, timing: LockTiming, onLost: () => void): InstanceLock {
  heldHere.add(file);
  let state: 'held' | 'lost' | 'released' = 'held';
  let beat = 0;
  let beating: Promise<void> = Promise.resolve();
  // Renewed through the descriptor: once another process has moved the file aside, these writes go
  // to the moved file, never over the new holder's.
  const renew = async (): Promise<void> => {
    let text: string | undefined;
    try {
      text = await readText(file);
    } catch {
      return; // a failed read (a network file system's hiccup) proves nothing: try at the next beat
    }
    if (state !== 'held') return;
    if (text === undefined || parseHolder(text)?.token !== token) {
      state = 'lost';
      clearInterval(timer);
      heldHere.delete(file);
      onLost();
      return;
    }
    await writeAt0(fd, lockText(token, ++beat)).catch(() => undefined);
  };
  const timer = setInterval(() => {
    beating = beating.then(renew);
  }, timing.heartbeatMs);
  timer.unref();
  return {
    file,
    state: () => state,
    release: async () => {
      if (state === 'released') return;
      const wasHeld = state === 'held';
      state = 'released';
      clearInterval(timer);
      await beating;
      heldHere.delete(file);
      if (wasHeld && parseHolder((await readText(file)) ?? '')?.token === token) await fs.rm(file, { force: true });
      closeSync(fd);
    },
  };
}
