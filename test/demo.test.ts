// The README's main job (`pnpm demo`, after the build `pnpm test` has already run): codegen, the
// collector with its file sink, the example Node service, a summary; Ctrl-C stops everything.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const demo = path.join(root, 'examples/demo/run.mjs');

function runDemo(args: string[], onOutput?: (text: string, stop: () => void) => void) {
  const child = spawn(process.execPath, [demo, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    onOutput?.(output, () => child.kill('SIGINT'));
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  return new Promise<{ code: number | null; output: string }>((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

describe('pnpm demo', () => {
  it('lands the service’s typed events as good, the legacy ones as bad, and says where', { timeout: 120_000 }, async () => {
    const { code, output } = await runDemo(['--exit']);
    expect(code, output).toBe(0);
    expect(output).toMatch(/"tracked":103,"delivered":100,"queued":0,"dropped":\{"rejected":3\}/);
    expect(output).toMatch(/good: 100 events in examples\/demo\/\.data\/good\/date=\d{4}-\d\d-\d\d\/hour=\d\d\//);
    expect(output).toMatch(/bad: {2}3 events in /);
    expect(output).toContain('unknown schema iglu:com.acme/legacy_click/jsonschema/1-0-0');
    expect(output).toMatch(/metrics: http:\/\/127\.0\.0\.1:\d+\/metrics/);
    expect(output).not.toContain('customer0@example.com'); // hashed on the device
    // tracklane-warehouse loaded it into DuckDB: a query over a table derived from the schemas.
    expect(output).toMatch(/done: 103 lines, 100 events, 3 quarantined/);
    expect(output).toMatch(/from com_acme_signup_1 group by plan[^\n]*\n {4}free {9}25\n/);
    expect(output).toContain('database: examples/demo/.data/warehouse.duckdb');
  });

  it('keeps the collector running until Ctrl-C, then stops it cleanly', { timeout: 120_000 }, async () => {
    let url = '';
    let stopped = false;
    const { code } = await runDemo([], (text, stop) => {
      url = /metrics: (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(text)?.[1] ?? url;
      if (!stopped && text.includes('press Ctrl-C')) {
        stopped = true;
        void fetch(`${url}/healthz`).then((r) => {
          expect(r.status).toBe(200);
          stop();
        });
      }
    });
    expect(code).toBe(0);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});
