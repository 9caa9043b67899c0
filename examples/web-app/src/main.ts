// The example page: typed track functions generated from the example plan, a consent banner, and
// @tracklane/browser sending to the native collector (`pnpm start` runs both on loopback).
import { collectorDestination, createBrowserTracker, type ConsentState } from '@tracklane/browser';
import { trackFeatureUsed, trackOrderCompleted, trackPageView, trackSignup } from '@tracklane/example-tracking-plan';

const POLICY_VERSION = '2026-01';
const params = new URLSearchParams(location.search);

const tracker = createBrowserTracker({
  appId: 'acme-web',
  appVersion: '1.0.0',
  destinations: [
    collectorDestination({
      url: params.get('collector') ?? import.meta.env.VITE_TRACKLANE_URL ?? 'http://127.0.0.1:8787',
      writeKey: params.get('key') ?? import.meta.env.VITE_TRACKLANE_WRITE_KEY ?? 'pk_demo_web',
    }),
  ],
  // Until the visitor decides, analytics and marketing events wait in memory; `necessary` never waits.
  consent: { default: 'pending', policyVersion: POLICY_VERSION },
  page: { query: { allow: ['utm_source', 'utm_medium', 'utm_campaign', 'q'] } },
  hooks: { onDelivered: (events) => log(`delivered ${events.length} event(s)`) },
});

const $ = (id: string): HTMLElement => document.getElementById(id)!;
const log = (line: string): void => {
  $('log').textContent = `${line}\n${$('log').textContent ?? ''}`.split('\n').slice(0, 12).join('\n');
};
const tracked = (name: string, id: string | undefined): void =>
  log(id ? `tracked ${name} ${id.slice(0, 13)}…` : `${name} not tracked (consent)`);

const banner = $('consent');
const decide = (analytics: ConsentState, marketing: ConsentState): void => {
  tracker.setConsent({ analytics, marketing }, { policyVersion: POLICY_VERSION, source: 'banner' });
  banner.hidden = true;
  log(`consent: analytics ${analytics}, marketing ${marketing}`);
};
banner.hidden = tracker.getConsent().purposes.analytics !== undefined;
$('accept-all').onclick = () => decide('granted', 'granted');
$('analytics-only').onclick = () => decide('granted', 'denied');
$('necessary-only').onclick = () => decide('denied', 'denied');
$('privacy').onclick = () => (banner.hidden = false);

tracked('page_view', trackPageView(tracker, { path: location.pathname, title: document.title, ...(document.referrer ? { referrer: document.referrer } : {}) }));
$('search').onclick = () => tracked('feature_used', trackFeatureUsed(tracker, { feature: 'search', workspace_id: 'ws-demo' }));
$('export').onclick = () => tracked('feature_used', trackFeatureUsed(tracker, { feature: 'export', workspace_id: 'ws-demo', duration_ms: 1200 }));
$('signup').onclick = () => tracked('signup', trackSignup(tracker, { email: 'jane@example.com', plan: 'team', utm_campaign: 'autumn' }));
$('order').onclick = () =>
  tracked(
    'order_completed',
    trackOrderCompleted(tracker, {
      order_id: `ord-${Date.now()}`,
      revenue: 49,
      currency: 'EUR',
      items: [{ sku: 'SEAT', quantity: 1, unit_price: 49 }],
      completed_at: new Date().toISOString(),
    }),
  );

Object.assign(window, { tracker });
