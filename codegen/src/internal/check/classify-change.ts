import type { JsonSchema } from '../load/types.js';
import { changeRank, type ChangeKind } from '../schemaver.js';
import { compareNode } from './classify/compare-node.js';
import { Comparison } from './classify/comparison.js';
import { witnessJudge, type WitnessJudge } from './classify/engine.js';
import type { Finding } from './classify/types.js';
import { semanticJson } from './classify/semantic.js';
import { findWitness } from './classify/witness.js';
import { canonicalJson } from './lock-file.js';

/** One difference between two versions, with the SchemaVer kind it needs and where it is. */
export interface SchemaChange {
  /** For an undecided change: the kind it needs if it does break data. */
  kind: ChangeKind;
  /** JSON pointer into the newer schema. */
  pointer: string;
  message: string;
  /**
   * For a REVISION or MODEL: an instance valid under the old version and invalid under the new
   * one, checked by the collector's validator (ajv, draft-04) in this run.
   */
  witness?: unknown;
  /** Neither proven compatible nor shown breaking by a witness: "cannot prove ADDITION". */
  undecided?: true;
}

export interface Classification {
  /** The largest proven change: ADDITION unless a witness shows more. */
  kind: ChangeKind;
  changes: SchemaChange[];
  /** Some change could not be decided: ADDITION is not proven (see `changes[].undecided`). */
  undecided: boolean;
}

/**
 * Classifies the change from `from` to `to` with SchemaVer (Snowplow): ADDITION when every
 * instance valid under `from` stays valid under `to`, REVISION when some may not, MODEL when none
 * does (judged at the node of the change: a new required property, a type replaced). A REVISION
 * or MODEL is reported only with a witness the validator confirmed; a change neither proven
 * compatible nor witnessed is reported as undecided, with its pointer.
 */
export function classifyChange(from: JsonSchema, to: JsonSchema): Classification {
  const judge = witnessJudge(from, to);
  const walk = new Comparison(from, to, judge);
  compareNode(from, to, walk);
  const changes = dedupe(walk.out.map((f) => settle(f, from, to, judge)));
  if (changes.length === 0 && canonicalJson(from) !== canonicalJson(to)) {
    const message = semanticJson(from) === semanticJson(to) ? 'descriptions or metadata changed' : 'constraints rewritten: every value allowed before is still allowed';
    changes.push({ kind: 'ADDITION', pointer: '', message });
  }
  const decided = changes.filter((c) => !c.undecided);
  const kind = decided.reduce<ChangeKind>((max, c) => (changeRank(c.kind) > changeRank(max) ? c.kind : max), 'ADDITION');
  return { kind, changes, undecided: changes.some((c) => c.undecided) };
}

function settle(finding: Finding, from: JsonSchema, to: JsonSchema, judge: WitnessJudge): SchemaChange {
  const { site, undecided: _claim, ...change } = finding;
  if (!site) return change;
  const found = findWitness(site, from, to, judge);
  if (found) return { ...change, witness: found.instance };
  const why = finding.undecided ? '' : ' (no instance valid before and invalid now was found)';
  return { ...change, message: `cannot prove ADDITION: ${finding.message}${why}`, undecided: true };
}

/** The same change found along several ways (branches of a union) is reported once, witnessed if any way was. */
function dedupe(changes: SchemaChange[]): SchemaChange[] {
  const byKey = new Map<string, SchemaChange>();
  for (const change of changes) {
    const key = `${change.pointer}\u0000${change.message.replace(/^cannot prove ADDITION: /, '').replace(/ \(no instance .*\)$/, '')}`;
    const seen = byKey.get(key);
    if (!seen || (seen.undecided && !change.undecided) || changeRank(change.kind) > changeRank(seen.kind)) byKey.set(key, change);
  }
  return [...byKey.values()];
}
