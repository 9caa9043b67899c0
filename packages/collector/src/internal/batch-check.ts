import { DEFAULT_LIMITS } from './config.js';
import { locateEvents } from './event-spans.js';
import type { EventValidator, InvalidReason } from './event-validator.js';
import { CollectorError, CollectorErrorCode, httpStatus, internalError, isCollectorError } from './errors.js';
import { mayHoldUnrepresentable, unrepresentableValues, wellFormed, wellFormedLine } from './json-scalars.js';
import { parseBody } from './read-body.js';
import { GoodRecordWriter, badRecordValue, type BatchSource } from './stored-records.js';

/** What checking a batch needs to know about its request; plain data, so a worker thread can get it. */
export interface CheckContext {
  /** The write key's app: events of another `app.id` are rejected. */
  appId: string | undefined;
  clientIp: string | undefined;
  /** Epoch ms. */
  receivedAt: number;
}

/**
 * Why an event is rejected: the `reason` label of `events_total`, decided where the event fails
 * (InvalidReason: in the validator), never read back from its error messages.
 */
export type RejectReason = InvalidReason | 'app_mismatch' | 'unmappable' | 'unrepresentable';

/**
 * One event of a batch once checked, with its stored line: good (still to be deduplicated) or bad.
 * Plain data, so a worker thread can send it.
 */
export type CheckedEvent =
  | { ok: true; id: string; schema: string; key: string | undefined; value: string }
  | { ok: false; id: string | undefined; schema: string; reason: RejectReason; errors: string[]; value: string };

/**
 * An event its protocol's mapping refused (a tp2 payload of an unsupported type, an unreadable
 * `ue_pr`): it is not validated but kept in the bad store as it came, with the mapping's reasons.
 */
export class RefusedEvent {
  constructor(
    /** The payload as received: what the bad store keeps. */
    readonly payload: unknown,
    readonly id: string | undefined,
    readonly errors: string[],
  ) {}
}

/**
 * Validates each event of a batch on its own, so a mixed batch keeps its good events, and builds
 * the line each one is stored as. Needs no state beyond the schemas: it runs in worker threads too.
 */
export class BatchChecker {
  constructor(
    private readonly validator: EventValidator,
    private readonly maxEventsPerBatch: number,
    /** Largest bad-store record (CollectorLimits.maxBadRecordBytes). */
    private readonly maxBadRecordBytes: number = DEFAULT_LIMITS.maxBadRecordBytes,
  ) {}

  /** Checks the batch shape; returns the events. Throws a CollectorError: BATCH_SHAPE, or BATCH_TOO_LARGE for too many (413). */
  events(body: unknown): unknown[] {
    if (typeof body !== 'object' || body === null || !Array.isArray((body as { events?: unknown }).events)) {
      throw new CollectorError(CollectorErrorCode.BATCH_SHAPE, 'body must be an object with an "events" array');
    }
    const events = (body as { events: unknown[] }).events;
    if (events.length > this.maxEventsPerBatch) throw new CollectorError(CollectorErrorCode.BATCH_TOO_LARGE, `more than ${this.maxEventsPerBatch} events in one batch`);
    return events;
  }

  /**
   * Parses and checks the text of a `/v1/batch` body. Throws what `bodyRejection` turns into an answer:
   * a CollectorError BODY_NOT_JSON, BATCH_SHAPE or BATCH_TOO_LARGE.
   */
  checkBody(text: string, context: CheckContext): CheckedEvent[] {
    const events = this.events(parseBody(text));
    const spans = locateEvents(text);
    return this.check(events, context, spans && { text, spans }, mayHoldUnrepresentable(text));
  }

