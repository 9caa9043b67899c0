// @segment/analytics-node with its defaults.
import { Analytics } from '@segment/analytics-node';

export default {
  start(sinkUrl) {
    const analytics = new Analytics({ writeKey: 'bench', host: sinkUrl });
    return {
      track(i) {
        analytics.track({ userId: 'bench-user', event: 'bench_event', properties: { plan: 'pro', count: 3, ok: true, bench_i: i } });
      },
      drain: () => analytics.closeAndFlush(),
    };
  },
};
