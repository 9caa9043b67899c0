import { cutText } from './cut-text.js';
import type { CompiledSchema } from './schema-registry.js';

/** Longest error listed: a message names the field (a key of any length) or the schema the client sent. */
export const MAX_ERROR_CHARS = 512;

/**
 * Keys (at every depth) of the largest event whose violations are all looked for. Beyond it only the
 * first of each schema is: finding 400,000 (one per unknown key) costs a quarter of a second and
 * 40 MB of error objects, and listing them tells no more than the first ones.
 */
export const FULL_REPORT_MAX_KEYS = 10_000;

/**
 * The errors of one event: the first `max` listed (each cut at MAX_ERROR_CHARS), the others only
 * counted, so an event that breaks its schema 400,000 times costs no more than finding them; in an
 * event of more than FULL_REPORT_MAX_KEYS `keys`, only the first of each schema, and none counted.
 */
export class ErrorList {
  private readonly shown: string[] = [];
  count = 0;

  constructor(
    private readonly max: number,
    private readonly keys = 0,
  ) {}

  /** The violations of `data` against `schema`. */
  add(schema: CompiledSchema, data: unknown, pointerPrefix: string): void {
    if (this.keys > FULL_REPORT_MAX_KEYS) {
      const first = schema.firstViolation(data, pointerPrefix);
      if (first !== undefined) this.push(() => first);
      return;
    }
    const { errors, count } = schema.violations(data, pointerPrefix, this.max - this.shown.length);
    for (const error of errors) this.shown.push(clip(error));
    this.count += count;
  }

  /** One error, formatted only when it is listed. */
  push(error: () => string): void {
    if (this.shown.length < this.max) this.shown.push(clip(error()));
    this.count++;
  }

  list(): string[] {
    if (this.keys > FULL_REPORT_MAX_KEYS && this.count > 0) {
      return [...this.shown, `… further errors not looked for: the event has ${this.keys.toLocaleString('en-US')} keys (more than ${FULL_REPORT_MAX_KEYS.toLocaleString('en-US')})`];
    }
    const more = this.count - this.shown.length;
    return more > 0 ? [...this.shown, `… and ${more.toLocaleString('en-US')} more error${more === 1 ? '' : 's'}`] : this.shown;
  }
}

function clip(error: string): string {
  return error.length <= MAX_ERROR_CHARS ? error : `${cutText(error, MAX_ERROR_CHARS - 1)}…`;
}
