import type { ConsentSnapshot, ConsentState } from './envelope.js';
import type { ConsentOptions } from './tracker-types.js';

/** The purpose that is never gated (strictly necessary processing). */
export const NECESSARY_PURPOSE = 'necessary';

/**
 * Consent per purpose. The snapshot is an immutable object replaced on every change, so envelopes
 * can share it by reference and still carry the state at capture time.
 */
export class ConsentModel {
  #current: ConsentSnapshot;
  readonly #fallback: ConsentState;

  constructor(options: ConsentOptions = {}) {
    this.#fallback = options.default ?? 'granted';
    this.#current = freezeSnapshot({
      purposes: { ...options.purposes },
      ...(options.policyVersion !== undefined ? { policyVersion: options.policyVersion } : {}),
      source: options.source ?? 'default',
    });
  }

  get snapshot(): ConsentSnapshot {
    return this.#current;
  }

  stateOf(purpose: string): ConsentState {
    return consentStateOf(this.#current, purpose, this.#fallback);
  }

  /** Applies a change; returns the purposes whose state changed, with their new state. */
  update(purposes: Record<string, ConsentState>, meta: { policyVersion?: string; source?: string } = {}): Map<string, ConsentState> {
    const changed = new Map<string, ConsentState>();
    for (const [purpose, state] of Object.entries(purposes)) {
      if (this.stateOf(purpose) !== state) changed.set(purpose, state);
    }
    const policyVersion = meta.policyVersion ?? this.#current.policyVersion;
    this.#current = freezeSnapshot({
      purposes: { ...this.#current.purposes, ...purposes },
      ...(policyVersion !== undefined ? { policyVersion } : {}),
      source: meta.source ?? 'app',
    });
    return changed;
  }
}

/**
 * The state of a purpose in a consent snapshot: `necessary` is always granted, a purpose the
 * snapshot does not name has the `fallback` state (`ConsentOptions.default`).
 */
export function consentStateOf(snapshot: ConsentSnapshot, purpose: string, fallback: ConsentState): ConsentState {
  return purpose === NECESSARY_PURPOSE ? 'granted' : (snapshot.purposes[purpose] ?? fallback);
}

function freezeSnapshot(snapshot: ConsentSnapshot): ConsentSnapshot {
  Object.freeze(snapshot.purposes);
  return Object.freeze(snapshot);
}
