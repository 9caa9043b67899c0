// The collector validates against the registry.json that codegen emits (`tracklane docs`) exactly as
// against the Iglu directory it was built from.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDocs } from '@tracklane/codegen';
import { SchemaRegistry } from '@tracklane/collector';
import { startCollector, type TestCollector } from '../helpers/collector.js';
import { batch, envelope } from '../helpers/tracking-plan.js';

const PLAN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples/tracking-plan/schemas');
const out = mkdtempSync(path.join(os.tmpdir(), 'tracklane-registry-'));
const registryFile = path.join(out, 'registry.json');
let collector: TestCollector;

beforeAll(async () => {
  buildDocs({ schemas: [PLAN], out });
  collector = await startCollector({ schemas: [registryFile] });
});
afterAll(async () => {
  await collector.close();
  rmSync(out, { recursive: true, force: true });
});

const pageView = (data: Record<string, unknown>) =>
  envelope({ app: { id: 'acme-web', platform: 'web' }, event: { schema: 'iglu:com.acme/page_view/jsonschema/1-0-0', data }, entities: [] });

describe('registry.json from `tracklane docs`', () => {
  it('holds the same schemas as the Iglu directory', () => {
    const uris = Object.keys((JSON.parse(readFileSync(registryFile, 'utf8')) as { schemas: Record<string, unknown> }).schemas);
    const fromDir = new SchemaRegistry().load(PLAN);
    const fromRegistry = new SchemaRegistry().load(registryFile);
    expect(fromRegistry.size).toBe(fromDir.size);
    expect(uris).toHaveLength(fromDir.size);
    for (const uri of uris) {
      expect(fromDir.get(uri), uri).toBeDefined();
      expect(fromRegistry.get(uri), uri).toBeDefined();
    }
  });

  it('a collector loaded from it accepts valid events and rejects invalid ones with their pointer', async () => {
    const good = pageView({ path: '/pricing', title: 'Pricing' });
    const bad = pageView({ path: 'no-leading-slash' });
    const unknown = envelope({ event: { schema: 'iglu:com.acme/page_view/jsonschema/9-0-0', data: {} }, entities: [] });
    const answer = await collector.post(batch([good, bad, unknown]));
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: [
        { id: bad.id, errors: ['/event/data/path: must match pattern "^/"'] },
        { id: unknown.id, errors: ['/event/schema: unknown schema iglu:com.acme/page_view/jsonschema/9-0-0'] },
      ],
    });
    expect(collector.records('good').map((r) => r.envelope!.id)).toEqual([good.id]);
  });
});
