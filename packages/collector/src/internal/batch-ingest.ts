import type { WriteKeyConfig } from './config.js';
import type { DedupWindow } from './dedup-window.js';
import type { EventValidator } from './event-validator.js';
import type { CollectorMetrics } from './metrics.js';
import type { Sink, SinkRecord } from './sinks/sink.js';

export interface BatchAnswer {
  accepted: number;
  duplicates: number;
  rejected: { id: string | null; errors: string[] }[];
}

export interface IngestContext {
  key: WriteKeyConfig;
  clientIp: string | undefined;
  receivedAt: Date;
}

/** The body could not be taken as a batch at all (400). */
export class BatchShapeError extends Error {}

/**
 * Validates each event of a batch on its own, so a mixed batch keeps its good events; drops
 * duplicates; writes good and bad records to the sink and resolves once they are durable. Rejects
 * when the sink fails, with every reservation released so the tracker's retry can land them.
 */
export class BatchIngest {
  constructor(
    private readonly validator: EventValidator,
    private readonly dedup: DedupWindow,
    private readonly sink: Sink,
    private readonly metrics: CollectorMetrics,
    private readonly maxEventsPerBatch: number,
  ) {}

  /** Checks the batch shape; returns the events. Throws BatchShapeError (400) or a RangeError for too many (413). */
  events(body: unknown): unknown[] {
    if (typeof body !== 'object' || body === null || !Array.isArray((body as { events?: unknown }).events)) {
      throw new BatchShapeError('body must be an object with an "events" array');
    }
    const events = (body as { events: unknown[] }).events;
    if (events.length > this.maxEventsPerBatch) throw new RangeError(`more than ${this.maxEventsPerBatch} events in one batch`);
    return events;
  }

  /** Label values stay bounded: a schema label only for schemas in the registry. */
  private schemaLabel(event: unknown): string {
    const schema = (event as { event?: { schema?: unknown } } | null)?.event?.schema;
    return typeof schema === 'string' && this.validator.knows(schema) ? schema : 'unknown';
  }

  /**
   * Reserves the ids that are new; the others are duplicates. An id being written by another request
   * (a retry racing its first attempt) waits for that write's outcome, but never while holding
   * reservations of its own: that request may be waiting for one of ours (a deadlock otherwise).
   */
  private async reserve(ids: readonly string[]): Promise<Set<string>> {
    for (;;) {
      const mine = new Set<string>();
      let inProgress: Promise<void> | undefined;
      for (const id of ids) {
        if (mine.has(id)) continue;
        const reservation = this.dedup.reserve(id);
        if (reservation === 'new') mine.add(id);
        else if (reservation !== 'duplicate') {
          inProgress = reservation.pending;
          break;
        }
      }
      if (!inProgress) return mine;
      this.dedup.release([...mine]);
      await inProgress;
    }
  }

  async ingest(events: readonly unknown[], context: IngestContext): Promise<BatchAnswer> {
    const receivedAt = context.receivedAt.toISOString();
    const answer: BatchAnswer = { accepted: 0, duplicates: 0, rejected: [] };
    const records: SinkRecord[] = [];
    this.metrics.batchSize.observe(events.length);
    const checked = events.map((event) => {
      const verdict = this.validator.validate(event);
      return { event, verdict, errors: verdict.ok ? appMismatch(verdict.envelope.app.id, context.key) : verdict.errors };
    });
    const reservable = await this.reserve(checked.flatMap(({ verdict, errors }) => (verdict.ok && errors.length === 0 ? [verdict.envelope.id] : [])));
    const reserved = new Set<string>();
    for (const { event, verdict, errors } of checked) {
      if (verdict.ok && errors.length === 0) {
        const { envelope } = verdict;
        if (!reservable.has(envelope.id) || reserved.has(envelope.id)) {
          answer.duplicates++;
          this.metrics.events.inc({ outcome: 'duplicate', schema: envelope.event.schema, reason: '' });
          continue;
        }
        reserved.add(envelope.id);
        answer.accepted++;
        this.metrics.events.inc({ outcome: 'accepted', schema: envelope.event.schema, reason: '' });
        records.push({
          kind: 'good',
          id: envelope.id,
          time: Date.parse(envelope.ts.created),
          key: envelope.user.anonymousId ?? envelope.user.userId,
          value: JSON.stringify({ receivedAt, clientIp: context.clientIp, envelope }),
        });
      } else {
        const id = verdict.ok ? verdict.envelope.id : verdict.id;
        answer.rejected.push({ id: id ?? null, errors });
        this.metrics.events.inc({ outcome: 'rejected', schema: this.schemaLabel(event), reason: reasonLabel(errors[0]) });
        records.push({
          kind: 'bad',
          id,
          time: context.receivedAt.getTime(),
          key: undefined,
          value: badRecordValue(receivedAt, context.clientIp, errors, event),
        });
      }
    }
    const started = process.hrtime.bigint();
    try {
      await this.sink.write(records);
    } catch (error) {
      this.dedup.release([...reserved]);
      this.metrics.sinkErrors.inc({ sink: this.sink.name });
      throw error;
    }
    this.metrics.sinkWriteDuration.observe({ sink: this.sink.name }, Number(process.hrtime.bigint() - started) / 1e9);
    this.dedup.commit([...reserved]);
    return answer;
  }
}

function appMismatch(appId: string, key: WriteKeyConfig): string[] {
  return key.appId !== undefined && key.appId !== appId ? [`/app/id: "${appId}" is not the app of this write key`] : [];
}


/**
 * A bad record keeps the original payload, unless it cannot be serialized (nested deeper than
 * JSON.stringify's stack allows): then the reasons alone, so one hostile event cannot fail a batch.
 */
function badRecordValue(receivedAt: string, clientIp: string | undefined, errors: string[], payload: unknown): string {
  try {
    return JSON.stringify({ receivedAt, clientIp, errors, payload });
  } catch {
    return JSON.stringify({ receivedAt, clientIp, errors, payload: null, payloadOmitted: 'too deeply nested to store' });
  }
}

function reasonLabel(error: string | undefined): string {
  if (!error) return 'unknown';
  if (error.includes('unknown schema')) return 'unknown_schema';
  if (error.startsWith('/event/data') || error.startsWith('/entities/')) return 'invalid_data';
  if (error.includes('nested deeper') || error.includes('forbidden key')) return 'unsafe_shape';
  if (error.startsWith('/app/id')) return 'app_mismatch';
  return 'invalid_envelope';
}
