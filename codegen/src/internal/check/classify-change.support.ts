import { createSchemaEngine } from '@tracklane/schema';
import type { JsonSchema } from '../load/types.js';
import { bodyOf, type Side } from './classify/engine.js';

/**
 * For tests: whether an instance is valid under a version, by a fresh engine of the collector's
 * kind, so a witness is judged apart from the run that found it. `side`: how an Iglu `$ref`
 * reads, as in a witness's old version (nothing passes) or its new one (anything passes).
 */
export function validUnder(schema: JsonSchema, instance: unknown, side: Side): boolean {
  return validatorFor(schema, side)(instance);
}

/** The same, compiled once for many instances. */
export function validatorFor(schema: JsonSchema, side: Side): (instance: unknown) => boolean {
  const validate = createSchemaEngine({ allErrors: false }).compile(bodyOf(schema, side));
  return (instance) => validate(instance);
}
