import { Worker } from 'node:worker_threads';
import type { CheckContext, CheckedEvent } from './batch-check.js';
import { CollectorError, CollectorErrorCode } from './errors.js';
import type { BodyProtocol } from './tp2-body.js';

/** A schema added to the collector's registry after start, as the worker compiles it too. */
export interface AddedSchema {
  schema: Record<string, unknown>;
  origin: string;
}

/**
 * What a validation worker is started with: enough to compile the same schemas as the collector,
 * the sources it loaded and then, in order, the schemas added to its registry since.
 */
export interface ValidationWorkerData {
  schemas: readonly string[];
  added: readonly AddedSchema[];
  maxDepth: number;
  maxEventsPerBatch: number;
  /** CollectorLimits.maxErrorsPerEvent. @default 10 */
  maxErrorsPerEvent?: number;
  /** CollectorLimits.maxBadRecordBytes. @default 65_536 */
  maxBadRecordBytes?: number;
}

/** A schema added while the worker runs, posted to it (a CheckJob is the other message). */
export interface AddSchemaMessage {
  add: AddedSchema;
}

/** A body to check, as posted to a worker (the bytes are copied, never transferred). */
export interface CheckJob {
  job: number;
  body: Uint8Array;
  protocol: BodyProtocol;
  context: CheckContext;
}

/**
 * A worker's answer to a CheckJob. A refusal is sent as its code and message (structured clone
 * would drop an error's class): the pool throws them again as a CollectorError.
 */
export type CheckOutcome = { job: number; ok: true; checked: CheckedEvent[] } | { job: number; ok: false; code: CollectorErrorCode; message: string };

/** A body waiting for a worker, or in a worker's hands. */
interface PendingJob {
  message: CheckJob;
  /** When it was queued (performance.now()). */
  queuedAt: number;
  resolve: (checked: CheckedEvent[]) => void;
  reject: (error: Error) => void;
}

interface PoolWorker {
  worker: Worker;
  /** The one body it checks now: a worker is given the next only when it is done, so the pool picks which. */
  inHand: PendingJob | undefined;
}

/**
 * How long a body may wait while smaller ones go first: then it goes next, however large, so a
 * stream of small bodies cannot hold a large one back for good.
 */
const MAX_PASSED_OVER_MS = 1000;

/**
 * Worker threads that decode, parse and validate batch bodies, and build their stored lines (the
 * BatchChecker), so that work uses the machine's other cores while the main thread serves HTTP,
 * deduplicates and writes. Each worker checks one body at a time; waiting bodies go to the next
 * free worker smallest first (one that waited MAX_PASSED_OVER_MS first of all): a client's batch of
 * a few kB then waits for at most the body in hand, not behind every 8 MB body a hostile client
 * queued (each a second of CPU). A worker that dies fails its body with a CollectorError
 * VALIDATION_UNAVAILABLE (nothing was stored; the collector answers 503, the client may retry) and
 * is replaced.
 */
export class ValidationPool {
  private readonly workers: PoolWorker[] = [];
  private readonly waiting: PendingJob[] = [];
  private readonly added: AddedSchema[] = [];
  private nextJob = 0;
  private closed = false;

  /** `onWorkerError`: what ended a worker (an uncaught exception or running out of memory). */
  constructor(
    threads: number,
    private readonly data: Omit<ValidationWorkerData, 'added'>,
    private readonly onWorkerError: (error: Error) => void = () => undefined,
    /** Milliseconds on a monotonic clock, for how long bodies waited. */
    private readonly now: () => number = () => performance.now(),
  ) {
    for (let i = 0; i < threads; i++) this.workers.push(this.spawn());
  }

  /** The checked events of a `/v1/batch` (or tp2) body; rejects with a CollectorError (400/413 by its code) for a body that is no batch. */
  check(body: Uint8Array, context: CheckContext, protocol: BodyProtocol = 'batch'): Promise<CheckedEvent[]> {
    if (this.closed) return Promise.reject(new CollectorError(CollectorErrorCode.VALIDATION_UNAVAILABLE, 'the validation pool is closed'));
    const message: CheckJob = { job: this.nextJob++, body, protocol, context };
    return new Promise((resolve, reject) => {
      this.waiting.push({ message, queuedAt: this.now(), resolve, reject });
      this.dispatch();
    });
  }

