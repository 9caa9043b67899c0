// @snowplow/browser-tracker with its defaults (POST, its localStorage event queue), the same event.
import { newTracker, trackSelfDescribingEvent } from '@snowplow/browser-tracker';

export async function start(sinkUrl) {
  newTracker('bench', sinkUrl, { appId: 'bench' });
  return {
    track: (i) =>
      trackSelfDescribingEvent({ event: { schema: 'iglu:com.acme/feature_used/jsonschema/1-0-0', data: { feature: 'search', workspace_id: `ws-${i}`, duration_ms: i } } }),
    pending: () => undefined,
  };
}
