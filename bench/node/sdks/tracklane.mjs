// @tracklane/node with its defaults. The module comes from TRACKLANE_NODE_ENTRY (set by run.mjs):
// the built dist/ (what users install) or, when it is not built, the TypeScript sources under tsx.
const { createNodeTracker, collectorDestination } = await import(process.env.TRACKLANE_NODE_ENTRY ?? '@tracklane/node');

export default {
  start(sinkUrl) {
    const tracker = createNodeTracker({
      appId: 'bench',
      destinations: [collectorDestination({ url: sinkUrl, writeKey: 'bench' })],
    });
    return {
      track(i) {
        tracker.track({ schema: 'iglu:com.acme/bench_event/jsonschema/1-0-0', data: { plan: 'pro', count: 3, ok: true, bench_i: i } });
      },
      async drain() {
        await tracker.flush();
        await tracker.shutdown();
      },
      details: () => tracker.getStats(),
    };
  },
};
