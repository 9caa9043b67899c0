import { nextRetryDelay, type RetryPolicy } from './retry-policy.js';
import { startTimer, type CancelTimer } from './scheduler.js';
import type { EventStore, StoredEvent } from './store.js';
import { DropReason } from './tracker-types.js';
import type { Transport, TransportResult } from './transport.js';

/** What a queue tells its tracker; the tracker turns these into hooks and stats. */
export interface QueueListener {
  delivered(events: readonly StoredEvent[]): void;
  dropped(events: readonly StoredEvent[], reason: DropReason): void;
  retried(events: readonly StoredEvent[], error: string): void;
  error(error: Error): void;
}

export interface DeliveryQueueOptions {
  maxBatchEvents: number;
  maxBatchBytes: number;
  concurrency: number;
  requestTimeoutMs: number;
  flushIntervalMs: number;
  retry: RetryPolicy;
  /** False once an event's consent purpose was denied: such events are not retried. */
  consentAllows(purpose: string): boolean;
}

/**
 * The queue of one destination: takes stored events, sends them in batches bounded by count and
 * bytes (when a batch is full, or on the interval), at most `concurrency` batches at once, and
 * removes them from the store only when the destination acknowledged them (at-least-once).
 * A retryable failure pauses the queue for a backoff (or the server's `Retry-After`).
 */
export class DeliveryQueue {
  readonly #inFlight = new Set<string>();
  readonly #attempts = new Map<string, number>();
  #activeSends = 0;
  #consecutiveFailures = 0;
  #backoffUntil = 0;
  #splitLimit: number | undefined;
  #pumping = false;
  #pumpAgain = false;
  #intervalDue = false;
  #probeDue = false;
  #draining = 0;
  #unloading = 0;
  #closed = false;
  /** Nothing is sent before `restore` has counted (and purged) what an earlier run left. */
  #restored = false;
  #intervalTimer: CancelTimer | undefined;
  #retryTimer: CancelTimer | undefined;
  #idleWaiters: (() => void)[] = [];
  delivered = 0;
  retried = 0;
  lastError: string | undefined;

  readonly name: string;
  readonly #store: EventStore;
  readonly #transport: Transport;
  readonly #options: DeliveryQueueOptions;
  readonly #listener: QueueListener;

