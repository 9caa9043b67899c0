// @segment/analytics-next with its defaults, settings given inline (no CDN) and the Segment.io
// destination pointed at the sink, the same event.
import { AnalyticsBrowser } from '@segment/analytics-next';

export async function start(sinkUrl) {
  const host = new URL(sinkUrl).host;
  const [analytics] = await AnalyticsBrowser.load(
    {
      writeKey: 'bench',
      cdnURL: sinkUrl,
      cdnSettings: { integrations: { 'Segment.io': { apiKey: 'bench', apiHost: `${host}/v1`, protocol: 'http' } } },
    },
    { integrations: { 'Segment.io': { apiHost: `${host}/v1`, protocol: 'http' } } },
  );
  return {
    track: (i) => void analytics.track('feature_used', { feature: 'search', workspace_id: `ws-${i}`, duration_ms: i }),
    pending: () => undefined,
  };
}
