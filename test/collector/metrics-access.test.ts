// `/metrics` tells whoever reads it the collector's traffic, schemas and errors: it can ask for a
// bearer token of its own, and move to a listener of its own (an internal interface the load
// balancer does not expose), from the CLI's flags and environment as from createCollector.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVER_KEY, httpRequest, startCollector } from '../helpers/collector.js';
import { spawnCollectorCli, type CollectorProcess } from '../helpers/collector-process.js';
import { expectEachOnce, expectHealthy, startNormalClient } from '../helpers/normal-client.js';
import { writeTrackingPlan } from '../helpers/tracking-plan.js';

const TOKEN = 'mt_metrics_token_1f9c3a';
const temps: string[] = [];
const running: CollectorProcess[] = [];
afterEach(() => {
  for (const collector of running.splice(0)) collector.child.kill('SIGKILL');
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const get = (base: string, target: string, headers: Record<string, string> = {}) => httpRequest(new URL(target, base), 'GET', headers);

describe('/metrics access', () => {
  it('with a token: 401 without it or with another, the metrics with it; events keep landing', async () => {
    await using collector = await startCollector({ metrics: { token: TOKEN } });
    const normal = startNormalClient(() => collector.url);
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer wrong' }, { authorization: `Bearer ${SERVER_KEY}` }, { authorization: `Basic ${TOKEN}` }];
    for (const headers of attempts) {
      const refused = await get(collector.url, '/metrics', headers);
      expect(refused.status).toBe(401);
      expect(refused.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(refused.text).not.toContain('tracklane_collector_');
    }
    const answer = await get(collector.url, '/metrics', { authorization: `Bearer ${TOKEN}` });
    expect(answer.status).toBe(200);
    expect(answer.text).toMatch(/tracklane_collector_requests_total\{route="\/metrics",status="401"\} 4/);
    await normal.stop();
    expectEachOnce(normal.acked, collector.records('good'));
    await expectHealthy(collector.url);
    for (const line of collector.logs) expect(line).not.toContain(TOKEN);
  });

  it('the CLI: --metrics-port/--metrics-host serve it on a listener of its own, TRACKLANE_METRICS_TOKEN guards it; the main port answers 404', async () => {
    const temp = mkdtempSync(path.join(os.tmpdir(), 'tracklane-metrics-'));
    temps.push(temp);
    writeTrackingPlan(path.join(temp, 'schemas'));
    const args = ['--schemas', path.join(temp, 'schemas'), '--data', path.join(temp, 'data'), '--write-key', SERVER_KEY, '--port', '0', '--metrics-port', '0', '--metrics-host', '127.0.0.1'];
    const collector = await spawnCollectorCli(args, { TRACKLANE_METRICS_TOKEN: TOKEN });
    running.push(collector);
    const metricsUrl = /"msg":"metrics listening","url":"([^"]+)"/.exec(collector.output())?.[1];
    expect(metricsUrl).toBeDefined();
    expect(metricsUrl).not.toBe(collector.url);
    const normal = startNormalClient(() => collector.url);

    expect((await get(collector.url, '/metrics', { authorization: `Bearer ${TOKEN}` })).status).toBe(404);
    expect((await get(metricsUrl!, '/metrics')).status).toBe(401);
    const answer = await get(metricsUrl!, '/metrics', { authorization: `Bearer ${TOKEN}` });
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('tracklane_collector_events_total');
    // The metrics listener serves nothing else: no events, no health.
    expect((await httpRequest(new URL('/v1/batch', metricsUrl), 'POST', { authorization: `Bearer ${SERVER_KEY}`, 'content-type': 'application/json' }, '{"events":[]}')).status).toBe(404);
    expect((await get(metricsUrl!, '/healthz')).status).toBe(404);
    await normal.stop();
    await expectHealthy(collector.url);
    expect(collector.output()).not.toContain(TOKEN);
  });

  it.each<[string, string[], RegExp]>([
    ['a port out of range', ['--metrics-port', '70000'], /--metrics-port must be 0-65535/],
    ['a host without a port', ['--metrics-host', '10.0.0.1'], /--metrics-host needs --metrics-port/],
  ])('the CLI refuses %s', async (_name, flags, message) => {
    const temp = mkdtempSync(path.join(os.tmpdir(), 'tracklane-metrics-'));
    temps.push(temp);
    writeTrackingPlan(path.join(temp, 'schemas'));
    await expect(spawnCollectorCli(['--schemas', path.join(temp, 'schemas'), '--data', path.join(temp, 'data'), '--write-key', SERVER_KEY, ...flags])).rejects.toThrow(message);
  });
});
