/** Reported as `tracker.name` / `tracker.version` in every envelope. Kept in step with package.json by a test. */
export const TRACKER_NAME = 'tracklane-browser';
export const TRACKER_VERSION = '0.1.0';
