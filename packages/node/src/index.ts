// @tracklane/node: Tracklane for servers, jobs and serverless functions.
export { createNodeTracker } from './internal/node-tracker.js';
export type { NodeTracker, NodeTrackerOptions } from './internal/node-tracker.js';
export { createDiskSpool } from './internal/disk-spool.js';
export type { DiskSpoolOptions } from './internal/disk-spool.js';
export { createNodeHttpClient } from './internal/http-client.js';
export type { NodeHttpClientOptions } from './internal/http-client.js';
export { flushAfter } from './internal/flush-after.js';
export type { FlushAfterOptions } from './internal/flush-after.js';
export { collectorDestination, DropReason } from '@tracklane/core';
export type { CollectorDestinationOptions, Envelope, TrackOptions, TrackerStats } from '@tracklane/core';
