// @tracklane/browser: Tracklane for web pages.
export { createBrowserTracker } from './internal/browser-tracker.js';
export type { BrowserTracker, BrowserTrackerOptions, BrowserTrackerStats } from './internal/browser-tracker.js';
export { createBrowserHttpClient, KEEPALIVE_BUDGET_BYTES } from './internal/http-client.js';
export { IdbQueue } from './internal/idb-queue.js';
export type { QueueLimits, StorageKind } from './internal/idb-queue.js';
export type { IdentityOptions } from './internal/identity.js';
export { DEFAULT_DENIED_PARAMS, deviceContext, filterUrl, pageContext } from './internal/context.js';
export type { DeviceContextOptions, PageContextOptions } from './internal/context.js';
export { collectorDestination, DropReason } from '@tracklane/core';
export type { CollectorDestinationOptions, ConsentState, Envelope, TrackOptions, TrackerStats } from '@tracklane/core';
