import os from 'node:os';

/** What an instance id may be: it names part files and a lock file, so no path separator and no leading dot. */
const INSTANCE_ID = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$/;

/** Why `id` cannot be an instance id, or undefined when it can. */
export function instanceIdProblem(id: string): string | undefined {
  return INSTANCE_ID.test(id) ? undefined : `an instance id is 1-100 letters, digits, '.', '_' or '-', not starting with '.' or '-', got ${JSON.stringify(id)}`;
}

/**
 * `<hostname>-<pid>`: two containers on one volume differ by hostname even when both are PID 1, two
 * processes on one host by pid, and a file's name says which machine wrote it. (A random id kept in
 * the data directory would be shared by every collector on that volume.) Where hostnames repeat too
 * (host networking, both PID 1), the instance lock refuses the second collector; `--instance-id`
 * then tells them apart.
 */
export function defaultInstanceId(hostname = os.hostname(), pid = process.pid): string {
  const host = hostname.replace(/[^A-Za-z0-9.-]/g, '_').replace(/^[.-]+/, '').slice(0, 80) || 'host';
  return `${host}-${pid}`;
}
