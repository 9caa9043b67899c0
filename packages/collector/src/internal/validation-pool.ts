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

interface PoolWorker {
  worker: Worker;
  jobs: Map<number, { resolve: (checked: CheckedEvent[]) => void; reject: (error: Error) => void }>;
}

/**
 * Worker threads that decode, parse and validate batch bodies, and build their stored lines (the
 * BatchChecker), so that work uses the machine's other cores while the main thread serves HTTP,
 * deduplicates and writes. A body goes to the worker with the fewest bodies in hand. A worker that
 * dies fails its bodies with a CollectorError VALIDATION_UNAVAILABLE (nothing was stored; the
 * collector answers 503, the client may retry) and is replaced.
 */
export class ValidationPool {
  private readonly workers: PoolWorker[] = [];
  private readonly added: AddedSchema[] = [];
  private nextJob = 0;
  private closed = false;

  /** `onWorkerError`: what ended a worker (an uncaught exception or running out of memory). */
  constructor(
    threads: number,
    private readonly data: Omit<ValidationWorkerData, 'added'>,
    private readonly onWorkerError: (error: Error) => void = () => undefined,
  ) {
    for (let i = 0; i < threads; i++) this.workers.push(this.spawn());
  }

  /** The checked events of a `/v1/batch` (or tp2) body; rejects with a CollectorError (400/413 by its code) for a body that is no batch. */
  check(body: Uint8Array, context: CheckContext, protocol: BodyProtocol = 'batch'): Promise<CheckedEvent[]> {
    if (this.closed) return Promise.reject(new CollectorError(CollectorErrorCode.VALIDATION_UNAVAILABLE, 'the validation pool is closed'));
    const target = this.workers.reduce((least, candidate) => (candidate.jobs.size < least.jobs.size ? candidate : least));
    const job = this.nextJob++;
    return new Promise((resolve, reject) => {
      target.jobs.set(job, { resolve, reject });
      target.worker.postMessage({ job, body, protocol, context } satisfies CheckJob);
    });
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
    await Promise.all(this.workers.map(({ worker }) => worker.terminate()));
  }

  private spawn(): PoolWorker {
    const [entry, options] = workerEntry();
    const worker = new Worker(entry, { ...options, workerData: { ...this.data, added: this.added } satisfies ValidationWorkerData });
    const pooled: PoolWorker = { worker, jobs: new Map() };
    worker.on('message', (outcome: CheckOutcome) => {
      const waiter = pooled.jobs.get(outcome.job);
      pooled.jobs.delete(outcome.job);
      if (outcome.ok) waiter?.resolve(outcome.checked);
      else waiter?.reject(new CollectorError(outcome.code, outcome.message));
    });
    // An exception thrown in the worker ends it: 'exit' follows 'error'.
    worker.on('error', (error) => this.onWorkerError(error));
    worker.on('exit', () => {
      for (const { reject } of pooled.jobs.values()) reject(new CollectorError(CollectorErrorCode.VALIDATION_UNAVAILABLE, 'a validation worker stopped'));
      pooled.jobs.clear();
      if (!this.closed) this.workers[this.workers.indexOf(pooled)] = this.spawn();
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
