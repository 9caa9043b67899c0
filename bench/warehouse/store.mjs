// Writes a synthetic raw store like the collector's file sink: `good/date=.../hour=HH/part-bench.jsonl`,
// one realistic envelope per line (the example plan's signup 1-0-1 with a user_context entity),
// unique UUID v7-shaped ids, receive times spread over hours.
import { mkdirSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';

const PER_FILE = 100_000;
const START = Date.UTC(2026, 11, 1, 0);

export function writeStore(dir, events) {
  let bytes = 0;
  for (let first = 0, file = 0; first < events; first += PER_FILE, file++) {
    const hour = new Date(START + file * 3_600_000).toISOString();
    const partition = join(dir, 'good', `date=${hour.slice(0, 10)}`, `hour=${hour.slice(11, 13)}`);
    mkdirSync(partition, { recursive: true });
    const fd = openSync(join(partition, 'part-bench.jsonl'), 'w');
    let chunk = '';
    for (let i = first; i < Math.min(events, first + PER_FILE); i++) {
      chunk += `${line(i, START + file * 3_600_000 + (i - first) * 30)}\n`;
      if (chunk.length > 1 << 20) {
        bytes += writeSync(fd, chunk);
        chunk = '';
      }
    }
    bytes += writeSync(fd, chunk);
    closeSync(fd);
  }
  return bytes;
}

function line(i, receivedMs) {
  const id = `0190e0e0-${(i >>> 16).toString(16).padStart(4, '0')}-7${(i & 0xfff).toString(16).padStart(3, '0')}-8000-${i.toString(16).padStart(12, '0')}`;
  const created = new Date(receivedMs - 250).toISOString();
  return JSON.stringify({
    receivedAt: new Date(receivedMs).toISOString(),
    clientIp: '203.0.113.7',
    envelope: {
      id,
      event: { schema: 'iglu:com.acme/signup/jsonschema/1-0-1', data: { email: 'a1b2c3d4'.repeat(8), plan: ['free', 'team', 'enterprise'][i % 3], referral_code: i % 5 === 0 ? 'FRIEND' : null, utm_campaign: 'autumn' } },
      entities: [{ schema: 'iglu:com.acme/user_context/jsonschema/1-0-0', data: { user_id: `user-${i % 5000}`, role: 'admin', account_age_days: i % 400 } }],
      ts: { created, sent: new Date(receivedMs - 100).toISOString() },
      app: { id: 'acme-web', platform: 'web', version: '3.2.1' },
      tracker: { name: 'tracklane-browser', version: '0.1.0', namespace: 'main' },
      user: { anonymousId: `anon-${i % 20000}`, userId: `user-${i % 5000}`, sessionId: `s-${Math.floor(i / 20)}`, sessionIndex: 1 + (i % 7) },
      consent: { purposes: { analytics: 'granted', marketing: i % 2 ? 'granted' : 'denied' }, policyVersion: '2026-01', source: 'banner' },
      page: { url: `https://acme.example/pricing?ref=${i % 100}`, referrer: 'https://search.example/', title: 'Pricing' },
      device: { userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36', language: 'en-GB', timezone: 'Europe/London', screen: '1920x1080' },
    },
  });
}
