import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { Envelope } from '@tracklane/core';
import { DEFAULT_LIMITS } from './config.js';
import { ErrorList } from './error-list.js';
import { SchemaRegistry } from './schema-registry.js';

/**
 * Why the validator refuses an event, decided where its first error arises: its shape (depth, a
 * forbidden key), the envelope, an event or entity schema the registry does not hold, or data that
 * breaks its schema.
 */
export type InvalidReason = 'unsafe_shape' | 'invalid_envelope' | 'unknown_schema' | 'invalid_data';

/** `members`: keys of every object in the event, counted by the shape check (see `countMembers`). */
export type EventVerdict = { ok: true; envelope: Envelope; members: number } | { ok: false; id: string | undefined; reason: InvalidReason; errors: string[] };

export interface EventValidatorOptions {
  /** Deepest nesting of objects and arrays in one event. @default 32 */
  maxDepth?: number;
  /** Errors listed per event; a last line counts the others (CollectorLimits.maxErrorsPerEvent). @default 10 */
  maxErrors?: number;
}

const ENVELOPE_SCHEMA = '@tracklane/core/schemas/dev.tracklane/envelope/jsonschema/1-0-0';

/**
 * Validates one event of a batch: its shape (depth, forbidden keys), the envelope against
 * `iglu:dev.tracklane/envelope/jsonschema/1-0-0`, then its event and each entity against the
 * registry. Every error names the JSON pointer of the offending field.
 */
export class EventValidator {
  private readonly envelope;
  private readonly maxDepth: number;
  private readonly maxErrors: number;

  constructor(
    private readonly registry: SchemaRegistry,
    options: EventValidatorOptions = {},
  ) {
    const file = createRequire(import.meta.url).resolve(ENVELOPE_SCHEMA);
    const envelopeRegistry = new SchemaRegistry();
    const uri = envelopeRegistry.add(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>, file);
    this.envelope = envelopeRegistry.get(uri)!;
    this.maxDepth = options.maxDepth ?? DEFAULT_LIMITS.maxDepth;
    this.maxErrors = options.maxErrors ?? DEFAULT_LIMITS.maxErrorsPerEvent;
  }

  knows(schema: string): boolean {
    return this.registry.get(schema) !== undefined;
  }

  validate(value: unknown): EventVerdict {
    const id = typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string' ? (value as { id: string }).id : undefined;
    const members = countMembers(value, this.maxDepth);
    if (members < 0) return { ok: false, id, reason: 'unsafe_shape', errors: [checkShape(value, this.maxDepth) ?? '/: unsafe shape'] };
    const errors = new ErrorList(this.maxErrors, members);
    errors.add(this.envelope, value, '');
    if (errors.count > 0) return { ok: false, id, reason: 'invalid_envelope', errors: errors.list() };
    const envelope = value as Envelope;
    let reason = this.validateSelfDescribing(envelope.event, '/event', errors);
    (envelope.entities ?? []).forEach((entity, index) => {
      const found = this.validateSelfDescribing(entity, `/entities/${index}`, errors);
      reason ??= found;
    });
    return reason ? { ok: false, id, reason, errors: errors.list() } : { ok: true, envelope, members };
  }

  /** Adds the item's errors; returns the reason when it has any. */
  private validateSelfDescribing(item: { schema: string; data: unknown }, pointer: string, errors: ErrorList): InvalidReason | undefined {
    const schema = this.registry.get(item.schema);
    if (!schema) {
      errors.push(() => `${pointer}/schema: unknown schema ${item.schema}`);
      return 'unknown_schema';
    }
    const before = errors.count;
    errors.add(schema, item.data, `${pointer}/data`);
    return errors.count > before ? 'invalid_data' : undefined;
  }
}

/**
 * Rejects values nested deeper than `maxDepth` and objects with a `__proto__` key (harmless after
 * JSON.parse, but a trap for any code downstream that merges objects). Iterative: no stack to blow.
 */
export function checkShape(value: unknown, maxDepth: number): string | undefined {
  return countMembers(value, maxDepth) >= 0 ? undefined : describeShapeError(value, maxDepth);
}

/**
 * The hot path of checkShape (every event): the same checks without building JSON pointers, and
 * visiting containers only. Pointers are built by describeShapeError for the rare unsafe event.
 * Returns the keys of every object in `value` (which EventSpan.members is compared with), or -1
 * for an unsafe shape.
 */
export function countMembers(value: unknown, maxDepth: number): number {
  if (typeof value !== 'object' || value === null) return 0;
  let members = 0;
  const nodes: object[] = [value];
  const depths: number[] = [0];
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (depth >= maxDepth) return -1;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const child: unknown = node[i];
        if (typeof child === 'object' && child !== null) {
          nodes.push(child);
          depths.push(depth + 1);
        }
      }
      continue;
    }
    // for-in (no key array per object) visits own keys of a JSON.parse result, an own `__proto__` included.
    for (const key in node) {
      if (key === '__proto__') return -1;
      members++;
      const child: unknown = (node as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null) {
        nodes.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return members;
}

function describeShapeError(value: unknown, maxDepth: number): string | undefined {
  const stack: [unknown, number, string][] = [[value, 0, '']];
  while (stack.length > 0) {
    const [node, depth, pointer] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= maxDepth) return `${pointer || '/'}: nested deeper than ${maxDepth} levels`;
    if (Array.isArray(node)) {
      node.forEach((child, index) => stack.push([child, depth + 1, `${pointer}/${index}`]));
      continue;
    }
    for (const key of Object.keys(node)) {
      if (key === '__proto__') return `${pointer}/__proto__: forbidden key`;
      stack.push([(node as Record<string, unknown>)[key], depth + 1, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`]);
    }
  }
  return undefined;
}
