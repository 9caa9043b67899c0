import { randomUUID } from 'node:crypto';
import {
  createUserContextEntity,
  createWorkspaceEntity,
  trackFeatureUsed,
  trackOrderCompleted,
  trackSignup,
  trackSubscriptionChanged,
} from '@tracklane/example-tracking-plan';
import type { NodeTracker } from '@tracklane/node';

export interface SimulationOptions {
  /** How many customers sign up. */
  users: number;
  /** Events a legacy client sends with a schema the collector does not know (they land as bad). */
  legacyEvents: number;
}

/**
 * A slice of a SaaS backend: customers sign up, upgrade, order and use features. Every call is a
 * generated, typed track function: a wrong field would not compile.
 */
export function simulateTraffic(tracker: NodeTracker, options: SimulationOptions): number {
  let tracked = 0;
  const count = (id: string | undefined): void => {
    if (id) tracked++;
  };
  for (let n = 0; n < options.users; n++) {
    const userId = `user-${n}`;
    const workspaceId = randomUUID();
    const user = { userId };
    const entities = [
      createUserContextEntity({ user_id: userId, role: 'owner', email: `customer${n}@example.com` }),
      createWorkspaceEntity({ workspace_id: workspaceId, plan: 'team', seats: 5 }),
    ];
    count(trackSignup(tracker, { email: `customer${n}@example.com`, plan: 'free', utm_campaign: 'autumn' }, { user }));
    count(trackSubscriptionChanged(tracker, { workspace_id: workspaceId, from_plan: 'free', to_plan: 'team', seats: 5 }, { user, entities }));
    count(
      trackOrderCompleted(
        tracker,
        {
          order_id: randomUUID(),
          revenue: 120 + n,
          currency: 'EUR',
          items: [{ sku: 'SEAT', quantity: 5, unit_price: 24 + n / 5 }],
          billing_email: `billing${n}@example.com`,
          completed_at: new Date().toISOString(),
        },
        { user, entities },
      ),
    );
    count(trackFeatureUsed(tracker, { feature: 'export', workspace_id: workspaceId, duration_ms: 300 + n }, { user, entities }));
  }
  for (let n = 0; n < options.legacyEvents; n++) {
    // An old client, not built from the tracking plan: the collector quarantines these with reasons.
    count(tracker.track({ schema: 'iglu:com.acme/legacy_click/jsonschema/1-0-0', data: { button: `b${n}` } }));
  }
  return tracked;
}
