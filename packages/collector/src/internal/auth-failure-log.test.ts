import { describe, expect, it } from 'vitest';
import type { AccessDecision } from './access-control.js';
import { AuthFailureLog } from './auth-failure-log.js';
import { createMetrics } from './metrics.js';

const refused = (keyId?: string): Extract<AccessDecision, { ok: false }> => ({
  ok: false,
  status: 401,
  reason: keyId ? 'server_key_in_url' : 'unknown_key',
  message: 'refused',
  keyId,
  allowOrigin: undefined,
});

describe('AuthFailureLog', () => {
  it('logs at most 10 lines a second; the next line says how many were left out; the metric counts all', async () => {
    let now = 1_000_000;
    const lines: Record<string, unknown>[] = [];
    const metrics = createMetrics();
    const log = new AuthFailureLog((level, msg, fields) => lines.push({ level, msg, ...fields }), metrics, () => now);
    for (let i = 0; i < 25; i++) log.record(refused(), '/v1/batch', '10.0.0.0');
    expect(lines).toHaveLength(10);
    now += 999;
    log.record(refused(), '/i', undefined);
    expect(lines).toHaveLength(10);
    now += 1;
    log.record(refused('abcd1234'), '/i', '10.0.0.0');
    expect(lines).toHaveLength(11);
    expect(lines[10]).toEqual({ level: 'warn', msg: 'authentication failed', reason: 'server_key_in_url', route: '/i', status: 401, keyId: 'abcd1234', clientIp: '10.0.0.0', suppressed: 16 });
    expect(lines[0]).toEqual({ level: 'warn', msg: 'authentication failed', reason: 'unknown_key', route: '/v1/batch', status: 401, clientIp: '10.0.0.0' });
    expect(await metrics.registry.getSingleMetricAsString('tracklane_collector_auth_failures_total')).toContain('tracklane_collector_auth_failures_total{reason="unknown_key"} 26');
  });
});
