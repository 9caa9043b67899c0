import { createSchemaEngine } from '@tracklane/schema';
import type { JsonSchema } from '../load/types.js';
import { bodyOf } from './classify/engine.js';

/**
 * For tests: whether an instance is valid under a version, by a fresh engine of the collector's
 * kind, so a witness is judged apart from the run that found it.
 */
export function validUnder(schema: JsonSchema, instance: unknown): boolean {
  return validatorFor(schema)(instance);
}

/** The same, compiled once for many instances. */
export function validatorFor(schema: JsonSchema): (instance: unknown) => boolean {
  const validate = createSchemaEngine({ allErrors: false }).compile(bodyOf(schema));
  return (instance) => validate(instance);
}