  /** Bodies waiting for a worker (for tests and metrics). */
  get queued(): number {
    return this.waiting.length;
  }

  /** Whether a body checked now would start at once: a worker has none in hand and none is waiting. */
  get hasFreeWorker(): boolean {
    return this.waiting.length === 0 && this.workers.some((pooled) => !pooled.inHand);
  }

  /** Gives each free worker the next waiting body. */
  private dispatch(): void {
    for (const pooled of this.workers) {
      if (this.waiting.length === 0) return;
      if (pooled.inHand) continue;
      const next = this.waiting.splice(this.nextIndex(), 1)[0]!;
      pooled.inHand = next;
      pooled.worker.postMessage(next.message);
    }
  }

  /** The oldest body that waited MAX_PASSED_OVER_MS, else the smallest (the first of equals). */
  private nextIndex(): number {
    if (this.now() - this.waiting[0]!.queuedAt >= MAX_PASSED_OVER_MS) return 0;
    let smallest = 0;
    for (let i = 1; i < this.waiting.length; i++) if (this.waiting[i]!.message.body.byteLength < this.waiting[smallest]!.message.body.byteLength) smallest = i;
    return smallest;
  }

  /**
   * Makes every worker, and every worker started later, compile `schema` too. Call it once the
   * main thread's registry has compiled it (`SchemaRegistry.onAdded`), so a bad schema fails there,
   * never in a worker; the registry hands its listeners its own plain copy, which the pool keeps as
   * it is. Safe for ordering: a body checked after this returns is posted to its worker after the
   * schema, a worker handles its messages one at a time in the order they were posted, and a worker
   * started later compiles the added schemas (its workerData) before any message.
   */
  addSchema(schema: Record<string, unknown>, origin: string): void {
    const added = { schema, origin };
    this.added.push(added);
    for (const { worker } of this.workers) worker.postMessage({ add: added } satisfies AddSchemaMessage);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const { reject } of this.waiting.splice(0)) reject(new CollectorError(CollectorErrorCode.VALIDATION_UNAVAILABLE, 'the validation pool is closed'));
    await Promise.all(this.workers.map(({ worker }) => worker.terminate()));
  }

  private spawn(): PoolWorker {
    const [entry, options] = workerEntry();
    const worker = new Worker(entry, { ...options, workerData: { ...this.data, added: this.added } satisfies ValidationWorkerData });
    const pooled: PoolWorker = { worker, inHand: undefined };
    worker.on('message', (outcome: CheckOutcome) => {
      const done = pooled.inHand;
      pooled.inHand = undefined;
      if (outcome.ok) done?.resolve(outcome.checked);
      else done?.reject(new CollectorError(outcome.code, outcome.message));
      this.dispatch();
    });
    // An exception thrown in the worker ends it: 'exit' follows 'error'.
    worker.on('error', (error) => this.onWorkerError(error));
    worker.on('exit', () => {
      pooled.inHand?.reject(new CollectorError(CollectorErrorCode.VALIDATION_UNAVAILABLE, 'a validation worker stopped'));
      pooled.inHand = undefined;
      if (this.closed) return;
      this.workers[this.workers.indexOf(pooled)] = this.spawn();
      this.dispatch();
    });
    // Idle workers do not keep the process alive; bodies in hand do (their requests are open).
    worker.unref();
    return pooled;
  }
}

/**
 * The built package starts `validation-worker.js` next to its entry files (this code may sit in a
 * shared chunk below them). The TypeScript sources (tests, benchmarks) start the `.ts` file through
 * tsx, registered in the worker first: a worker ignores the `--import tsx` of its parent.
 */
function workerEntry(): [URL | string, { eval?: boolean }] {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const source = JSON.stringify(new URL('./validation-worker.ts', here).href);
    return [`import('tsx/esm/api').then(({ register }) => { register(); return import(${source}); });`, { eval: true }];
  }
  return [new URL(here.includes('/chunks/') ? '../validation-worker.js' : './validation-worker.js', here), {}];
}
