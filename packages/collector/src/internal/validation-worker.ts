// Entry of a validation worker thread (ValidationPool): decodes, parses and checks batch and tp2 bodies.
import { parentPort, workerData } from 'node:worker_threads';
import { BatchChecker, bodyRejection } from './batch-check.js';
import { EventValidator } from './event-validator.js';
import { decodeBody } from './read-body.js';
import { bootstrapRegistry } from './registry-bootstrap.js';
import { checkBodyText } from './tp2-body.js';
import type { AddSchemaMessage, CheckJob, CheckOutcome, ValidationWorkerData } from './validation-pool.js';

const { schemas, added, maxDepth, maxEventsPerBatch, maxErrorsPerEvent, maxBadRecordBytes } = workerData as ValidationWorkerData;
// Built as the collector's registry is.
const registry = bootstrapRegistry(schemas);
// Schemas added to the collector's registry before this worker started, in the order they were added.
for (const { schema, origin } of added) registry.add(schema, origin);
const checker = new BatchChecker(new EventValidator(registry, { maxDepth, ...(maxErrorsPerEvent === undefined ? {} : { maxErrors: maxErrorsPerEvent }) }), maxEventsPerBatch, maxBadRecordBytes);

parentPort?.on('message', (message: CheckJob | AddSchemaMessage) => {
  if ('add' in message) {
    // The main thread compiled this schema before posting it: it compiles here too.
    registry.add(message.add.schema, message.add.origin);
    return;
  }
  const { job, body, protocol, context } = message;
  let outcome: CheckOutcome;
  try {
    outcome = { job, ok: true, checked: checkBodyText(checker, protocol, decodeBody(body), context, maxEventsPerBatch) };
  } catch (error) {
    const { code, message } = bodyRejection(error);
    outcome = { job, ok: false, code, message };
  }
  parentPort?.postMessage(outcome);
});
