import { TracklaneError, TracklaneErrorCode } from './errors.js';
import type { TrackerOptions } from './tracker-types.js';

/** Rejects a configuration that cannot work, with a message that says which option and why. */
export function validateTrackerOptions(options: TrackerOptions): void {
  const fail = (message: string): never => {
    throw new TracklaneError(TracklaneErrorCode.INVALID_CONFIG, `Tracklane: ${message}`);
  };
  if (typeof options !== 'object' || options === null) fail('options must be an object');
  if (typeof options.appId !== 'string' || options.appId.trim() === '') fail('`appId` must be a non-empty string');
  if (!Array.isArray(options.destinations) || options.destinations.length === 0) {
    fail('`destinations` must list at least one destination, e.g. collectorDestination({ url, writeKey })');
  }
  const names = new Set<string>();
  for (const destination of options.destinations) {
    if (typeof destination?.createTransport !== 'function') fail('every destination must come from a destination factory');
    if (names.has(destination.name)) fail(`two destinations are named "${destination.name}"; give each a unique \`name\``);
    names.add(destination.name);
  }
  const positive: (keyof TrackerOptions)[] = ['flushIntervalMs', 'concurrency', 'requestTimeoutMs', 'maxPendingConsent'];
  for (const key of positive) {
    const value = options[key];
    if (value !== undefined && (typeof value !== 'number' || !(value > 0))) fail(`\`${key}\` must be a positive number`);
  }
}
