// What the size budget measures: what a page needs to send one typed event with the durable
// IndexedDB queue, the retrying delivery, the sender lock and the unload handling (all of the tracker).
import { trackFeatureUsed } from '@tracklane/example-tracking-plan';
import { collectorDestination, createBrowserTracker } from '../dist/index.js';

const tracker = createBrowserTracker({
  appId: 'shop',
  destinations: [collectorDestination({ url: 'https://collect.example.com', writeKey: 'pk_live_1' })],
});
trackFeatureUsed(tracker, { feature: 'search', workspace_id: 'ws-1' });
