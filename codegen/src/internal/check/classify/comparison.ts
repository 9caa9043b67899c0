import type { JsonSchema } from '../../load/types.js';
import type { ChangeKind } from '../../schemaver.js';
import type { WitnessJudge } from './engine.js';
import { token } from './schema-nodes.js';
import type { Finding, Step } from './types.js';

/**
 * Where the walk over both versions is: the two roots, the way down from them (as the data sees
 * it) and the pointer into the new schema. Rules report through it; `trial()` runs a rule without
 * reporting, to ask whether one node fits another.
 */
export class Comparison {
  constructor(
    readonly oldRoot: JsonSchema,
    readonly newRoot: JsonSchema,
    readonly judge: WitnessJudge,
    readonly out: Finding[] = [],
    readonly route: readonly Step[] = [],
    readonly pointer = '',
    /** Pairs of nodes being compared, from the root down to here. */
    readonly seen = new Map<JsonSchema, Set<JsonSchema>>(),
    /** Inside a combinator branch, MODEL is not claimed: another branch may still take the data. */
    readonly capAtRevision = false,
    /** Comparing against part of a schema (an allOf branch): what it lacks is not a loosening. */
    readonly quiet = false,
  ) {}

  /** The comparison one level down: `suffix` into the new schema, `step` into the data. */
  at(suffix: string, step?: Step, flags: { capAtRevision?: boolean; quiet?: boolean } = {}): Comparison {
    return new Comparison(this.oldRoot, this.newRoot, this.judge, this.out, step ? [...this.route, step] : this.route, this.pointer + suffix, this.seen,
      flags.capAtRevision ?? this.capAtRevision, flags.quiet ?? this.quiet);
  }

  /** The same place, reporting into a scratch list. */
  trial(): Comparison {
    return new Comparison(this.oldRoot, this.newRoot, this.judge, [], this.route, this.pointer, this.seen, this.capAtRevision, this.quiet);
  }

  /**
   * Enters a pair of nodes; false when the pair is already being compared further up (a
   * recursive schema), where assuming it fits is sound: data is finite, so every instance is
   * checked at a finite depth. Pairs met again on another branch of the walk are compared again.
   */
  enter(a: JsonSchema, b: JsonSchema): boolean {
    const met = this.seen.get(a) ?? new Set<JsonSchema>();
    if (met.has(b)) return false;
    this.seen.set(a, met.add(b));
    return true;
  }

  leave(a: JsonSchema, b: JsonSchema): void {
    this.seen.get(a)?.delete(b);
  }

  /** A change proven compatible. */
  loosened(suffix: string, message: string): void {
    if (!this.quiet) this.out.push({ kind: 'ADDITION', pointer: this.pointer + suffix, message });
  }

  /** A change a rule says refuses some old data at this node: a witness is looked for before it is reported. */
  narrowed(kind: ChangeKind, suffix: string, message: string, old: JsonSchema, now: JsonSchema, hints?: () => unknown[]): void {
    const capped = this.capAtRevision && kind === 'MODEL' ? 'REVISION' : kind;
    this.out.push({ kind: capped, pointer: this.pointer + suffix, message, site: { route: this.route, old, new: now, hints } });
  }

  /** A change the rules can neither prove compatible nor breaking: still searched for a witness. */
  undecided(suffix: string, message: string, old: JsonSchema, now: JsonSchema, hints?: () => unknown[]): void {
    this.out.push({ kind: 'REVISION', pointer: this.pointer + suffix, message, undecided: true, site: { route: this.route, old, new: now, hints } });
  }

  /** Whether the findings of a trial hold nothing that may break data. */
  static clean(findings: readonly Finding[]): boolean {
    return findings.every((f) => f.kind === 'ADDITION' && !f.undecided);
  }
}

export { token };
