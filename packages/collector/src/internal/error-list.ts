import { cutText } from './cut-text.js';
import type { CompiledSchema } from './schema-registry.js';

/** Longest error listed: a message names the field (a key of any length) or the schema the client sent. */
export const MAX_ERROR_CHARS = 512;

/**
 * The errors of one event: the first `max` listed (each cut at MAX_ERROR_CHARS), the others only
 * counted, so an event that breaks its schema 400,000 times costs no more than finding them.
 */
export class ErrorList {
  private readonly shown: string[] = [];
  count = 0;

  constructor(private readonly max: number) {}

  /** The violations of `data` against `schema`. */
  add(schema: CompiledSchema, data: unknown, pointerPrefix: string): void {
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
    const more = this.count - this.shown.length;
    return more > 0 ? [...this.shown, `… and ${more.toLocaleString('en-US')} more error${more === 1 ? '' : 's'}`] : this.shown;
  }
}

function clip(error: string): string {
  return error.length <= MAX_ERROR_CHARS ? error : `${cutText(error, MAX_ERROR_CHARS - 1)}…`;
}
