// @amplitude/analytics-node with its defaults (serverUrl pointed at the sink, logging off).
import { createInstance } from '@amplitude/analytics-node';

export default {
  async start(sinkUrl) {
    const amplitude = createInstance();
    await amplitude.init('bench', { serverUrl: `${sinkUrl}/2/httpapi`, logLevel: 0 }).promise;
    return {
      track(i) {
        amplitude.track('bench_event', { plan: 'pro', count: 3, ok: true, bench_i: i }, { user_id: 'bench-user' });
      },
      drain: () => amplitude.flush().promise,
    };
  },
};
