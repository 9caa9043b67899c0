import type { BatchChecker, CheckContext, CheckedEvent } from './batch-check.js';
import { parseBody } from './read-body.js';
import { envelopesFromTp2 } from './snowplow-tp2.js';

/** The protocols whose bodies a BatchChecker (in a worker or not) checks: `/v1/batch` or tp2's `payload_data`. */
export type BodyProtocol = 'batch' | 'tp2';

/**
 * The text of a body of `protocol`, checked. tp2 payloads become envelopes first, counted against
 * `maxEventsPerBatch` before any is mapped; both then meet the same validation and dedup.
 * Throws what `bodyRejection` answers.
 */
export function checkBodyText(checker: BatchChecker, protocol: BodyProtocol, text: string, context: CheckContext, maxEventsPerBatch: number): CheckedEvent[] {
  if (protocol === 'batch') return checker.checkBody(text, context);
  return checker.check(envelopesFromTp2(parseBody(text), context.receivedAt, maxEventsPerBatch), context);
}