  constructor(name: string, store: EventStore, transport: Transport, options: DeliveryQueueOptions, listener: QueueListener) {
    this.name = name;
    this.#store = store;
    this.#transport = transport;
    this.#options = options;
    this.#listener = listener;
    store.subscribe?.((delta) => {
      // Events another writer added are sent on this queue's interval, like its own.
      if (this.#store.size() > 0) this.#armInterval();
      // "Look now": read the store once even if the count says it is empty, so a shared store can
      // reconcile events whose announcement was missed.
      if (delta === 0) this.#probeDue = true;
      this.#pump();
    });
  }

  /**
   * Purges the events a durable store kept from an earlier run of `denied` purposes (denied since
   * they were stored), then starts sending, those events at once.
   */
  async restore(denied: readonly string[] = []): Promise<void> {
    try {
      const found = await this.#store.count();
      for (const purpose of denied) await this.purgePurpose(purpose);
      // Events left by an earlier run are sent at once; new ones wait for the interval as usual.
      if (found > 0) this.#intervalDue = true;
    } finally {
      this.#restored = true;
      this.#pump();
    }
  }

  async enqueue(events: readonly StoredEvent[]): Promise<void> {
    if (events.length === 0) return;
    let refused: readonly StoredEvent[];
    try {
      refused = (await this.#store.add(events)).refused;
    } catch (error) {
      this.#listener.error(asError(error));
      this.#listener.dropped(events, DropReason.storeError);
      return;
    }
    if (refused.length > 0) this.#listener.dropped(refused, DropReason.storeFull);
    this.#armInterval();
    this.#pump();
  }

  /**
   * Resolves once nothing is queued or in flight. Sends partial batches meanwhile; `unloading` marks
   * the sends it starts, `resume` ends a retry backoff first.
   */
  async flush(options: { unloading?: boolean; resume?: boolean } = {}): Promise<void> {
    this.#draining++;
    if (options.unloading) this.#unloading++;
    if (options.resume && this.#backoffUntil > 0) {
      this.#retryTimer?.();
      this.#retryTimer = undefined;
      this.#backoffUntil = 0;
    }
    try {
      this.#pump();
      while (!this.#isIdle()) await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    } finally {
      this.#draining--;
      if (options.unloading) this.#unloading--;
    }
  }

  /**
   * Drops queued and retrying events of a denied purpose. Events in flight are left to finish: if
   * their attempt fails they are dropped then instead of retried.
   */
  async purgePurpose(purpose: string): Promise<void> {
    const removed = await this.#store.purgePurpose(purpose, this.#inFlight);
    for (const event of removed) this.#attempts.delete(event.id);
    if (removed.length > 0) this.#listener.dropped(removed, DropReason.consentDenied);
    this.#notifyIfIdle();
  }

  stats(): { queued: number; inFlight: number; backoffUntil?: number } {
    return {
      queued: this.#store.size(),
      inFlight: this.#inFlight.size,
      ...(this.#backoffUntil > Date.now() ? { backoffUntil: this.#backoffUntil } : {}),
    };
  }

  /**
   * Stops sending. What a volatile store (memory) still holds is lost with the process: it is dropped
   * and counted (`shutdown`); a durable store keeps it for the next run. Batches still in flight that
   * fail are dropped the same way instead of retried.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#intervalTimer?.();
    this.#retryTimer?.();
    this.#wakeIdleWaiters();
    if (this.#store.volatile) {
      const left = await this.#store.peek({ limit: Infinity, maxBytes: Infinity, exclude: this.#inFlight });
      await this.#dropFromStore(left, DropReason.shutdown);
    }
    await this.#store.close?.();
  }

  #isIdle(): boolean {
    return this.#closed || (this.#store.size() === 0 && this.#activeSends === 0);
  }

  #armInterval(): void {
    if (this.#intervalTimer || this.#closed) return;
    this.#intervalTimer = startTimer(() => {
      this.#intervalTimer = undefined;
      this.#intervalDue = true;
      this.#pump();
    }, this.#options.flushIntervalMs);
  }

  /** Starts sends while there is capacity and work; one pump loop at a time. */
  #pump(): void {
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    void this.#pumpLoop().finally(() => {
      this.#pumping = false;
      if (this.#pumpAgain) {
        this.#pumpAgain = false;
        this.#pump();
      }
    });
  }

  async #pumpLoop(): Promise<void> {
    while (this.#restored && !this.#closed && this.#activeSends < this.#options.concurrency && Date.now() >= this.#backoffUntil) {
      const available = this.#store.size() - this.#inFlight.size;
      const probing = this.#probeDue;
      this.#probeDue = false;
      if (available <= 0 && !probing) {
        this.#intervalDue = false;
        break;
      }
      const partialAllowed = this.#intervalDue || this.#draining > 0 || (probing && available <= 0);
      if (!partialAllowed && available < this.#options.maxBatchEvents) break;
      let batch: readonly StoredEvent[];
      try {
        batch = await this.#store.peek({
          limit: this.#splitLimit ?? this.#options.maxBatchEvents,
          maxBytes: this.#options.maxBatchBytes,
          exclude: this.#inFlight,
        });
      } catch (error) {
        this.#listener.error(asError(error));
        this.#scheduleRetry(undefined);
        break;
      }
      if (batch.length === 0) break;
      for (const event of batch) this.#inFlight.add(event.id);
      // Consent may have been denied since these were stored, the purge still on its way: never send them.
      const options = this.#options;
      const denied = batch.filter((event) => !options.consentAllows(event.purpose));
      if (denied.length > 0) {
        void this.#dropDenied(denied);
        batch = batch.filter((event) => !denied.includes(event));
        if (batch.length === 0) continue;
      }
      this.#activeSends++;
      void this.#sendBatch(batch);
    }
    this.#notifyIfIdle();
  }

  /** Drops events read for sending whose purpose is denied; in flight meanwhile, so a purge skips them. */
  async #dropDenied(events: readonly StoredEvent[]): Promise<void> {
    try {
      await this.#dropFromStore(events, DropReason.consentDenied);
    } catch (error) {
      this.#listener.error(asError(error));
    } finally {
      for (const event of events) this.#inFlight.delete(event.id);
      this.#notifyIfIdle();
    }
  }

  async #sendBatch(batch: readonly StoredEvent[]): Promise<void> {
    let result: TransportResult;
    try {
      const unloading = this.#unloading > 0;
      result = await this.#transport.send(batch, { timeoutMs: this.#options.requestTimeoutMs, ...(unloading ? { unloading } : {}) });
    } catch (error) {
      // Transports should not throw: reported, and treated as a network error, which is retryable.
      this.#listener.error(asError(error));
      result = { type: 'retryable', reason: asError(error).message };
    }
    try {
      await this.#settle(batch, result);
    } catch (error) {
      this.#listener.error(asError(error));
    } finally {
      for (const event of batch) this.#inFlight.delete(event.id);
      this.#activeSends--;
      this.#pump();
    }
  }

  async #settle(batch: readonly StoredEvent[], result: TransportResult): Promise<void> {
    switch (result.type) {
      case 'ok': {
        this.#consecutiveFailures = 0;
        this.#splitLimit = undefined;
        await this.#removeFromStore(batch);
        const rejectedIds = new Set((result.rejected ?? []).map((r) => r.id));
        const accepted = rejectedIds.size === 0 ? batch : batch.filter((e) => !rejectedIds.has(e.id));
        this.delivered += accepted.length;
        this.#listener.delivered(accepted);
        if (rejectedIds.size > 0) this.#listener.dropped(batch.filter((e) => rejectedIds.has(e.id)), DropReason.rejected);
        return;
      }
      case 'retryable':
        return this.#retryLater(batch, result.reason, result.retryAfterMs);
      case 'fatal': {
        this.lastError = result.reason;
        if (result.status === 413 && batch.length > 1) {
          this.#splitLimit = Math.ceil(batch.length / 2); // try halves; nothing is dropped yet
          return;
        }
        await this.#dropFromStore(batch, result.status === 413 ? DropReason.tooLarge : DropReason.fatalStatus);
        return;
      }
    }
  }

  async #retryLater(batch: readonly StoredEvent[], reason: string, retryAfterMs?: number): Promise<void> {
    this.lastError = reason;
    if (this.#closed && this.#store.volatile) return this.#dropFromStore(batch, DropReason.shutdown);
    const now = Date.now();
    const { maxAttempts, maxEventAgeMs } = this.#options.retry;
    const exhausted: StoredEvent[] = [];
    const expired: StoredEvent[] = [];
    const denied: StoredEvent[] = [];
    const again: StoredEvent[] = [];
    for (const event of batch) {
      const attempts = (this.#attempts.get(event.id) ?? 0) + 1;
      if (!this.#options.consentAllows(event.purpose)) denied.push(event);
      else if (now - event.createdAt > maxEventAgeMs) expired.push(event);
      else if (attempts >= maxAttempts) exhausted.push(event);
      else {
        this.#attempts.set(event.id, attempts);
        again.push(event);
      }
    }
    await this.#dropFromStore(exhausted, DropReason.retriesExhausted);
    await this.#dropFromStore(expired, DropReason.expired);
    await this.#dropFromStore(denied, DropReason.consentDenied);
    if (again.length > 0) {
      this.retried += again.length;
      this.#listener.retried(again, reason);
    }
    // Batches sent concurrently fail together: count one failure per backoff window, not one per batch.
    if (now >= this.#backoffUntil) this.#consecutiveFailures++;
    this.#scheduleRetry(retryAfterMs);
  }

  #scheduleRetry(retryAfterMs: number | undefined): void {
    const wait = nextRetryDelay(Math.max(1, this.#consecutiveFailures), this.#options.retry, retryAfterMs);
    const until = Date.now() + wait;
    if (until <= this.#backoffUntil) return;
    this.#backoffUntil = until;
    this.#retryTimer?.();
    this.#retryTimer = startTimer(() => {
      this.#retryTimer = undefined;
      // Timers may fire a millisecond before Date.now() reaches `until`: the backoff is over now.
      this.#backoffUntil = 0;
      this.#intervalDue = true;
      this.#pump();
    }, wait);
  }

  async #removeFromStore(events: readonly StoredEvent[]): Promise<void> {
    if (events.length === 0) return;
    const ids = events.map((e) => e.id);
    await this.#store.remove(ids);
    for (const id of ids) this.#attempts.delete(id);
  }

  async #dropFromStore(events: readonly StoredEvent[], reason: DropReason): Promise<void> {
    if (events.length === 0) return;
    await this.#removeFromStore(events);
    this.#listener.dropped(events, reason);
  }

  #notifyIfIdle(): void {
    if (this.#isIdle()) this.#wakeIdleWaiters();
  }

  #wakeIdleWaiters(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const wake of waiters) wake();
  }
}

export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
