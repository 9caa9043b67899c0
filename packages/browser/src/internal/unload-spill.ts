import { utf8Length, type StoredEvent } from '@tracklane/core';
import { readStorage, storageKeys, writeStorage } from './storage.js';

/** Between a queue's name and a page id in the localStorage keys of spills. */
const SPILL_INFIX = ':unsaved:';

/**
 * The localStorage backstop of one page's IndexedDB queue: navigation aborts open IndexedDB
 * transactions, so events whose write has not committed when the page goes away are written here,
 * synchronously, under a key of this page, and the next page of the origin moves them into IndexedDB
 * (`readSpills`).
 */
export class UnloadSpill {
  readonly #key: string;
  /** Whether this page has a spill in localStorage now. */
  active = false;

  constructor(queueName: string) {
    this.#key = `${queueName}${SPILL_INFIX}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
  }

  /** Replaces this page's spill with `events`; none removes it. A full quota keeps the oldest events that fit. */
  write(events: readonly StoredEvent[]): void {
    if (events.length === 0 && this.active) writeStorage(this.#key, undefined);
    let kept = events;
    while (kept.length > 0 && !writeStorage(this.#key, JSON.stringify(kept))) kept = kept.slice(0, kept.length >> 1);
    this.active = kept.length > 0;
  }
}

/**
 * The events in the spills of a queue (pages that died, or pages still alive whose writes will
 * commit: adding those again is harmless, records are keyed by id), and how to remove those spills.
 * An unreadable spill yields nothing, and a value in it that is no stored event is left out: a spill
 * is localStorage, which another version or script may have written, and a record without a string
 * id and json, or whose `bytes` is not their size, would break the queue's sends or its byte bound.
 */
export function readSpills(queueName: string): { events: StoredEvent[]; remove(): void } {
  const keys = storageKeys(`${queueName}${SPILL_INFIX}`);
  const events: StoredEvent[] = [];
  for (const key of keys) {
    try {
      for (const event of JSON.parse(readStorage(key) ?? '[]') as (StoredEvent | null)[]) {
        if (typeof event?.id === 'string' && typeof event.json === 'string' && event.bytes === utf8Length(event.json)) events.push(event);
      }
    } catch {
      // a torn or foreign value: nothing to recover from it
    }
  }
  return {
    events,
    remove: () => {
      for (const key of keys) writeStorage(key, undefined);
    },
  };
}
