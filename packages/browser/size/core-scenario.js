// The floor under size/scenario.js, measured in the same `pnpm size` run: @tracklane/core alone
// (envelope, consent, PII rules, options checks, retrying delivery, the collector destination) with
// its in-memory queue and the smallest fetch client, sending one event through a generated function.
// Every platform package builds on this much.
import { trackFeatureUsed } from '@tracklane/example-tracking-plan';
import { collectorDestination, createTracker } from '@tracklane/core';

const http = {
  async post({ url, headers, body }) {
    const response = await fetch(url, { method: 'POST', headers, body });
    return { status: response.status, header: (name) => response.headers.get(name) ?? undefined, text: await response.text() };
  },
};
const tracker = createTracker(
  { appId: 'shop', destinations: [collectorDestination({ url: 'https://collect.example.com', writeKey: 'pk_live_1' })] },
  { services: { http, warn: () => {} }, tracker: { name: 'core-only', version: '0' }, defaultPlatform: 'web' },
);
trackFeatureUsed(tracker, { feature: 'search', workspace_id: 'ws-1' });
