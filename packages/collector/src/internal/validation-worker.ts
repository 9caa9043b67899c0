// Entry of a validation worker thread (ValidationPool): decodes, parses and checks batch bodies.
import { parentPort, workerData } from 'node:worker_threads';
import { BatchChecker, bodyRejection } from './batch-check.js';
import { EventValidator } from './event-validator.js';
import { decodeBody } from './read-body.js';
import { SchemaRegistry } from './schema-registry.js';
import type { CheckJob, CheckOutcome, ValidationWorkerData } from './validation-pool.js';

const { schemas, maxDepth, maxEventsPerBatch } = workerData as ValidationWorkerData;
const registry = new SchemaRegistry();
for (const source of schemas) registry.load(source);
const checker = new BatchChecker(new EventValidator(registry, { maxDepth }), maxEventsPerBatch);

parentPort?.on('message', ({ job, body, context }: CheckJob) => {
  let outcome: CheckOutcome;
  try {
    outcome = { job, ok: true, checked: checker.checkBody(decodeBody(body), context) };
  } catch (error) {
    const { code, message } = bodyRejection(error);
    outcome = { job, ok: false, code, message };
  }
  parentPort?.postMessage(outcome);
});
