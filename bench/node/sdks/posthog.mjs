// posthog-node with its defaults (its queue keeps at most 1,000 events); drained with shutdown().
import { PostHog } from 'posthog-node';

export default {
  start(sinkUrl) {
    const posthog = new PostHog('bench', { host: sinkUrl });
    return {
      track(i) {
        posthog.capture({ distinctId: 'bench-user', event: 'bench_event', properties: { plan: 'pro', count: 3, ok: true, bench_i: i } });
      },
      drain: () => posthog.shutdown(),
    };
  },
};
