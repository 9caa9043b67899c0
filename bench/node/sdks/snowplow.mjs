// @snowplow/node-tracker with its defaults (its emitter keeps at most 1,000 events in memory).
import { newTracker, buildSelfDescribingEvent } from '@snowplow/node-tracker';

export default {
  start(sinkUrl) {
    const tracker = newTracker({ namespace: 'bench', appId: 'bench' }, { endpoint: sinkUrl });
    return {
      track(i) {
        tracker.track(buildSelfDescribingEvent({ event: { schema: 'iglu:com.acme/bench_event/jsonschema/1-0-0', data: { plan: 'pro', count: 3, ok: true, bench_i: i } } }));
      },
      drain: () => tracker.flush(),
    };
  },
};