  /**
   * `events` may hold RefusedEvents, stored as bad events with their reasons.
   * `source`, when given, is the body text the events were parsed from: good events are stored as
   * that text when it is exactly what was validated (see GoodRecordWriter).
   * `scan`: look for values JSON cannot carry (json-scalars.ts); false only when the body's text
   * shows there are none.
   */
  check(events: readonly unknown[], context: CheckContext, source?: BatchSource, scan = true): CheckedEvent[] {
    const receivedAt = new Date(context.receivedAt).toISOString();
    const good = new GoodRecordWriter(receivedAt, context.clientIp, source?.spans.length === events.length ? source : undefined);
    return events.map((event, index): CheckedEvent => {
      if (event instanceof RefusedEvent) {
        const { payload, id } = event;
        // A refused payload is stored as it came: its strings may hold lone surrogates.
        const errors = scan ? event.errors.map(wellFormed) : event.errors;
        const value = badRecordValue(receivedAt, context.clientIp, errors, payload, this.maxBadRecordBytes);
        return { ok: false, id: id && wellFormed(id), schema: 'unknown', reason: 'unmappable', errors, value: scan ? wellFormedLine(value) : value };
      }
      // Per event, not per body: the body is valid JSON text, and the batch's other events are unharmed.
      const unrepresentable = scan ? unrepresentableValues(event) : [];
      if (unrepresentable.length > 0) {
        const id = (event as { id?: unknown } | null)?.id;
        return {
          ok: false,
          id: typeof id === 'string' ? wellFormed(id) : undefined,
          schema: this.schemaLabel(event),
          reason: 'unrepresentable',
          errors: unrepresentable,
          // Infinity is written as null, a lone surrogate as U+FFFD: the errors say what they were.
          value: wellFormedLine(badRecordValue(receivedAt, context.clientIp, unrepresentable, event, this.maxBadRecordBytes)),
        };
      }
      const verdict = this.validator.validate(event);
      const errors = verdict.ok ? appMismatch(verdict.envelope.app.id, context.appId) : verdict.errors;
      if (verdict.ok && errors.length === 0) {
        const { envelope } = verdict;
        return {
          ok: true,
          id: envelope.id,
          schema: envelope.event.schema,
          key: envelope.user.anonymousId ?? envelope.user.userId,
          value: good.value(envelope, index, verdict.members),
        };
      }
      return {
        ok: false,
        id: verdict.ok ? verdict.envelope.id : verdict.id,
        schema: this.schemaLabel(event),
        reason: verdict.ok ? 'app_mismatch' : verdict.reason,
        errors,
        value: badRecordValue(receivedAt, context.clientIp, errors, event, this.maxBadRecordBytes, good.receivedText(index)),
      };
    });
  }

  /** Label values stay bounded: a schema label only for schemas in the registry. */
  private schemaLabel(event: unknown): string {
    const schema = (event as { event?: { schema?: unknown } } | null)?.event?.schema;
    return typeof schema === 'string' && this.validator.knows(schema) ? schema : 'unknown';
  }
}

/**
 * How the collector answers a body it does not check as a batch: the code (what a worker thread sends
 * back), its status and the message. 400, 413 and 415 refuse the body, the message telling the client
 * why; 500 (INTERNAL) is an error the collector did not expect, a bug, whose message is for the log:
 * trackers retry a 5xx, so a bug never makes them drop good events as a 4xx would.
 */
export type BodyRejection =
  | { code: CollectorErrorCode; status: 400 | 413 | 415; message: string }
  | { code: typeof CollectorErrorCode.INTERNAL; status: 500; message: string };

/** The answer to what checking a body threw: decided by the CollectorError's code, whatever its class; any other error is INTERNAL. */
export function bodyRejection(error: unknown): BodyRejection {
  const coded = isCollectorError(error) ? error : internalError(error);
  const status = httpStatus(coded.code);
  if (status === 400 || status === 413 || status === 415) return { code: coded.code, status, message: coded.message };
  // INTERNAL, or a code no body check throws (a sink's, a replay's): a bug too.
  const bug = coded.code === CollectorErrorCode.INTERNAL ? coded : internalError(error);
  return { code: CollectorErrorCode.INTERNAL, status: 500, message: bug.message };
}

function appMismatch(appId: string, keyAppId: string | undefined): string[] {
  return keyAppId !== undefined && keyAppId !== appId ? [`/app/id: "${appId}" is not the app of this write key`] : [];
}
