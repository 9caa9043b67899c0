// The dedup window configured on the command line is the one the running collector uses.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVER_KEY, httpRequest } from '../helpers/collector.js';
import { spawnCollectorCli } from '../helpers/collector-process.js';
import { batch, envelope, writeTrackingPlan } from '../helpers/tracking-plan.js';

describe('tracklane-collector --dedup-max-ids', () => {
  it('bounds the window: an id pushed out by a newer one lands again', { timeout: 30_000 }, async () => {
    const temp = mkdtempSync(path.join(os.tmpdir(), 'tracklane-cli-dedup-'));
    const schemas = path.join(temp, 'schemas');
    writeTrackingPlan(schemas);
    const collector = await spawnCollectorCli(['--schemas', schemas, '--data', path.join(temp, 'data'), '--write-key', SERVER_KEY, '--port', '0', '--dedup-max-ids', '1']);
    try {
      const post = async (events: ReturnType<typeof envelope>[]) => {
        const answer = await httpRequest(new URL('/v1/batch', collector.url), 'POST', { authorization: `Bearer ${SERVER_KEY}`, 'content-type': 'application/json' }, JSON.stringify(batch(events)));
        return answer.json as unknown;
      };
      const [first, second] = [envelope(), envelope()];
      expect(await post([first])).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
      expect(await post([first])).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
      expect(await post([second])).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
      // With the default window (1,000,000 ids) this would be a duplicate.
      expect(await post([first])).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    } finally {
      collector.child.kill('SIGKILL');
      await collector.exited;
      rmSync(temp, { recursive: true, force: true });
    }
  });
});
