// Batch bodies for the collector benchmark: realistic browser envelopes of the example tracking plan
// (examples/tracking-plan), every event with a unique id so deduplication never skips the sink.
// Events are pre-serialized around their id; a batch costs one string join.

const now = () => new Date().toISOString();

/** Event templates (envelope without `id`), valid against examples/tracking-plan/schemas. */
function templates() {
  const created = now();
  const common = {
    ts: { created, sent: created },
    app: { id: 'acme-web', platform: 'web', version: '4.12.0' },
    tracker: { name: 'tracklane-browser', version: '0.1.0', namespace: 'main' },
    consent: { purposes: { analytics: 'granted', marketing: 'denied' }, policyVersion: '2026-01', source: 'banner' },
    device: { userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36', language: 'en-GB', timezone: 'Europe/London', screen: '1920x1080' },
  };
  const user = (n) => ({ anonymousId: `anon-${n}`, userId: `user-${n}`, sessionId: `session-${n % 97}`, sessionIndex: n % 12 });
  const context = (n) => ({ schema: 'iglu:com.acme/user_context/jsonschema/1-0-0', data: { user_id: `user-${n}`, role: 'member', account_age_days: n % 900 } });
  const list = [];
  for (let n = 0; n < 16; n++) {
    const page = { url: `https://app.acme.example/projects/${n}/board?view=kanban`, referrer: 'https://app.acme.example/projects', title: `Project ${n} · Board` };
    list.push({
      event: { schema: 'iglu:com.acme/page_view/jsonschema/1-0-0', data: { path: `/projects/${n}/board`, title: page.title, referrer: page.referrer } },
      entities: [context(n)],
      ...common,
      user: user(n),
      page,
    });
    list.push({
      event: {
        schema: 'iglu:com.acme/order_completed/jsonschema/1-0-0',
        data: {
          order_id: `order-${n}`,
          revenue: 129.9 + n,
          currency: 'EUR',
          items: [
            { sku: `sku-${n}`, quantity: 1 + (n % 3), unit_price: 49.95 },
            { sku: 'sku-shipping', quantity: 1, unit_price: 4.99 },
          ],
          coupon: null,
          completed_at: created,
        },
      },
      entities: [context(n)],
      ...common,
      user: user(n),
      page: { url: 'https://shop.acme.example/checkout/done', title: 'Thank you' },
    });
  }
  // `{"id":"<id>"` + the rest of the envelope.
  return list.map((envelope) => `,${JSON.stringify(envelope).slice(1)}`);
}

/**
 * Returns `next()`: the JSON text of the next batch of `size` events with ids never used before.
 * `runId` (0..0xffff) keeps ids of different runs apart.
 */
export function batchFactory(size, runId = Math.floor(Math.random() * 0x10000)) {
  const rests = templates();
  const prefix = `{"id":"${(0x1900000 + runId).toString(16).padStart(8, '0')}-0000-7000-8000-`;
  let counter = 0;
  return () => {
    const events = new Array(size);
    for (let i = 0; i < size; i++) {
      const n = counter++;
      events[i] = `${prefix}${n.toString(16).padStart(12, '0')}"${rests[n % rests.length]}`;
    }
    return `{"sentAt":"${now()}","events":[${events.join(',')}]}`;
  };
}
