import type { JsonSchema } from '../../load/types.js';
import { canonicalJson } from '../lock-file.js';
import type { WitnessJudge } from './engine.js';
import { instanceAlong } from './instance-along.js';
import type { Site } from './types.js';
import { probesAt } from './probes.js';

/** Candidates tried per site: enough for every pair of the Iglu Central corpus, bounded for huge schemas. */
const MAX_CANDIDATES = 800;

/**
 * Looks for an instance valid under the old version and invalid under the new one, around the
 * site a rule pointed at: each candidate value is put where the site is (inside a small instance
 * of the old root built along the site's route) and the whole instance is judged by the
 * validator against both versions. Undefined when no candidate is a witness.
 */
export function findWitness(site: Site, oldRoot: JsonSchema, newRoot: JsonSchema, judge: WitnessJudge): { instance: unknown } | undefined {
  const tried = new Set<string>();
  const candidates = [...(site.hints?.() ?? []), ...probesAt(site.old, site.new, oldRoot, newRoot)];
  for (const value of candidates) {
    if (tried.size >= MAX_CANDIDATES) break;
    const key = canonicalJson(value);
    if (value === undefined || tried.has(key)) continue;
    tried.add(key);
    const instance = instanceAlong(oldRoot, oldRoot, site.route, value);
    if (judge.breaks(instance)) return { instance };
  }
  return undefined;
}
