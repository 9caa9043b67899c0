// The example service: emits typed events for a few customers, then shuts down cleanly.
// Run by `pnpm demo` with TRACKLANE_COLLECTOR_URL and TRACKLANE_WRITE_KEY set.
import { TRACKING_PLAN } from '@tracklane/example-tracking-plan';
import { collectorDestination, createNodeTracker } from '@tracklane/node';
import { simulateTraffic } from './service.js';

const url = process.env.TRACKLANE_COLLECTOR_URL ?? 'http://127.0.0.1:8787';
const writeKey = process.env.TRACKLANE_WRITE_KEY ?? 'demo-server-key';

const tracker = createNodeTracker({
  appId: 'acme-billing',
  appVersion: '1.4.0',
  destinations: [collectorDestination({ url, writeKey })],
  // A raw track() call for a schema of the plan gets its consent purpose and PII marks too.
  trackingPlan: TRACKING_PLAN,
  hooks: { onError: (error) => console.error(`tracker: ${error.message}`) },
});

const tracked = simulateTraffic(tracker, { users: Number(process.env.DEMO_USERS ?? 25), legacyEvents: 3 });
await tracker.shutdown({ timeoutMs: 10_000 });
const stats = tracker.getStats();
console.log(JSON.stringify({ tracked, delivered: stats.delivered, queued: stats.queued, dropped: stats.dropped }));
