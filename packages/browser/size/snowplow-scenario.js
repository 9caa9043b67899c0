// The peer measured beside size/scenario.js in the same `pnpm size` run: @snowplow/browser-tracker
// with its defaults (localStorage event queue, retry, cookies for the user and session ids, page
// context, unload handling), sending the same self-describing event.
import { newTracker, trackSelfDescribingEvent } from '@snowplow/browser-tracker';

newTracker('shop', 'https://collect.example.com', { appId: 'shop' });
trackSelfDescribingEvent({
  event: { schema: 'iglu:com.acme/feature_used/jsonschema/1-0-0', data: { feature: 'search', workspace_id: 'ws-1' } },
});
