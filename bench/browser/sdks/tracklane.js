// @tracklane/browser with its defaults, tracking through a function generated from the example plan.
import { collectorDestination, createBrowserTracker } from '@tracklane/browser';
import { trackFeatureUsed } from '@tracklane/example-tracking-plan';

export async function start(sinkUrl) {
  const tracker = createBrowserTracker({ appId: 'bench', destinations: [collectorDestination({ url: sinkUrl, writeKey: 'pk_bench' })] });
  return {
    track: (i) => trackFeatureUsed(tracker, { feature: 'search', workspace_id: `ws-${i}`, duration_ms: i }),
    pending: () => tracker.getStats().queued,
  };
}
